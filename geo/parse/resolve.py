"""Resolve mentions to places, using the whole article as context.

Each mention gets the gazetteer's ranked candidates. Then the article pulls ambiguous
names towards itself: a candidate gains when it lies in a country the article names,
when it is near the places the other mentions resolve to, when the article names the
same place elsewhere, and when the next words name its container ("Paris, Texas"). Two
passes let confident mentions settle the doubtful ones. Weak mentions (common words,
sentence starts, acronyms, speakers) survive only with that support.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.names import normalise
from geo.gazetteer.place import POPULATED_KINDS, Candidate, Place
from geo.parse.recognise import Mention

COUNTRY_BONUS = 0.3  # × the share of the article's country mentions
NEAR_BONUS = 0.35  # × exp(-km / NEAR_KM) to the nearest other resolved place
NEAR_KM = 250.0
SAME_PLACE_BONUS = 0.25  # the article names this very place elsewhere
CONTAINER_BONUS = 0.5  # "Paris, Texas"
NOTABLE_REGION = 0.64  # a first-level region of about 30,000 km² or more (Kharkiv Oblast, Ohio)
NOTABLE = 0.7  # importance from which a weak mention needs no support (states, cities of 400,000)
TINY = 0.47  # importance below which (villages under about 5,000) a place needs a neighbour
TINY_KM = 150.0  # ... this close
SUPPORT_KM = 600.0
AREA_KINDS = ("country", "continent", "sea", "region")
TRANSLATED_AREAS = ("region", "district", "physical_region", "lake", "river", "sea", "mountain")
SUPPORT_SHARE = 0.1  # a country with at least this share of the article's country evidence
PRECISION = {
    "country": "country", "region": "region", "border": "border", "river": "river",
    "continent": "region", "lake": "region", "sea": "region", "physical_region": "region",
    "mountain": "exact",
}  # fmt: skip


@dataclass
class Resolved:
    """A mention resolved to a place, with its geometry, precision, confidence and why."""

    mention: Mention
    place: Place
    score: float
    confidence: float
    reason: str
    runners_up: list[Candidate] = field(default_factory=list)
    geometry: BaseGeometry | None = None  # set when a spatial phrase refines the place
    precision: str = ""
    spatial: str | None = None  # the spatial phrase applied, e.g. "north of Chernobyl"

    @property
    def role(self) -> str:
        return self.mention.role

    @property
    def shape(self) -> BaseGeometry:
        return self.geometry if self.geometry is not None else self.place.geometry

    @property
    def point(self) -> tuple[float, float]:
        if self.geometry is not None:
            point = (
                self.geometry.representative_point() if self.geometry.geom_type != "Point" else self.geometry
            )
            return (point.y, point.x)
        return self.place.point


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km (a fast sphere, for ranking; reported distances are geodesic)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def precision_of(place: Place) -> str:
    return PRECISION.get(place.kind, "exact")


@dataclass
class _Entry:
    mention: Mention
    candidates: list[Candidate]
    scores: list[float]
    best: int = 0
    support: list[str] = field(default_factory=list)


def resolve_mentions(
    mentions: Sequence[Mention],
    gazetteer: Gazetteer,
    *,
    limit: int = 8,
    keep_all: bool = False,
    home: str | None = None,
) -> list[Resolved]:
    """Resolve every mention; drop those that turn out not to be places (unless
    ``keep_all``: the spans are known to be places, as in an evaluation with gold spans).
    ``home`` is the country the text's own language belongs to (Ukrainian: UA): it
    counts as one more mention of that country, so "під Токмаком" in Ukrainian is the
    Ukrainian town, not Tokmok in Kyrgyzstan, while places the text ties elsewhere
    keep their country."""
    entries = []
    for mention in mentions:
        if mention.place_id:
            candidates = [_implied_candidate(mention, gazetteer)]
        else:
            candidates = _candidates(mention, gazetteer, limit)
        if candidates:
            entries.append(_Entry(mention, candidates, [c.score for c in candidates]))
    by_span = {(e.mention.start, e.mention.end): e for e in entries}
    entries = [e for e in entries if _within_container(e, by_span, gazetteer, keep_all)]
    for _ in range(2):
        context = _Context(entries, home)
        for i, entry in enumerate(entries):
            container = by_span.get(entry.mention.container) if entry.mention.container else None
            entry.scores = [_context_score(c, i, context, container) for c in entry.candidates]
            entry.best = _choose(entry, container)
    context = _Context(entries, home)
    resolved = []
    for i, entry in enumerate(entries):
        result = _decide(entry, i, context, keep_all)
        if result is not None:
            resolved.append(result)
    return resolved


def _candidates(mention: Mention, gazetteer: Gazetteer, limit: int) -> list[Candidate]:
    """The gazetteer's candidates for the mention's name and its other readings, best first."""
    found = {}
    for form in (mention.name or mention.text, *mention.forms):
        for candidate in gazetteer.lookup(
            form, kind=mention.kind_hint, country=mention.country_hint, limit=limit
        ):
            if candidate.place.id not in found or found[candidate.place.id].score < candidate.score:
                found[candidate.place.id] = candidate
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.place.id))
    return ranked[:limit] if mention.forms else list(found.values())


def _within_container(entry: _Entry, by_span: dict, gazetteer: Gazetteer, keep_all: bool) -> bool:
    """ "Oleksandrivka, Kherson Oblast": the homonyms inside the named region or country
    join the candidates (Ukraine has dozens of Oleksandrivkas, more than the lookup's
    limit), and a town with none there is dropped (False), never put at a homonym
    abroad: the event falls back to the region the text names."""
    holder = by_span.get(entry.mention.container) if entry.mention.container else None
    if holder is None or entry.mention.place_id or holder.candidates[0].place.kind not in ("region", "country"):
        return True
    areas = [c.place for c in holder.candidates if c.place.kind in ("region", "country")]
    if not all(c.place.kind in POPULATED_KINDS for c in entry.candidates):
        return True  # "Poland, Ukraine", "Kharkiv Oblast, Donetsk Oblast": a list of areas
    have = {c.place.id for c in entry.candidates}
    inside = [c for c in _candidates(entry.mention, gazetteer, None)
              if c.place.id not in have and any(_contains(area, c.place) for area in areas)]  # fmt: skip
    entry.candidates += inside
    entry.scores += [c.score for c in inside]
    held = any(any(_contains(area, c.place) for area in areas) for c in entry.candidates)
    return held or keep_all or any(c.place.source == "user" for c in entry.candidates)


def _implied_candidate(mention: Mention, gazetteer: Gazetteer) -> Candidate:
    """The one candidate of a word that implies a place ("Харківщина": Kharkiv Oblast)."""
    place = gazetteer.get(mention.place_id)
    why = f"'{mention.text}' is said of {place.name}"
    match = "adjective" if place.kind == "country" else "implied"  # a country's adjective: an actor
    return Candidate(place, 1.0, mention.text, match, lambda: [why])


HOME_WEIGHT = 0.5  # the text's language counts as much as one town named in its country


class _Context:
    """What the article as a whole says: its countries and its confidently placed mentions."""

    def __init__(self, entries: list[_Entry], home: str | None = None) -> None:
        self.entries = entries
        self.by_span = {(e.mention.start, e.mention.end): e for e in entries}
        # Country evidence per surface form: a name repeated five times must not
        # vote for its own country five times.
        self.surfaces = [normalise(e.mention.text) for e in entries]
        self.by_surface: dict[str, Counter[str]] = {}
        for surface, entry in zip(self.surfaces, entries, strict=True):
            self.by_surface.setdefault(surface, Counter()).update(_country_contribution(entry))
        self.countries: Counter[str] = Counter()
        for contribution in self.by_surface.values():
            self.countries.update(contribution)
        if home:
            self.countries[home] += HOME_WEIGHT
        self.anchors = [(i, e.candidates[e.best].place) for i, e in enumerate(entries) if _is_anchor(e)]
        # Only firm mentions count: a repeated common word must not support itself.
        self.chosen = Counter(e.candidates[e.best].place.id for e in entries if not e.mention.weak)

    def country_share(self, i: int, code: str) -> float:
        """The share of the article's country evidence for ``code``, leaving mention i out."""
        own = self.by_surface[self.surfaces[i]]
        total = sum(self.countries.values()) - sum(own.values())
        return (self.countries.get(code, 0.0) - own.get(code, 0.0)) / total if total > 0 else 0.0

    def container_of(self, entry: _Entry) -> Place | None:
        if entry.mention.container is None:
            return None
        holder = self.by_span.get(entry.mention.container)
        return holder.candidates[holder.best].place if holder is not None else None

    def held_by(self, entry: _Entry) -> Place | None:
        """For the "Belarus" of "Gomel, Belarus": the place resolved for "Gomel"."""
        if not entry.mention.contained:
            return None
        span = (entry.mention.start, entry.mention.end)
        for other in self.entries:
            if other.mention.container == span:
                return other.candidates[other.best].place
        return None

    def has_countries(self, i: int) -> bool:
        """Does the rest of the article (leaving mention i out) name any country?"""
        own = self.by_surface[self.surfaces[i]]
        return any(n - own.get(c, 0.0) > 0 for c, n in self.countries.items())

    def others(self, i: int, place: Place) -> list[Place]:
        return [p for j, p in self.anchors if j != i and p.id != place.id]

    def named_elsewhere(self, i: int, place: Place) -> bool:
        entry = self.entries[i]
        own = 1 if not entry.mention.weak and entry.candidates[entry.best].place.id == place.id else 0
        return self.chosen.get(place.id, 0) - own > 0


