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
4. otherwise the country the article is mainly about, at country precision.
Demonyms ("Ukrainian officials") are actors, never the location.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import shapely

from geo.events.articles import Article
from geo.events.dates import When, resolve_when
from geo.events.locate import shipped_model
from geo.events.merge import merge_within
from geo.events.record import Event, MentionRef, Source
from geo.events.rules import Rule, load_rules
from geo.gazetteer.place import Place
from geo.parse.pipeline import Geoparser
from geo.parse.resolve import Resolved

SENTENCE_RE = re.compile(r"[^\n.!?]+(?:[.!?]+[\"”’']?|\n|$)")
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



@dataclass
class EventExtractor:
    """Article in, events out: geoparse, split sentences, match triggers, place, date."""

    geoparser: Geoparser
    rules: list[Rule] = field(default_factory=load_rules)
    # "rules": the place rules of the module docstring (the default). "model": the learned
    # locator of geo.events.locate, better on single sentences (5-fold F1 0.596 against
    # 0.417) but not yet checked on whole articles, so not the default.
    locator: str = "rules"

    def extract(self, article: Article) -> list[Event]:
        resolved = sorted(self.geoparser.parse(article.text), key=lambda r: r.mention.start)
        starts = [r.mention.start for r in resolved]
        focus = _focus_country(resolved)
        events: list[Event] = []
        for start, end in sentences(article.text):
            sentence = article.text[start:end]
            if OPINION_RE.search(sentence):
                continue  # "I do not really believe in the outcome": a statement, not an event
            in_sentence = resolved[bisect_left(starts, start) : bisect_left(starts, end)]
            made = [
                self._event(
                    article, rule, match, start, sentence, in_sentence, focus, events[-1] if events else None
                )
                for rule, match in self._triggers(sentence)
            ]
            if len(made) > 1:
                # "invasion" and the like are background to a concrete event, unless the
                # sentence dates them apart ("... since Putin launched an invasion on Thursday").
                concrete = [(e, w) for e, w in made if e.event_type != BACKGROUND]
                made = concrete + [
                    (e, w) for e, w in made if e.event_type == BACKGROUND and all(w != c for _, c in concrete)
                ]
            events.extend(e for e, _ in made)
        return merge_within(events)

    def _triggers(self, sentence: str) -> Iterator[tuple[Rule, re.Match]]:
        """The first matching rule of each event type, outside quotation marks."""
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

    def _event(self, article, rule, match, offset, sentence, in_sentence, focus, previous) -> tuple[Event, When]:
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
                MentionRef(article_id=article.id, start=r.mention.start, end=r.mention.end,
                           surface=r.mention.text, gazetteer_id=r.place.id)
                for r in in_sentence
            ],  # fmt: skip
        )
        _choose_location(event, article.text, (quote_start, quote_end), in_sentence, trigger_at, focus, previous,
                         use_model=self.locator == "model")  # fmt: skip
        event.actor1, event.actor2 = _actors(article.text, in_sentence, trigger_at)
        event.fatalities = _fatalities(sentence)
        return event, when


def _source(article: Article, quote: str, start: int, end: int) -> Source:
    return Source(
        article_id=article.id, quote=quote, start=start, end=end, title=article.title,
        publisher=article.source, url=article.url,
        published=article.published.isoformat() if article.published else None, language=article.language,
    )  # fmt: skip


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence: split at . ! ? and line breaks."""
    for match in SENTENCE_RE.finditer(text):
        if match.group().strip():
            yield match.start(), match.end()


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
        return chosen, f"named with a spatial phrase: {chosen.spatial}"
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
        chosen = min(places, key=lambda r: (SPECIFICITY.get(r.place.kind, 3), abs(r.mention.start - trigger_at)))
        return chosen, f"the most specific place in the sentence ({chosen.place.kind})"
    return None


def model_place(
    text: str, quote: tuple[int, int], mentions: list[Resolved], trigger: tuple[int, int]
) -> tuple[Resolved | None, str] | None:
    """The place the learned locator (``geo.events.locate``) picks in the sentence, with its
    reason; (None, reason) when it picks a name the gazetteer does not know; None when the
    sentence does not say where. A place refined by a spatial phrase comes first."""
    refined = [r for r in mentions if r.spatial and r.role == "location"]
    if refined:
        chosen = min(refined, key=lambda r: abs(r.mention.start - trigger[0]))
        return chosen, f"named with a spatial phrase: {chosen.spatial}"
    sentence = text[quote[0] : quote[1]]
    shifted = [_shift(r, -quote[0]) for r in mentions]
    picked = shipped_model().choose(sentence, shifted, (trigger[0] - quote[0], trigger[1] - quote[0]))
    if picked is None:
        return None
    candidate, probability, scored = picked
    runner = next((f"; next: {sentence[c.start:c.end]} ({p:.2f})" for c, p in scored[1:2]), "")
    name = sentence[candidate.start : candidate.end]
    if candidate.resolved is None or candidate.resolved.role != "location":
        return None, f'the sentence places it at "{name}" ({probability:.2f}), which the gazetteer does not know'
    original = next(r for r, s in zip(mentions, shifted, strict=True) if s is candidate.resolved)
    return original, f"the model's choice: {name} ({probability:.2f}){runner}"


def _shift(item: Resolved, by: int) -> Resolved:
    """``item`` with its mention's offsets moved by ``by`` (for scoring within a sentence)."""
    mention = replace(item.mention, start=item.mention.start + by, end=item.mention.end + by)
    return replace(item, mention=mention)


def _choose_location(
    event: Event, text: str, quote: tuple[int, int], mentions: list[Resolved], trigger_at: int, focus, previous,
    use_model: bool = False,
) -> None:
    trigger = (trigger_at, trigger_at + len(event.trigger))
    found = model_place(text, quote, mentions, trigger) if use_model else choose_place(text, quote, mentions, trigger)
    unknown = ""
    if found is not None and found[0] is None:
        unknown, found = f"{found[1]}; ", None
    if found is not None:
        chosen, reason = found
        _place_at(event, chosen.place, chosen.point, chosen.precision, _geojson(chosen), reason)
    elif (
        previous is not None
        and previous.gazetteer_id is not None
        and _same_paragraph(text, previous.sources[-1]["end"], quote[0])
    ):
        event.copy_location(previous)
        event.location_reason = (
            f"{unknown or 'no place in the sentence: '}where the event just before happened ({previous.location})"
        )
    elif focus is not None:
        point = {"type": "Point", "coordinates": [round(focus.lon, 5), round(focus.lat, 5)]}
        _place_at(event, focus, (focus.lat, focus.lon), "country", point,
                  f"{unknown or 'no place in the sentence: '}the country the article is mainly about ({focus.name})")  # fmt: skip


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
