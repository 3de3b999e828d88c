"""Extract events from an article, sentence by sentence.

An event is what happened (type and sub-type, from the trigger rules in
``gazetteer/event_rules.toml``), when (resolved against the article's date), where (one
place, chosen by the rules below and stored with the reason), who (the actors), the
fatalities if stated, and the quote with its offsets.

Where an event happened, in order:
1. a place refined by a spatial phrase in the sentence ("at the Pripyat river on the
   border north of Chernobyl");
2. the place the sentence puts after a preposition of place ("in", "at", "on", "to",
   "near"...), nearest the trigger;
3. the most specific place in the sentence (a town before a region, a region before a
   border, river or country), nearest the trigger;
4. in a short report (a title, a headline, a post, a note), the place the report names:
   its location line or dateline ("Bakhmut.", "KHARKIV, Ukraine —"), else its only place
   below the country; this also replaces a country or a region the sentence names when
   the report's place lies inside it;
5. otherwise the place, or the country, the article is mainly about.
Demonyms ("Ukrainian officials") are actors, never the location.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

import shapely

from geo.events.articles import Article
from geo.events.boilerplate import boilerplate_spans
from geo.events.classify import SUB_TYPES, WORD_RE, TypeModel, event_type_of, shipped_types
from geo.events.dates import When, resolve_when
from geo.events.detect import IncidentModel, is_report, shipped_detector
from geo.events.locate import shipped_model
from geo.events.merge import merge_within
from geo.events.record import VIOLENT, Event, MentionRef, Source
from geo.events.rules import Rule, load_rules
from geo.gazetteer.names import has_cyrillic
from geo.gazetteer.place import POPULATED_KINDS, Place
from geo.parse.pipeline import Geoparser
from geo.parse.resolve import Resolved

SENTENCE_RE = re.compile(r"[^\n.!?]+(?:[.!?]+[\"”’']?|\n|$)")
ABBREVIATION_END = re.compile(r"\b(?:[Nn]o|St|Ave|Obl|Gen|Lt|Col|Sgt|Maj|Capt|Dr|Mr|Mrs|Ms|Mt|vul)\.$")
# "in Kharkiv", "at the border", "on the outskirts of Kyiv", "in the southern Belarusian city of Gomel"
PLACE_PREPOSITIONS = re.compile(
    r"\b(?:in|at|on|near|to|into|towards?|outside|from|across|around|over|along)\s+(?:the\s+)?"
    r"(?:(?:\w+\s+){0,3}(?:city|town|village|capital|region|province|outskirts|suburbs?|streets|centre|center)\s+of\s+)?$",
    re.I,
)
OPINION_RE = re.compile(
    r"\b(?:I|we)\s+(?:do not|don't|really|)\s*(?:really\s+)?(?:believe|think|hope|feel|want|doubt)\b", re.I
)
FATALITIES_RE = re.compile(
    r"\b(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens of|hundreds of)\s+"
    r"(?:\w+\s+){0,2}(?:people|civilians|soldiers|troops|persons|children|fighters|Ukrainians|Russians)\s+"
    r"(?:\w+\s+){0,3}(?:killed|died|dead)\b",
    re.I,
)
KILLED_RE = re.compile(  # "killed 12 civilians", "killing at least five people"
    r"\b(?:killed|killing|claimed the lives of)\s+(?:at least\s+|some\s+|about\s+)?"
    r"(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+){0,2}"
    r"(?:people|civilians|soldiers|troops|persons|children|fighters|residents)\b",
    re.I,
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}  # fmt: skip
FORCES_RE = re.compile(r"^\s+(?:troops|forces|military|army|soldiers|delegation|diplomats)\b", re.I)
SPECIFICITY = {"capital": 0, "city": 0, "town": 0, "village": 0, "district": 1, "region": 2, "lake": 3,
               "physical_region": 3, "mountain": 1, "border": 4, "river": 4, "sea": 5, "country": 6,
               "continent": 7}  # fmt: skip


BACKGROUND = "Strategic developments"
DISPLACEMENT = "Displacement"
# Before a trigger in its clause: a denial, a negation, a condition, a threat or a plan.
# "Russia denied shelling", "no missiles would carry out strikes", "if there was a chance
# to end the war", "threatened to strike": said, not done.
NEGATION_RE = re.compile(
    r"\b(?:not|no|never|denied|denies|deny|denying|without|if|unless|would|could|might|should|"
    r"threat(?:en|ens|ened) to|warn(?:s|ed)? (?:of|that)|plan(?:s|ned)? to|planning to|ready to|"
    r"will|won't|wouldn't|can't|cannot|refused to|ruled out|rejected|"
    # wishes, proposals and demands: "wants talks", "a proposal to hold the talks"
    r"wants?|wanted|proposals?|proposed|offer(?:s|ed)? to|ready for|hopes?|hoped|aims? to|intends? to|"
    r"call(?:s|ed)? for|urg(?:e|es|ed)|demand(?:s|ed)?)\b[^,;:]*$",
    re.I,
)
NEGATION_WINDOW = 60  # characters before the trigger


def _negated(sentence: str, at: int) -> bool:
    """Is the trigger at ``at`` denied, negated, conditional or only threatened?"""
    before = sentence[max(0, at - NEGATION_WINDOW) : at]
    return NEGATION_RE.search(before) is not None


# How much surer the model must be of a type the triggers do not allow to overrule them;
# chosen by 5-fold cross-validation on the CASE snippets (0.05: 0.808, 0.1: 0.810,
# 0.15: 0.817, 0.2: 0.808, 0.3: 0.798), see BENCHMARKS.md.
OVERRULE_MARGIN = 0.15
# The model may call a sentence a protest or a riot only if some word says there was a crowd
# (a phone call is no protest); 5-fold 0.817 -> 0.819.
CROWD_TYPES = ("Protests", "Riots")
CROWD_RE = re.compile(
    r"protest|demonstrat|rall(?:y|ies)|march|riot|strike|sit-in|picket|crowd|mob\b|unrest|clash"
    r"|протест|мітинг|митинг|демонстра",
    re.I,
)
# How much surer the type model must be that a sentence no trigger matches is a crime, a
# disaster or an attribution to veto the detector: this margin plus the detector's own
# probability. The type model learned "damage" and "fire" from 496 snippets, where war
# damage is a strike's ("Damaged hospital in Izium": 0.67 surer of a man-made disaster,
# detector 0.45, kept; "A man robbed a bank in Kyiv.": 0.68 surer of a crime, detector
# 0.08, vetoed). Chosen on the held-out sweep in BENCHMARKS.md.
NONE_MARGIN = 0.3
# A line of a short report up to this long is read with the report threshold; a longer
# sentence (a snippet of news) with the article's: CASE 0.766 -> 0.784, titles unchanged.
REPORT_LINE_CHARS = 150
# Triggers that name a weapon of war: the type model's "no event" (a fire, damage) never
# overrules them.
WEAPONS = ("Shelling/artillery/missile attack", "Air/drone strike")
DETECT_MIN_WORDS = 3  # "Euromaidan Press", "#WarinUkraine", a bare place name: no incident told
CONTEXT_CHARS = 400  # of the paragraph after the sentence, read with it for its type


def _paragraph_around(text: str, start: int, end: int) -> str:
    """The sentence with the rest of its paragraph after it (up to CONTEXT_CHARS): "The
    vehicle was struck by a long-range missile" says what the attack before it was."""
    stop = text.find("\n", end)
    stop = len(text) if stop == -1 else stop
    return text[start : min(stop, end + CONTEXT_CHARS)]