def _country_contribution(entry: _Entry) -> dict[str, float]:
    place = entry.candidates[entry.best].place
    if place.kind == "country" and place.country:
        return {place.country: 0.5 if entry.mention.role == "actor" or _is_adjective(entry) else 1.0}
    if place.country and not entry.mention.weak:
        return {place.country: 0.5}
    return {}


def _is_adjective(entry: _Entry) -> bool:
    return entry.candidates[entry.best].match == "adjective"


def _choose(entry: _Entry, container: _Entry | None) -> int:
    """The best candidate after context, except that context alone never turns a
    country, continent, sea or first-level region into a small town of the same name
    ("China" in an American paper is not China, Maine), unless the text says so
    ("China, Maine")."""
    order = sorted(range(len(entry.scores)), key=lambda k: (-entry.scores[k], k))
    best = entry.candidates[order[0]].place
    small_town = best.kind in ("town", "village", "city") and best.importance < NOTABLE
    held = container is not None and _contains(container.candidates[container.best].place, best)
    if small_town and not held:
        for k in order[1:]:
            candidate = entry.candidates[k]
            if candidate.place.kind in AREA_KINDS and candidate.match == "primary":
                return k
    if best.kind == "region" and entry.mention.kind_hint is None:
        city = _eponymous_city(entry, best, order)
        if city is not None:
            return city
    return order[0]


