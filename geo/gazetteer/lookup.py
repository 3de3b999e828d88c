"""The gazetteer: look names up, rank homonyms, reverse-geocode, and the user's places.

>>> gaz = Gazetteer.open()                                   # doctest: +SKIP
>>> gaz.lookup("Kharkov")[0].place.name                      # doctest: +SKIP
'Kharkiv'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import shapely

from geo import config
from geo.errors import InvalidPlaceError, PlaceNotFoundError
from geo.gazetteer.build import ensure_index, is_fresh
from geo.gazetteer.names import edit_distance, has_cyrillic, normalise, transliterations
from geo.gazetteer.place import (
    KINDS,
    MATCH_NAMES,
    POPULATED_KINDS,
    Candidate,
    Place,
    distance_km,
    kind_matches,
)
from geo.gazetteer.reader import PlaceIndex, shared_index
from geo.gazetteer.sources import Sources
from geo.gazetteer.user_places import NewPlace, UserPlaces

NOTABLE_POPULATION = 100_000  # a city this big is known by name even in lower case
LONG_NAME = 9  # letters from which a spelling may be two edits off

# How much each part of the evidence weighs in a candidate's score.
MATCH_WEIGHT = {0: 1.0, 1: 0.85, 2: 0.8, 3: 0.6}
NAME_SHARE, IMPORTANCE_SHARE = 0.6, 0.4
USER_BONUS = 1.0  # the user's own places win over built-in places of the same name
COUNTRY_BONUS, KIND_BONUS, NEAR_BONUS, BBOX_BONUS = 0.3, 0.4, 0.3, 0.3
NEAR_SCALE_KM = 250.0
# Query rewrites tried when a name has no match as written.
_PREFIXES = ("city of ", "town of ", "village of ", "region of ", "province of ")
_SUFFIXES = (" city", " town", " village")


@dataclass(frozen=True)
class Hints:
    """Optional context that pulls ambiguous names towards the right place."""

    country: str | None = None
    kind: str | None = None
    near: tuple[float, float] | None = None  # (lat, lon)
    bbox: tuple[float, float, float, float] | None = None  # (south, west, north, east)

    def check(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidPlaceError(f"Unknown kind {self.kind!r}. Valid kinds: {', '.join(KINDS)}.")
        if self.country is not None and not (
            isinstance(self.country, str) and len(self.country) == 2 and self.country.isalpha()
        ):
            raise InvalidPlaceError(f"Invalid country code {self.country!r}: expected two letters, e.g. UA.")
        if self.near is not None:
            lat, lon = self.near
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidPlaceError(f"Invalid point {self.near!r}: expected (lat, lon) in range.")


_NO_HINTS = Hints()


@dataclass
class ReverseResult:
    """What is at a point: the nearest populated place, and the region and country."""

    nearest: Place | None
    distance_km: float | None
    region: Place | None
    country: Place | None

    def to_record(self) -> dict:
        """JSON-ready: the three places (without names or geometry) and the distance."""

        def brief(place: Place | None) -> dict | None:
            return place.to_record(with_names=False, with_geometry=False) if place else None

        distance = round(self.distance_km, 3) if self.distance_km is not None else None
        return {"nearest": brief(self.nearest), "distance_km": distance,
                "region": brief(self.region), "country": brief(self.country)}  # fmt: skip

    def label(self) -> str:
        parts = [p.name for p in (self.nearest, self.region, self.country) if p is not None]
        return ", ".join(dict.fromkeys(parts))


def _sources(data_dir: Path | None) -> Sources:
    """The index's sources: the built-in files and the GeoNames layers imported into
    ``data_dir``."""
    return Sources(layers_dir=config.geonames_layers_dir(data_dir))


class Gazetteer:
    """Built-in places (the SQLite index) overlaid with the user's own places."""

    def __init__(self, index: PlaceIndex, user_places: UserPlaces) -> None:
        self.index = index
        self.user_places = user_places

    @classmethod
    def open(
        cls,
        index_path: Path | None = None,
        data_dir: Path | None = None,
        *,
        build: bool = True,
        sources: Sources | None = None,
    ) -> Gazetteer:
        """Open the gazetteer, building its index first if it is missing or stale. The
        index reader is the process's shared one (``shared_index``)."""
        path = index_path or config.index_path()
        if build:
            ensure_index(path, sources or _sources(data_dir))
        return cls(shared_index(path), UserPlaces(config.user_places_path(data_dir)))

    @staticmethod
    def index_ready(index_path: Path | None = None, data_dir: Path | None = None) -> bool:
        """Whether ``open`` would find the index built and current (no build to wait for)."""
        return is_fresh(index_path or config.index_path(), _sources(data_dir))

    def close(self) -> None:
        """Close an index reader of its own; the process's shared reader stays open."""
        if self.index is not shared_index(self.index.path):
            self.index.close()

    # -- lookups --------------------------------------------------------------------------

    def lookup(
        self,
        query: str,
        *,
        country: str | None = None,
        kind: str | None = None,
        near: tuple[float, float] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = 10,
    ) -> list[Candidate]:
        """Ranked candidates for ``query``, best first. Empty when nothing matches."""
        hints = _NO_HINTS
        if country or kind or near or bbox:
            Hints(country, kind, near, bbox).check()
            hints = Hints(country.upper() if country else None, kind, near, bbox)
        if not isinstance(query, str):
            raise InvalidPlaceError(f"A place name must be text, got {type(query).__name__}.")
        if limit is not None and limit < 1:
            raise InvalidPlaceError(f"limit must be at least 1 (or None for every candidate), got {limit}.")
        scored = [(_score(m, n, p, hints), p.id, m, n, p) for m, n, p in self._matches(query)]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            Candidate(place, score, name, MATCH_NAMES[match], partial(_explain, match, name, place, hints))
            for score, _, match, name, place in (scored[:limit] if limit else scored)
        ]

    def best(self, query: str, **hints) -> Candidate | None:
        found = self.lookup(query, limit=1, **hints)
        return found[0] if found else None

    def _matches(self, query: str) -> list[tuple[int, str, Place]]:
        norm = normalise(query)
        if not norm:
            return []
        found = self._matches_of(norm, " ".join(query.split()))
        if found:
            return found
        # Nothing as written: try Latin spellings of a Cyrillic name, then without
        # "city of" / "... city".
        tried = transliterations(query) if has_cyrillic(query) else []
        tried += [norm[len(p) :] for p in _PREFIXES if norm.startswith(p)]
        tried += [norm[: -len(s)] for s in _SUFFIXES if norm.endswith(s)]
        for form in dict.fromkeys(f for f in tried if f and f != norm):
            found = self._matches_of(form, form)
            if found:
                return found
        return []

    def _matches_of(self, norm: str, as_written: str) -> list[tuple[int, str, Place]]:
        found = _dedupe(self.user_places.lookup(norm))
        found += [(match, as_written, place) for match, place in self.index.lookup(norm)]
        return found

    def knows(self, norm: str) -> bool:
        """True if some place (built-in or yours) has this normalised name. Fast."""
        return self.index.contains_name(norm) or bool(self.user_places.lookup(norm))

    def is_major(self, name: str) -> bool:
        """True if the name's best match is a country, continent or first-level region."""
        best = self.best(name)
        return (
            best is not None
            and best.place.kind in ("country", "continent", "region")
            and best.match != "code"
        )

    def is_notable(self, name: str) -> bool:
        """True if the name's best match is a country, a first-level region, a capital or
        a city of NOTABLE_POPULATION or more: a name a reader knows in any case ("kharkiv")."""
        best = self.best(name)
        if best is None or best.match == "code":
            return False
        place = best.place
        return (
            place.kind in ("country", "continent", "region", "capital")
            or (place.population or 0) >= NOTABLE_POPULATION
        )

    def similar_name(self, text: str) -> tuple[str, int] | None:
        """The known name nearest in spelling to ``text``, which is no known name: a
        transliteration variant or a typo ("Popsana": popasna, 1 edit), with its edits. At
        most one edit, two for names of LONG_NAME letters or more (whose first four letters
        must be as written; else three); among equally near names, the one of the most prominent place."""
        norm = normalise(text)
        if len(norm) < 5 or not norm.isalpha():
            return None
        limit = 2 if len(norm) >= LONG_NAME else 1
        prefix = norm[: 2 + limit]  # the first three letters; four when two edits are allowed
        scored = [(edit_distance(norm, name, limit), name)
                  for name in self.index.names_starting(prefix, len(norm) - limit, len(norm) + limit)]  # fmt: skip
        near = [(d, name) for d, name in scored if d <= limit]
        if not near:
            return None
        fewest = min(d for d, _ in near)
        best = max(
            (name for d, name in near if d == fewest),
            key=lambda name: max((p.importance for _, p in self.index.lookup(name)), default=0.0),
        )
        return best, fewest

    def adjective_country(self, word: str) -> str | None:
        """The country an adjective or demonym names: "Belarusian" -> "BY"."""
        for candidate in self.lookup(word, kind="country", limit=3):
            if candidate.place.kind == "country" and candidate.match in ("adjective", "primary", "alternate"):
                return candidate.place.country
        return None

    def region_named_for(self, place: Place) -> Place | None:
        """The first-level region a city gives its name to (Kharkiv -> Kharkiv Oblast):
        the largest region of that name around the city, else the region holding it.
        (Kyiv's own municipality holds Kyiv; the oblast named for it surrounds it.)"""
        point = shapely.Point(place.lon, place.lat)
        named = [
            c.place
            for c in self.lookup(place.name, kind="region", limit=10)
            if c.place.kind == "region"
            and c.place.country == place.country
            and c.place.geometry.distance(point) < 0.3
        ]
        if named:
            return max(named, key=lambda region: region.geometry.area)
        return self.index.containing(place.lat, place.lon, "region")

    def get(self, place_id: str) -> Place:
        """The place with this id (built-in or the user's own)."""
        place = self.user_places.get(place_id) if place_id.startswith("user:") else self.index.get(place_id)
        if place is None:
            raise PlaceNotFoundError(f"No place with id {place_id}.")
        return place

    def reverse(self, lat: float, lon: float) -> ReverseResult:
        """The nearest populated place to (lat, lon), and the region and country there."""
        Hints(near=(lat, lon)).check()
        nearest = self.index.nearest_populated(lat, lon)
        distance = distance_km((lat, lon), nearest.point) if nearest else None
        # Your own towns and villages count too, when they are nearer.
        for place in self.user_places.places():
            if place.kind in (*POPULATED_KINDS, "settlement"):
                km = distance_km((lat, lon), place.point)
                if km <= 300 and (distance is None or km < distance):
                    nearest, distance = place, km
        return ReverseResult(
            nearest=nearest,
            distance_km=distance,
            region=self.index.containing(lat, lon, "region"),
            country=self.index.containing(lat, lon, "country"),
        )

    # -- the user's places ----------------------------------------------------------------

    def add_place(self, new: NewPlace) -> Place:
        return self.user_places.add(new)

    def add_places(self, news: Sequence[NewPlace]) -> list[Place]:
        return self.user_places.add_many(news)

    def update_place(self, place_id: str, new: NewPlace) -> Place:
        return self.user_places.update(place_id, new)

    def remove_place(self, place_id: str) -> Place:
        return self.user_places.remove(place_id)

    def list_places(self) -> list[Place]:
        return self.user_places.places()