def _adds_casualties(
    event: Event, when: When, previous: Event, in_sentence: list[Resolved], text: str, start: int
) -> bool:
    """Does this sentence only add the toll of the incident just told ("3 civilians were
    killed" after a shelling), naming no place and no other day of its own?"""
    located = [r for r in in_sentence if r.role == "location" and r.place.kind != "country"]
    return (
        event.fatalities is not None
        and not located
        and previous.event_type in VIOLENT
        and event.event_type in (previous.event_type, "Violence against civilians")
        and _same_paragraph(text, previous.sources[-1]["end"], start)
        and (when.precision == "reported" or event.date_start == previous.date_start)
    )


# A tally of the dead so far ("At least 240 Ukrainians have died", "more than 400,000
# people have been killed since 2011"): no incident of its own.
RUNNING_TOLL_RE = re.compile(
    r"\b(?:at least|more than|over|nearly|almost|some|about|around)\s+[\d,.]+(?:\s+(?:thousand|million))?"
    r"(?:\s+[\w’'-]+){0,3}?\s+(?:have|has|had)\s+(?:died|been killed|perished|lost their lives)",
    re.I,
)


def _running_toll(sentence: str, in_sentence: list[Resolved]) -> bool:
    """A running tally of deaths that names no place below the country, the sentence's
    only news."""
    located = [
        r for r in in_sentence if r.role == "location" and r.place.kind not in ("country", "continent")
    ]
    return not located and RUNNING_TOLL_RE.search(sentence) is not None