EPONYMOUS_POPULATION = 50_000


def _eponymous_city(entry: _Entry, region: Place, order: list[int]) -> int | None:
    """A region named after its city ("Kherson", "Kharkiv", "Donetsk") means the city
    unless the text says region, oblast or province: the candidate that is a city of
    EPONYMOUS_POPULATION or more inside the region and of its name, if there is one."""
    for k in order[1:]:
        place = entry.candidates[k].place
        if (
            place.kind in POPULATED_KINDS
            and (place.population or 0) >= EPONYMOUS_POPULATION
            and place.country == region.country
            and normalise(entry.candidates[k].matched_name)
            == normalise(entry.candidates[order[0]].matched_name)
            and region.geometry.distance(place.geometry) <= 0.1  # inside, or on its edge (a river bank)
        ):
            return k
    return None


def _is_anchor(entry: _Entry) -> bool:
    """A mention confident enough to pull others: not weak, and a clear winner."""
    place = entry.candidates[entry.best].place
    if entry.mention.weak and place.importance < NOTABLE:
        return False
    if place.kind in ("continent", "country", "border", "river", "sea"):
        return False  # too large to say where the article is
    order = sorted(range(len(entry.scores)), key=lambda k: -entry.scores[k])
    if len(order) == 1 or entry.scores[order[0]] - entry.scores[order[1]] >= 0.1:
        return True
    # A close runner-up in the same spot (Gomel and Gomel Region) is no ambiguity.
    return _km(place.point, entry.candidates[order[1]].place.point) <= 150