def _dedupe(found: list[tuple[int, str, Place]]) -> list[tuple[int, str, Place]]:
    best: dict[str, tuple[int, str, Place]] = {}
    for item in found:
        known = best.get(item[2].id)
        if known is None or item[0] < known[0]:
            best[item[2].id] = item
    return list(best.values())


def _explain(match: int, name: str, place: Place, hints: Hints) -> list[str]:
    reasons: list[str] = []
    _score(match, name, place, hints, reasons)
    return reasons


def _score(match: int, name: str, place: Place, hints: Hints, reasons: list[str] | None = None) -> float:
    """The candidate's score; with a ``reasons`` list, also say why (for the shortlist)."""
    why = reasons.append if reasons is not None else None
    score = NAME_SHARE * MATCH_WEIGHT[match] + IMPORTANCE_SHARE * place.importance
    if why:
        why(f"{MATCH_NAMES[match]} name {name!r}")
    if place.source == "user":
        score += USER_BONUS
        if why:
            why("user addition")
    elif why:
        if place.kind == "country":
            why("country")
        elif place.population:
            why(f"{place.kind}, population {place.population:,}")
        else:
            why(f"{place.kind}, importance {place.importance:.2f}")
    if hints.country and (place.country == hints.country or hints.country in place.countries):
        score += COUNTRY_BONUS
        if why:
            why(f"in {hints.country}")
    if hints.kind and kind_matches(hints.kind, place.kind):
        score += KIND_BONUS
        if why:
            why(f"kind {hints.kind}")
    if hints.near:
        km = distance_km(hints.near, place.point)
        score += NEAR_BONUS * math.exp(-km / NEAR_SCALE_KM)
        if why:
            why(f"{km:,.0f} km from the hint point")
    if hints.bbox:
        south, west, north, east = hints.bbox
        if south <= place.lat <= north and west <= place.lon <= east:
            score += BBOX_BONUS
            if why:
                why("inside the hint box")
    return score