def main_event(events: list[Event], area_of: Callable[[float, float], str | None] | None = None,
               places: list[tuple[float, float]] = ()) -> Event | None:  # fmt: skip
    """The event an article is mainly about: among those placed below the country, one
    in the area (``area_of``: a first-level region) the article's places are most often
    in, told most often, the earliest of equals; else the first event. ``places`` are the
    (lat, lon) of every place the article names below its countries; without them the
    events' own places vote."""
    located = [e for e in events if e.latitude is not None and e.geo_precision != "country"]
    if not located:
        return events[0] if events else None
    area_of = area_of or (lambda lat, lon: f"{lat:.0f},{lon:.0f}")
    votes = Counter(
        area_of(lat, lon) for lat, lon in (places or [(e.latitude, e.longitude) for e in located])
    )
    votes.pop(None, None)
    return max(located, key=lambda e: (votes.get(area_of(e.latitude, e.longitude), 0), len(e.sources),
                                       -events.index(e)))  # fmt: skip


@dataclass
class EventExtractor:
    """Article in, events out: geoparse, split sentences, match triggers, place, date."""

    geoparser: Geoparser
    rules: list[Rule] = field(default_factory=load_rules)
    # "reports" (the default): the learned locator of geo.events.locate in short reports,
    # where it measures better (monitor titles within 25 km 0.752 against 0.741), the place
    # rules of the module docstring in articles, where it does not (FA-KES 0.583 against
    # 0.587). "rules" or "model": one of them everywhere.
    locator: str = "reports"
    # "model": event types from the learned classifier of geo.events.classify (5-fold
    # accuracy 0.82 on CASE 2021 snippets, against 0.41 for the rules' first type);
    # "rules": the type of the first matching trigger rule.
    types: str = "model"
    type_model: TypeModel | None = None  # another model than the shipped one (k-fold training)
    # The incident detector (geo.events.detect) reads the sentences no trigger rule matches.
    detect: bool = True
    detector: IncidentModel | None = None  # another detector than the shipped one (k-fold)

    def extract(self, article: Article) -> list[Event]:
        """One event per sentence that reports one (the incident, with its casualties),
        none from boilerplate, statements, denials, conditionals or negations; the same
        incident told again in the article merges into one event with every quote."""
        text = article.text
        resolved = sorted(self.geoparser.parse(text), key=lambda r: r.mention.start)
        starts = [r.mention.start for r in resolved]
        focus = _focus_place(resolved) or _focus_country(resolved)
        skipped = boilerplate_spans(text)
        spans = list(sentences(text))
        short = is_report(text, len(spans))
        report = _report_place(text, resolved) if short else None
        events: list[Event] = []
        for start, end in spans:
            if any(a <= start < b for a, b in skipped):
                continue  # "Your donation allows us to...", "Read more", a photo caption
            sentence = text[start:end]
            if OPINION_RE.search(sentence):
                continue  # "I do not really believe in the outcome": a statement, not an event
            found = list(self._triggers(sentence))
            triggers = [(rule, m) for rule, m in found if not _negated(sentence, m.start())]
            context = _paragraph_around(text, start, end)
            if found:
                typed = self._typed(sentence, triggers, context)
            else:  # no verb of war: "Damaged hospital in Izium", "Russian convoy near Popasna"
                typed = self._detected(sentence, context, short)
            if typed is None:
                continue
            in_sentence = resolved[bisect_left(starts, start) : bisect_left(starts, end)]
            previous = events[-1] if events else None
            event, when = self._event(article, *typed, start, sentence, in_sentence, report or focus, previous, short)
            if previous is not None and _adds_casualties(event, when, previous, in_sentence, text, start):
                previous.fatalities = previous.fatalities or event.fatalities  # never counted twice
                previous.sources.append(event.sources[0])
                continue
            if _running_toll(sentence, in_sentence):
                continue  # "At least 240 Ukrainians have died, according to the UN": a tally
            events.append(event)
        country_only = [e for e in events if e.geo_precision == "country"]
        region = self._focus_region(resolved) if country_only else None  # point-in-area tests cost
        if region is not None:
            for event in country_only:
                if event.country == region[0].country:
                    _to_region(event, *region)
        return merge_within(events)

    def _focus_region(self, resolved: list[Resolved]) -> tuple[Place, int, int] | None:
        """The first-level region most of the article's places below the country are in
        (at least REGION_FOCUS_MENTIONS of them and REGION_FOCUS_SHARE), with the count and
        the total; None when the places spread over several regions."""
        local = [r for r in resolved if r.role == "location" and r.place.kind not in ("country", "continent")]
        if len(local) < REGION_FOCUS_MENTIONS:
            return None
        index = self.geoparser.gazetteer.index
        region_of = {r.place.id: index.containing(*r.point, "region") for r in local}  # once a place
        regions = [region_of[r.place.id] for r in local]
        votes = Counter(p.id for p in regions if p is not None)
        if not votes:
            return None
        best, n = max(votes.items(), key=lambda item: (item[1], item[0]))
        if n < REGION_FOCUS_MENTIONS or n < REGION_FOCUS_SHARE * len(local):
            return None
        return next(p for p in regions if p is not None and p.id == best), n, len(local)

    @cached_property
    def _any_trigger(self) -> re.Pattern:
        """Every rule's triggers in one pattern: does a sentence hold any trigger at all?"""
        return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in self.rules), re.I)

    def main_event(self, article: Article, events: list[Event]) -> Event | None:
        """The event the article is mainly about (see ``main_event``), voting with every
        place the article names below the country level, by first-level region."""
        index = self.geoparser.gazetteer.index
        places = [r.point for r in self.geoparser.parse(article.text)
                  if r.role == "location" and r.place.kind not in ("country", "continent")]  # fmt: skip

        def area_of(lat: float, lon: float) -> str | None:
            region = index.containing(lat, lon, "region")
            return region.id if region is not None else None

        return main_event(events, area_of, places)

    def _typed(
        self, sentence: str, triggers: list[tuple[Rule, re.Match]], context: str
    ) -> tuple[Rule, re.Match] | None:
        """The sentence's one event type, with the trigger that says it; None if the
        sentence reports no conflict event. In English the event-type model decides
        (ACLED's definitions: shelling that kills civilians is Explosions/Remote
        violence; a flood or a robbery is no conflict event); the rules decide in other
        languages, and for Displacement, which ACLED does not code."""
        if not triggers:
            return None
        concrete = [t for t in triggers if t[0].event_type != BACKGROUND] or triggers
        model = (self.type_model or shipped_types()) if self.types == "model" else None
        first = concrete[0][0]
        if model is None or has_cyrillic(sentence) or first.own or first.event_type not in model.event_types:
            return concrete[0]  # other languages; users' own rules; Displacement, which ACLED does not code
        # The model chooses among the types the sentence's triggers allow ("blew up" is an
        # explosion, whatever else the paragraph says), unless it is surer of another
        # type, or that this is no conflict event (a flood, a robbery) by a margin.
        allowed = {r.event_type for r, _ in triggers}
        scores = model.scores(context)
        free = model.best(scores)
        predicted = model.best(scores, allowed=lambda label: event_type_of(label) in allowed)
        crowd = free.event_type not in CROWD_TYPES or CROWD_RE.search(context) is not None
        if predicted is None or (free.score - predicted.score > OVERRULE_MARGIN and crowd):
            predicted = free if crowd else None
        if predicted is None:
            return concrete[0]  # the model saw a protest where no word says there was a crowd
        if not predicted.is_event:
            weapon = next(((r, m) for r, m in concrete if r.sub_event_type in WEAPONS), None)
            return weapon  # "Damaged bus stop after shelling": damage by shelling is no accident
        rule, match = next(((r, m) for r, m in concrete if r.event_type == predicted.event_type), concrete[0])
        # What the words say of the sub-type wins ("shelled" is shelling, never a chemical
        # weapon); the model's sub-type where the trigger's type is not the model's.
        words = rule.sub_event_type if rule.event_type == predicted.event_type else ""
        return Rule(predicted.event_type, words or predicted.sub_event_type or rule.sub_event_type, rule.pattern), match

    @property
    def _detector(self) -> IncidentModel | None:
        return (self.detector or shipped_detector()) if self.detect else None

    @staticmethod
    def _report_line(sentence: str, short: bool) -> bool:
        """A line of a short report (a title, a headline), read with the report threshold."""
        return short and len(sentence.strip()) <= REPORT_LINE_CHARS

    def _detected(self, sentence: str, context: str, short: bool) -> tuple[Rule, re.Match] | None:
        """The event of a sentence no trigger rule matches, if the incident detector says it
        reports one (with the threshold of a short report or of an article's sentence): its
        type is the type model's best conflict type, its trigger the detector's anchor word.
        In an article, where most such sentences are background, only violence, and only
        when the type model's best type of all is that type: of 200 LGL articles (local
        news), the detector alone added 81 events, mostly noise ("1 dead in motorcycle
        crash"); so restricted, 3."""
        detector = self._detector
        model = (self.type_model or shipped_types()) if self.types == "model" else None
        if detector is None or model is None or has_cyrillic(sentence):
            return None  # other languages: the rules decide
        if len(WORD_RE.findall(sentence)) < DETECT_MIN_WORDS:
            return None
        probability = detector.probability(sentence)
        if probability < (detector.report_threshold if self._report_line(sentence, short) else detector.threshold):
            return None
        anchor = detector.anchor(sentence)
        if anchor is None or _negated(sentence, anchor[0]):
            return None
        scores = model.scores(context)
        crowd = CROWD_RE.search(context) is not None
        predicted = model.best(scores, allowed=lambda label: SUB_TYPES.get(label) is not None and (
            crowd or event_type_of(label) not in CROWD_TYPES))  # fmt: skip
        free = model.best(scores)
        if predicted is None or (not free.is_event and free.score - predicted.score > NONE_MARGIN + probability):
            return None  # a crime, a disaster, an attribution: no conflict event
        if not self._report_line(sentence, short) and (
            free.event_type != predicted.event_type or predicted.event_type not in VIOLENT
        ):
            return None  # in an article, only violence the type model also sees first (see BENCHMARKS.md)
        pattern = re.compile(re.escape(sentence[anchor[0] : anchor[1]]))
        return Rule(predicted.event_type, predicted.sub_event_type or "", pattern), pattern.search(sentence, anchor[0])

    def _triggers(self, sentence: str) -> Iterator[tuple[Rule, re.Match]]:
        """The first matching rule of each event type, outside quotation marks."""
        if self._any_trigger.search(sentence) is None:
            return  # most sentences: one pass of one pattern instead of one per rule
        seen = set()
        quoted = _quoted_spans(sentence)
        for rule in self.rules:
            if rule.event_type in seen:
                continue
            for match in rule.pattern.finditer(sentence):
                if not any(a <= match.start() < b for a, b in quoted):
                    seen.add(rule.event_type)
                    yield rule, match
                    break

    def _event(
        self, article, rule, match, offset, sentence, in_sentence, focus, previous, short=False
    ) -> tuple[Event, When]:
        trigger_at = offset + match.start()
        when = resolve_when(sentence, article.published, anchor=match.start())
        quote_start = offset + (len(sentence) - len(sentence.lstrip()))
        quote_end = offset + len(sentence.rstrip())
        event = Event(
            event_type=rule.event_type,
            sub_event_type=rule.sub_event_type,
            date_start=when.start.isoformat() if when.start else None,
            date_end=when.end.isoformat() if when.end else None,
            time_precision=when.precision,
            notes=sentence.strip(),
            trigger=match.group(),
            sources=[_source(article, sentence.strip(), quote_start, quote_end)],
            mentions=[
                MentionRef(
                    article_id=article.id,
                    start=r.mention.start,
                    end=r.mention.end,
                    surface=r.mention.text,
                    gazetteer_id=r.place.id,
                )
                for r in in_sentence
            ],  # fmt: skip
        )
        _choose_location(event, article.text, (quote_start, quote_end), in_sentence, trigger_at, focus, previous,
                         use_model=self.locator == "model" or (self.locator == "reports" and short))  # fmt: skip
        event.actor1, event.actor2 = _actors(article.text, in_sentence, trigger_at)
        event.fatalities = event.sources[0]["fatalities"] = _fatalities(sentence)
        return event, when