def _context_score(candidate: Candidate, i: int, context: _Context, container: _Entry | None) -> float:
    place = candidate.place
    score = candidate.score
    codes = [c for c in (place.countries or (place.country,)) if c]
    score += COUNTRY_BONUS * max([context.country_share(i, c) for c in codes] or [0.0])
    others = context.others(i, place)
    if others and place.kind not in ("country", "continent", "border"):
        nearest = min(_km(place.point, p.point) for p in others)
        score += NEAR_BONUS * math.exp(-nearest / NEAR_KM)
    if context.named_elsewhere(i, place):
        score += SAME_PLACE_BONUS
    if container is not None:
        holder = container.candidates[container.best].place
        if _contains(holder, place):
            score += CONTAINER_BONUS
    return score


def _contains(holder: Place, place: Place) -> bool:
    if holder.kind == "country":
        return place.country == holder.country
    if holder.kind == "region":
        return place.admin1 == holder.name or (
            place.country == holder.country and holder.geometry.covers(place.geometry.representative_point())
        )
    return False


def _decide(entry: _Entry, i: int, context: _Context, keep_all: bool = False) -> Resolved | None:
    mention = entry.mention
    order = sorted(range(len(entry.candidates)), key=lambda k: (k != entry.best, -entry.scores[k], k))
    best = entry.candidates[order[0]]
    place = best.place
    supported = _find_support(place, i, context, entry)
    support_reason = supported.reason
    user = place.source == "user" or keep_all
    implied = mention.place_id is not None  # "Харківщина": the word stands for the place
    # "UN", "PA": not places; "Columbia, S.C.": a state after its town is.
    state_after_town = (place.kind in ("region", "district") and mention.contained) or "." in mention.text
    if "acronym" in mention.cues and place.kind != "country" and not user and not state_after_town:
        return None
    if "speaker" in mention.cues and place.kind not in ("country", "capital", "continent") and not user:
        return None
    if mention.edits and not user and not supported and not _notable(place, supported):
        return None  # a near spelling counts for a small place only where the article supports it
    if (
        mention.weak
        and not mention.edits
        and not user
        and not supported.nearby
        and not _notable(place, supported)
    ):
        return None  # "West", "City", "Republican": common words that also name a place
    near_enough = supported.nearby and supported.km <= TINY_KM
    if place.importance < TINY and not user and not near_enough and not mention.locative and not implied:
        return None  # a surname that is also a village somewhere (Jones, Clark)
    # A small place far from everything else the article names is a misreading
    # ("Iskander missiles" is not the town in Uzbekistan).
    elsewhere = context.others(i, place) or context.has_countries(i)
    said_as_place = mention.locative or mention.kind_hint is not None or implied
    if place.importance < 0.6 and elsewhere and not supported and not user and not said_as_place:
        return None
    # An area found only by a translated name ("Interior" for Ad Dakhiliyah, "Gulf").
    if (
        place.kind in TRANSLATED_AREAS
        and best.match != "primary"
        and not supported
        and not user
        and not implied
        and len(mention.text.split()) == 1
    ):
        return None
    if best.match == "adjective" and place.kind in ("country", "continent"):
        mention.role = "actor"
    top = entry.scores[order[0]]
    runner = entry.scores[order[1]] if len(order) > 1 else None
    confidence = 0.97 if runner is None else 1.0 / (1.0 + math.exp(-8.0 * (top - runner)))
    if mention.weak:
        confidence *= 0.8
    return Resolved(
        mention=mention,
        place=place,
        score=top,
        confidence=round(confidence, 3),
        reason=_reason(entry, order, support_reason),
        runners_up=[entry.candidates[k] for k in order[1:4]],
        precision="near" if mention.facility and place.kind in POPULATED_KINDS else precision_of(place),
    )


