"""When something happened: a sentence's time words, resolved against the article's date.

"on Thursday" in an article of Sunday 27 February 2022 is 2022-02-24; "today" is the
article's date; "last week" is a week-long interval. The result is an interval with a
precision. Without an article date, only absolute dates can be resolved; everything else
is undated (never silently today).

>>> resolve_when("Putin launched an invasion on Thursday.", date(2022, 2, 27))
When(start=datetime.date(2022, 2, 24), end=datetime.date(2022, 2, 24), precision='day', phrase='Thursday')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from geo.events.articles import _MONTH, DATELINE_RES, MONTHS, _first_date

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_RE = re.compile(
    r"\b(?:(last|next|this|on|early|late)\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b(?!\s+\d{{4}})", re.I)
_MONTH_DAY_RE = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}})", re.I)
# Ukrainian and Russian weekdays in the forms "у неділю", "в понедельник" use, Monday first.
CYRILLIC_WEEKDAYS = (
    ("понеділок", "понеділка", "понедельник"), ("вівторок", "вівторка", "вторник"), ("середу", "середа", "среду", "среда"),
    ("четвер", "четверга", "четверг"), ("п'ятницю", "п’ятницю", "пятницу", "пятница"), ("суботу", "субота", "субботу", "суббота"),
    ("неділю", "неділя", "воскресенье"),
)  # fmt: skip
_CYRILLIC_WEEKDAY = {form: WEEKDAYS[i] for i, forms in enumerate(CYRILLIC_WEEKDAYS) for form in forms}
_CYRILLIC_WEEKDAY_RE = re.compile(
    r"(?<!\w)(?:(минулого|минулої|минулий|прошлый|прошлую|прошлой|наступного|следующий)\s+)?("
    + "|".join(sorted(_CYRILLIC_WEEKDAY, key=len, reverse=True))
    + r")(?!\w)",
    re.I,
)
_AGO_RE = re.compile(r"\b(\d+|a|one|two|three|four|five|six|seven)\s+(day|week|month)s?\s+ago\b", re.I)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_RELATIVE = [
    (re.compile(r"\byesterday\b|(?<!\w)(?:вчора|вчера)(?!\w)", re.I), -1, -1, "day"),
    (re.compile(r"(?<!\w)(?:позавчора|позавчера)(?!\w)", re.I), -2, -2, "day"),
    (re.compile(r"(?<!\w)(?:сьогодні|сегодня|вночі|ночью|ранком|утром)(?!\w)", re.I), 0, 0, "day"),
    (
        re.compile(
            r"\b(?:today|tonight|this (?:morning|afternoon|evening)|earlier today|overnight|hours (?:after|before|earlier|later))\b",
            re.I,
        ),
        0,
        0,
        "day",
    ),
    (re.compile(r"\btomorrow\b", re.I), 1, 1, "day"),
    (re.compile(r"\b(?:earlier )?this week\b", re.I), None, 0, "week"),
    (re.compile(r"\blast week\b", re.I), -13, -7, "week"),
    (re.compile(r"\b(?:less than )?a fortnight (?:before|earlier|ago)\b", re.I), -14, 0, "interval"),
    (re.compile(r"\b(?:a few|several) days (?:before|earlier|ago)\b", re.I), -7, -1, "interval"),
    (re.compile(r"\blast month\b", re.I), -60, -1, "month"),
]


@dataclass(frozen=True)
class When:
    start: date | None
    end: date | None
    precision: str  # day, week, month, interval, reported (the article's date), undated
    phrase: str | None = None

    @property
    def undated(self) -> bool:
        return self.start is None


UNDATED = When(None, None, "undated")


# Words that open another clause: a time word beyond them belongs to another event
# ("... continue their takeover of Kyiv, after ... since Putin launched an invasion on Thursday").
_CLAUSE_RE = re.compile(r"\b(?:since|after|before|when|while|until|because|which|who)\b", re.I)


def resolve_when(sentence: str, published: date | None, anchor: int | None = None) -> When:
    """The time a sentence refers to, as an interval resolved against ``published``.

    With ``anchor`` (the offset of the event's trigger), the time words nearest to it
    are used, but not across a clause boundary such as "since" or "after".
    """
    if anchor is not None:
        sentence = _clause(sentence, anchor)
    try:
        return _resolve(sentence, published)
    except OverflowError:  # "99999 days ago", or an article dated at the edge of the calendar
        return When(published, published, "reported") if published else UNDATED


def _resolve(sentence: str, published: date | None) -> When:
    absolute = _absolute(sentence, published)
    if absolute is not None:
        return absolute
    if published is None:
        return UNDATED
    found = []
    for pattern, start, end, precision in _RELATIVE:
        match = pattern.search(sentence)
        if match:
            found.append((match.start(), match.group(), start, end, precision))
    match = _WEEKDAY_RE.search(sentence)
    if match:
        found.append((match.start(), match.group(2), "weekday", match.group(1), "day"))
    match = _CYRILLIC_WEEKDAY_RE.search(sentence)
    if match:
        qualifier = match.group(1)
        if qualifier:
            qualifier = "last" if qualifier.lower().startswith(("мину", "прош")) else "next"
        found.append((match.start(), match.group(2), "weekday", qualifier, "day"))
    match = _AGO_RE.search(sentence)
    if match:
        found.append((match.start(), match.group(), "ago", match, "day"))
    if not found:
        return When(published, published, "reported")
    _, phrase, start, end, precision = min(found, key=lambda f: f[0])
    if start == "weekday":
        return _weekday(phrase, end, published)
    if start == "ago":
        amount = _NUMBERS.get(end.group(1).lower()) or int(end.group(1))
        unit = end.group(2).lower()
        days = {"day": 1, "week": 7, "month": 30}[unit] * amount
        day = published - timedelta(days=days)
        return When(day, day, "day" if unit == "day" else unit, phrase)
    if start is None:  # this week: from Monday
        start = -published.weekday()
    if precision == "month" and phrase.lower() == "last month":
        last = published.replace(day=1) - timedelta(days=1)
        return When(last.replace(day=1), last, "month", phrase)
    return When(published + timedelta(days=start), published + timedelta(days=end), precision, phrase)


def _weekday(name: str, qualifier: str | None, published: date) -> When:
    target = WEEKDAYS.index(_CYRILLIC_WEEKDAY.get(name.lower(), name.lower()))
    back = (published.weekday() - target) % 7
    qualifier = (qualifier or "").lower()
    if qualifier == "next":
        day = published + timedelta(days=(target - published.weekday()) % 7 or 7)
    elif qualifier == "last":
        day = published - timedelta(days=back or 7)
    else:
        day = published - timedelta(days=back)  # news tells of the past: the latest such day
    return When(day, day, "day", name)


def _absolute(sentence: str, published: date | None) -> When | None:
    for pattern in DATELINE_RES:
        match = pattern.search(sentence)
        if match:
            day = _first_date(match.group())
            if day:
                return When(day, day, "day", match.group())
    for pattern, day_group, month_group in ((_DAY_MONTH_RE, 1, 2), (_MONTH_DAY_RE, 2, 1)):
        match = pattern.search(sentence)
        if match and published is not None:
            try:
                month = MONTHS[match.group(month_group).lower().rstrip(".")]
                day = date(published.year, month, int(match.group(day_group)))
            except (KeyError, ValueError):
                continue
            if day > published + timedelta(days=7):
                day = day.replace(year=day.year - 1)  # "24 December" read in January
            return When(day, day, "day", match.group())
    return None


def _clause(sentence: str, anchor: int) -> str:
    """The part of ``sentence`` around ``anchor`` between clause-opening words."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_RE.finditer(sentence):
        if match.end() <= anchor:
            start = match.start()
        elif match.start() > anchor:
            end = match.start()
            break
    return sentence[start:end]