def _source(article: Article, quote: str, start: int, end: int) -> Source:
    return Source(
        article_id=article.id, quote=quote, start=start, end=end, title=article.title,
        publisher=article.source, url=article.url,
        published=article.published.isoformat() if article.published else None, language=article.language,
    )  # fmt: skip


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence: split at . ! ? and line breaks, not after an
    abbreviation ("school no. 12", "Metrobudivnykiv St. in Kharkiv", "Gen. Zaluzhnyi")."""
    start = None
    for match in SENTENCE_RE.finditer(text):
        if not match.group().strip():
            continue
        start = match.start() if start is None else start
        abbreviation = ABBREVIATION_END.search(match.group())
        after = text[match.end() : match.end() + 2]
        if abbreviation and after[:1] == " " and (after[1:].isdigit() or abbreviation.group().lower() != "no."):
            continue
        yield start, match.end()
        start = None
    if start is not None:
        yield start, len(text)


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[“\"][^”\"]*[”\"]", sentence)]


def choose_place(
    text: str, quote: tuple[int, int], mentions: list[Resolved], trigger: tuple[int, int]
) -> tuple[Resolved, str] | None:
    """The place the sentence ``quote`` gives for the event whose trigger spans ``trigger``,
    and why; None when the sentence does not say where (rules 1-4 of the module docstring)."""
    trigger_at, trigger_end = trigger
    words = text[trigger_at:trigger_end]
    clause_start, clause_end = _clause_bounds(text, *quote, trigger_at)
    places = [r for r in mentions if r.role == "location" and clause_start <= r.mention.start < clause_end]
    refined = [r for r in places if r.spatial]
    if refined:
        chosen = min(refined, key=lambda r: abs(r.mention.start - trigger_at))
        return _described(text, chosen, places) or (chosen, f"named with a spatial phrase: {chosen.spatial}")
    objects = [r for r in places if DIRECT_OBJECT.fullmatch(text[trigger_end : r.mention.start])]
    if objects:
        return objects[0], f'what "{words}" acts on: "{text[trigger_at : objects[0].mention.end]}"'
    after_preposition = [
        r for r in places if PLACE_PREPOSITIONS.search(text[max(0, r.mention.start - 40) : r.mention.start])
    ]
    if after_preposition:
        # "talks in Gomel": the place after the trigger first, else the nearest before it
        chosen = min(
            after_preposition, key=lambda r: (r.mention.start < trigger_at, abs(r.mention.start - trigger_at))
        )
        before = text[max(0, chosen.mention.start - 40) : chosen.mention.end].split()
        return chosen, f'where the sentence puts it: "{" ".join(before[-4:])}"'
    if places:
        chosen = min(
            places, key=lambda r: (SPECIFICITY.get(r.place.kind, 3), abs(r.mention.start - trigger_at))
        )
        return chosen, f"the most specific place in the sentence ({chosen.place.kind})"
    return None


def _described(text: str, refined: Resolved, places: list[Resolved]) -> tuple[Resolved, str] | None:
    """ "Irpin near Kyiv", "Hostomel, 25 km northwest of Kyiv": the spatial phrase says
    where the place just before it is; that place, which the gazetteer knows, is the
    event's place, not a point near Kyiv."""
    phrase_start = refined.mention.end - len(refined.spatial or "")
    if text[phrase_start : refined.mention.end] != refined.spatial:
        return None
    before = [r for r in places if r.role == "location" and r.mention.end <= phrase_start
              and not text[r.mention.end : phrase_start].strip(" ,") and r.place.kind in POPULATED_KINDS]  # fmt: skip
    if not before:
        return None
    return before[-1], f"{before[-1].mention.text}, which the sentence puts {refined.spatial}"