@dataclass
class _Support:
    """Evidence from the rest of the article that a place is the one meant."""

    reason: str = ""
    nearby: bool = False  # close to another place, named elsewhere, or in its container
    km: float = 0.0  # how close, when it is a neighbour

    def __bool__(self) -> bool:
        return bool(self.reason)


def _notable(place: Place, support: _Support) -> bool:
    """Prominent enough to keep on its own: a country, a capital, a big city; a state or
    province only in a country the article is about."""
    if place.kind in ("country", "continent", "capital"):
        return True
    if place.kind == "region":
        return place.importance >= NOTABLE_REGION or bool(support)
    return place.population is not None and place.importance >= NOTABLE


def _find_support(place: Place, i: int, context: _Context, entry: _Entry) -> _Support:
    if context.named_elsewhere(i, place):
        return _Support("the article names this place elsewhere", nearby=True)
    container = context.container_of(entry)
    if container is not None and _contains(container, place):
        return _Support(f"in {container.name}, named right after it", nearby=True)
    held = context.held_by(entry)
    if held is not None and _contains(place, held):
        return _Support(f"holds {held.name}, named right before it", nearby=True)
    others = context.others(i, place) if place.kind not in ("country", "continent", "border") else []
    if others:
        nearest = min(others, key=lambda p: _km(place.point, p.point))
        km = _km(place.point, nearest.point)
        if km <= SUPPORT_KM:
            return _Support(
                f"nearest to the other places in this article ({nearest.name}, {km:,.0f} km)", True, km
            )
    for code in place.countries or (place.country,):
        if code and place.kind != "country" and context.country_share(i, code) >= SUPPORT_SHARE:
            return _Support(f"in a country this article names ({code})")
    return _Support()


def _reason(entry: _Entry, order: list[int], support_reason: str) -> str:
    best = entry.candidates[order[0]]
    place = best.place
    prefix = ""
    if entry.mention.kind_hint:
        prefix = f"named as a {entry.mention.kind_hint}; "
    if place.source == "user":
        return prefix + "user addition"
    if entry.mention.place_id:
        return best.reasons[0]
    if entry.mention.facility:
        prefix += f"the place of {entry.mention.text} {entry.mention.facility}; "
    if entry.mention.edits:
        edits = entry.mention.edits
        prefix += f"spelled like {place.name} ({edits} edit{'s' if edits > 1 else ''}); "
    if len(order) == 1:
        return prefix + "the only place with this name"
    runner = entry.candidates[order[1]].place
    gazetteer_first = entry.candidates[0].place
    if gazetteer_first.id != place.id:
        return prefix + (support_reason or "context of this article")
    if place.kind == "country" and runner.kind in ("capital", "city", "town", "village"):
        return prefix + "country beats town of the same name"
    if best.match == "primary" and entry.candidates[order[1]].match != "primary":
        return prefix + f"exact name beats the alternate name of {runner.name}"
    if support_reason and entry.scores[order[0]] - best.score > 0.05:
        return prefix + support_reason
    if place.population:
        return prefix + f"most populous place with this name ({place.population:,})"
    return prefix + f"most prominent place with this name ({place.kind})"
