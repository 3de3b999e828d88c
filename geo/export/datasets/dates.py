"""Dates in the forms event datasets write them, and whether 03/04 is the 3rd of April."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from geo.export.datasets.base import BadRow

DATE_FORMS = "2015-12-29, 29/12/2015, 21 March 2020 or 5-Aug-24"
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?)?"
_ISO = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SLASHED = re.compile(rf"(?P<a>\d{{1,2}})[/.\-](?P<b>\d{{1,2}})[/.\-](?P<y>\d{{4}}|\d{{2}}){_TIME}$")
_NAMED = re.compile(
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]+(?P<mon>[A-Za-z]{{3,}})\.?,?[\s\-/.]+(?P<y>\d{{4}}|\d{{2}}){_TIME}$"
)
_NAMED_FIRST = re.compile(
    rf"(?P<mon>[A-Za-z]{{3,}})\.?[\s\-/.]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[\s\-/.]+(?P<y>\d{{4}}){_TIME}$"
)


@lru_cache(maxsize=1 << 16)
def parse_day(value: str, day_first: bool = True) -> str | None:
    """A date as YYYY-MM-DD, in any of the forms event datasets use; None when empty.

    >>> [parse_day(v) for v in ("2015-12-29", "2015-12-29 00:00:00", "29/12/2015", "21 March 2020", "5-Aug-24")]
    ['2015-12-29', '2015-12-29', '2015-12-29', '2020-03-21', '2024-08-05']
    """
    value = value.strip()
    if not value:
        return None
    day = try_day(value, day_first)
    if day is None:
        raise BadRow(f"cannot read the date {value!r} (expected a form like {DATE_FORMS})")
    return day


def try_day(value: str, day_first: bool = True) -> str | None:
    value = value.strip()
    if match := _ISO.match(value) or _COMPACT.match(value):
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
    elif match := _SLASHED.match(value):
        a, b, y = int(match["a"]), int(match["b"]), _year(match["y"])
        d, m = (a, b) if day_first else (b, a)
    elif match := _NAMED.match(value) or _NAMED_FIRST.match(value):
        m = _MONTHS.get(match["mon"][:3].lower())
        d, y = int(match["d"]), _year(match["y"])
        if m is None or (len(match["mon"]) > 3 and not _is_month_name(match["mon"])):
            return None
    else:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december", "sept")  # fmt: skip


def _is_month_name(word: str) -> bool:
    return any(name.startswith(word.lower()) for name in _MONTH_NAMES)


def _year(text: str) -> int:
    """A two-digit year is this century's unless that is more than ten years ahead (5-Aug-24: 2024)."""
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= date.today().year + 10 else year - 100


def reads_day_first(rows: list[list[str]]) -> bool:
    """Whether 03/04/2015 is the 3rd of April: yes, unless some date like 12/29/2015 says not."""
    for cells in rows:
        for value in cells:
            match = _SLASHED.match(value.strip()) if isinstance(value, str) else None
            if match and int(match["a"]) <= 12 < int(match["b"]):
                return False
            if match and int(match["b"]) <= 12 < int(match["a"]):
                return True
    return True