def model_place(
    text: str, quote: tuple[int, int], mentions: list[Resolved], trigger: tuple[int, int]
) -> tuple[Resolved | None, str] | None:
    """The place the learned locator (``geo.events.locate``) picks in the sentence, with its
    reason; (None, reason) when it picks a name the gazetteer does not know; None when the
    sentence does not say where. A place refined by a spatial phrase comes first."""
    refined = [r for r in mentions if r.spatial and r.role == "location"]
    if refined:
        chosen = min(refined, key=lambda r: abs(r.mention.start - trigger[0]))
        return _described(text, chosen, mentions) or (chosen, f"named with a spatial phrase: {chosen.spatial}")
    sentence = text[quote[0] : quote[1]]
    shifted = [_shift(r, -quote[0]) for r in mentions]
    picked = shipped_model().choose(sentence, shifted, (trigger[0] - quote[0], trigger[1] - quote[0]))
    if picked is None:
        return None
    candidate, probability, scored = picked
    runner = next((f"; next: {sentence[c.start : c.end]} ({p:.2f})" for c, p in scored[1:2]), "")
    name = sentence[candidate.start : candidate.end]
    if candidate.resolved is None or candidate.resolved.role != "location":
        return (
            None,
            f'the sentence places it at "{name}" ({probability:.2f}), which the gazetteer does not know',
        )
    original = next(r for r, s in zip(mentions, shifted, strict=True) if s is candidate.resolved)
    return original, f"the model's choice: {name} ({probability:.2f}){runner}"


def _shift(item: Resolved, by: int) -> Resolved:
    """``item`` with its mention's offsets moved by ``by`` (for scoring within a sentence)."""
    mention = replace(item.mention, start=item.mention.start + by, end=item.mention.end + by)
    return replace(item, mention=mention)


def _choose_location(
    event: Event,
    text: str,
    quote: tuple[int, int],
    mentions: list[Resolved],
    trigger_at: int,
    focus,
    previous,
    use_model: bool = False,
) -> None:
    trigger = (trigger_at, trigger_at + len(event.trigger))
    found = (
        model_place(text, quote, mentions, trigger)
        if use_model
        else choose_place(text, quote, mentions, trigger)
    )
    unknown = ""
    if found is not None and found[0] is None:
        unknown, found = f"{found[1]}; ", None
    if found is not None and isinstance(focus, Report) and _within(focus.place, found[0]):
        found = focus.place, f"{found[1]}; in it, the place the report names: {focus.reason}"
    if found is not None:
        chosen, reason = found
        _place_at(event, chosen.place, chosen.point, chosen.precision, _geojson(chosen), reason)
    elif (
        previous is not None
        and previous.gazetteer_id is not None
        and (
            previous.event_type == event.event_type or {previous.event_type, event.event_type} <= set(VIOLENT)
        )
        and _same_paragraph(text, previous.sources[-1]["end"], quote[0])
    ):
        event.copy_location(previous)
        event.location_reason = f"{unknown or 'no place in the sentence: '}where the event just before happened ({previous.location})"
    elif isinstance(focus, Report):
        chosen = focus.place
        _place_at(event, chosen.place, chosen.point, chosen.precision, _geojson(chosen),
                  f"{unknown or 'no place in the sentence: '}the place the report names: {focus.reason}")  # fmt: skip
    elif isinstance(focus, Resolved):
        _place_at(event, focus.place, focus.point, focus.precision, _geojson(focus),
                  f"{unknown or 'no place in the sentence: '}the place the article is mainly about ({focus.place.name})")  # fmt: skip
    elif focus is not None:
        point = {"type": "Point", "coordinates": [round(focus.lon, 5), round(focus.lat, 5)]}
        _place_at(event, focus, (focus.lat, focus.lon), "country", point,
                  f"{unknown or 'no place in the sentence: '}the country the article is mainly about ({focus.name})")  # fmt: skip


@dataclass
class Report:
    """The place a short report names, and how it names it."""

    place: Resolved
    reason: str


# A location line or dateline: "Bakhmut.", "KHARKIV, Ukraine —", "Donetsk city:", "Uman -"
LOCATION_LINE_END = re.compile(r"\s*(?:city|town|village|region|oblast)?\s*(?:[.:;—–-]|,(?=\s*\n)|\n|$)", re.I)
LINE_START = re.compile(r"(?:^|\n)[\s\d/.:,-]*$")  # after a line break and a date or a time


def _report_place(text: str, resolved: list[Resolved]) -> Report | None:
    """The place a short report is told from: the place of a location line or dateline
    at the start of a line ("Bakhmut. Artillery hit..."; "KHARKIV, Ukraine — ..."), with
    its container; else the only place below the country it names (all its mentions of
    such places are of one place, or of one place and the region or country it is in)."""
    located = [r for r in resolved if r.role == "location"]
    for k, item in enumerate(located):
        if item.place.kind in ("country", "continent") or not LINE_START.search(text[: item.mention.start]):
            continue
        end = item.mention.end
        holder = next((r for r in located[k + 1 : k + 2] if (r.mention.start, r.mention.end) == item.mention.container), None)
        if holder is not None:
            end = holder.mention.end
        if LOCATION_LINE_END.match(text, end):
            line = text[item.mention.start : end].strip()
            return Report(item, f'its location line "{line}"')
    local = [r for r in located if r.place.kind not in ("country", "continent")]
    if not local:
        return None
    smallest = min(local, key=lambda r: SPECIFICITY.get(r.place.kind, 3))
    if all(r.place.id == smallest.place.id or _within(smallest, r) for r in local):
        return Report(smallest, f"its only place, {smallest.mention.text}")
    return None


def _within(inner: Resolved, outer: Resolved) -> bool:
    """Is ``inner`` a smaller place inside ``outer`` (a town in its region or country)?"""
    a, b = inner.place, outer.place
    if a.id == b.id or SPECIFICITY.get(a.kind, 3) >= SPECIFICITY.get(b.kind, 3):
        return False
    if b.kind == "country":
        return a.country == b.country
    if b.kind == "region":
        return a.country == b.country and (a.admin1 == b.name or b.geometry.covers(shapely.Point(a.lon, a.lat)))
    return False


def _place_at(event: Event, place: Place, point: tuple[float, float], precision: str, geometry: dict,
              reason: str) -> None:  # fmt: skip
    event.country, event.location, event.gazetteer_id = place.country, place.name, place.id
    event.admin1 = place.admin1 if place.kind not in ("region", "country") else None
    event.latitude, event.longitude = round(point[0], 5), round(point[1], 5)
    event.geo_precision, event.geometry, event.location_reason = precision, geometry, reason


DIRECT_OBJECT = re.compile(
    r"\s+(?:the\s+)?(?:(?:city|town|village|region|centre|center|outskirts)\s+of\s+)?", re.I
)
CLAUSE_MARKS = (";", ":", " — ", " – ")


def _clause_bounds(text: str, start: int, end: int, at: int) -> tuple[int, int]:
    """The part of the sentence [start, end) around ``at`` between ; : and dashes."""
    left = max(text.rfind(mark, start, at) for mark in CLAUSE_MARKS)
    right = [i for i in (text.find(mark, at, end) for mark in CLAUSE_MARKS) if i != -1]
    return (left + 1 if left != -1 else start), (min(right) if right else end)


def _same_paragraph(text: str, end: int, start: int) -> bool:
    """Nothing but one sentence break between them: the next sentence, or a caption line."""
    gap = text[end:start]
    return gap.count("\n") <= 2 and len(gap) < 200


def _geojson(item: Resolved) -> dict:
    shape = item.shape
    if shape.geom_type in ("Polygon", "MultiPolygon"):  # areas are large; keep the point
        lat, lon = item.point
        return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
    return shapely.geometry.mapping(shapely.set_precision(shape, 1e-5))


FOCUS_SHARE = 0.5  # of the mentions of places below the country
FOCUS_MENTIONS = 3
# An event the text places only at a country goes to the first-level region the article is
# about, when this many of its places below the country, and this share, lie in it.
REGION_FOCUS_MENTIONS = 3
REGION_FOCUS_SHARE = 0.6


def _to_region(event: Event, region: Place, n: int, total: int) -> None:
    point = {"type": "Point", "coordinates": [round(region.lon, 5), round(region.lat, 5)]}
    _place_at(event, region, (region.lat, region.lon), "region", point,
              f"only the country ({event.location}) where it is told; the region the article is mainly "
              f"about ({region.name}: {n} of its {total} places)")  # fmt: skip


def _focus_place(resolved: list[Resolved]) -> Resolved | None:
    """The place below the country an article is mainly about: named at least
    FOCUS_MENTIONS times and in at least half the mentions of such places (a dateline
    city and its story), in the article's main country; else None."""
    country = _focus_country(resolved)
    local = [r for r in resolved if r.role == "location" and r.place.kind not in ("country", "continent")
             and (country is None or r.place.country == country.country)]  # fmt: skip
    counts = Counter(r.place.id for r in local)
    if not counts:
        return None
    best_id, n = max(counts.items(), key=lambda item: (item[1], item[0]))
    if n < FOCUS_MENTIONS or n < FOCUS_SHARE * len(local):
        return None
    return next(r for r in local if r.place.id == best_id)


def _focus_country(resolved: list[Resolved]) -> Place | None:
    counts = Counter(r.place.id for r in resolved if r.place.kind == "country" and r.role == "location")
    if not counts:
        return None
    best_id = max(counts, key=lambda pid: (counts[pid], pid))
    return next(r.place for r in resolved if r.place.id == best_id)


def _actors(text: str, mentions: list[Resolved], trigger_at: int) -> tuple[str | None, str | None]:
    """The country or nationality before the trigger (who did it) and after it (to whom)."""
    countries = [r for r in mentions if r.place.kind in ("country", "continent")]
    before = [r for r in countries if r.mention.end <= trigger_at]
    after = [r for r in countries if r.mention.start >= trigger_at]
    actor1 = _actor_name(text, before[-1]) if before else None
    actor2 = _actor_name(text, after[0]) if after else None
    if actor1 == actor2:
        actor2 = None
    return actor1, actor2


def _actor_name(text: str, item: Resolved) -> str:
    if FORCES_RE.match(text[item.mention.end : item.mention.end + 20]):
        return f"Military Forces of {item.place.name}"
    return item.place.name


def _fatalities(sentence: str) -> int | None:
    match = FATALITIES_RE.search(sentence) or KILLED_RE.search(sentence)
    if not match:
        return None
    word = match.group(1).lower().replace(",", "")
    if word.isdigit():
        return int(word)
    return _WORD_NUMBERS.get(word)
