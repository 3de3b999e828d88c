"""The typed records of the gazetteer: ``Place`` and ``Candidate``.

Axis order: public APIs take ``(lat, lon)`` like geopy; GeoJSON and shapely are
``(lon, lat)``. ``lonlat``/``latlon`` below are the only places that swap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry.base import BaseGeometry

POPULATED_KINDS = ("capital", "city", "town", "village")
BUILTIN_KINDS = (
    *POPULATED_KINDS,
    "country", "region", "continent", "river", "lake", "sea", "border",
    "physical_region", "mountain", "district",
)  # fmt: skip
USER_ONLY_KINDS = (
    "airport", "base", "bridge", "building", "checkpoint", "dam", "facility",
    "island", "neighbourhood", "port", "power_plant", "railway_station", "road", "settlement",
    "site",
)  # fmt: skip
KINDS = BUILTIN_KINDS + USER_ONLY_KINDS

# A kind hint names a group: "city" also accepts towns, villages and capitals.
KIND_GROUPS = {
    "city": set(POPULATED_KINDS) | {"settlement"},
    "town": set(POPULATED_KINDS) | {"settlement"},
    "village": set(POPULATED_KINDS) | {"settlement"},
    "settlement": set(POPULATED_KINDS) | {"settlement"},
    "capital": {"capital"},
    "region": {"region", "district"},
}

# Name match types, strongest first. The index stores the number.
PRIMARY, ALTERNATE, ADJECTIVE, CODE = 0, 1, 2, 3
MATCH_NAMES = {PRIMARY: "primary", ALTERNATE: "alternate", ADJECTIVE: "adjective", CODE: "code"}


_WGS84 = Geodesic.WGS84


def lonlat(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) as geopy orders it -> (x, y) as shapely and GeoJSON order it."""
    return (lon, lat)


def latlon(point: shapely.Point) -> tuple[float, float]:
    """A shapely point (x=lon, y=lat) -> (lat, lon)."""
    return (point.y, point.x)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in km between two (lat, lon) points on the WGS84 ellipsoid.

    The same computation as ``geopy.distance.geodesic`` (both use geographiclib), without
    importing geopy's geocoders on the lookup path.

    >>> round(distance_km((50.45, 30.52), (49.98, 36.25)))
    411
    """
    return _WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"] / 1000


def kind_matches(hint: str, kind: str) -> bool:
    return kind in KIND_GROUPS.get(hint, {hint})


class PlaceLoader(Protocol):
    """Where a place's heavier parts (names, geometry, attributes) come from on demand."""

    def names_of(self, place: Place) -> list[str]: ...
    def shape_of(self, place: Place) -> bytes | None: ...
    def extra_of(self, place: Place) -> dict: ...


@dataclass(eq=False)
class Place:
    """One place of the gazetteer: a stable id, names, a kind and a geometry.

    Alternate names, the geometry and extra attributes load on first use, so a lookup
    that ranks many candidates stays cheap.
    """

    id: str
    name: str
    kind: str
    country: str | None
    lat: float
    lon: float
    population: int | None = None
    admin1: str | None = None
    importance: float = 0.5
    source: str = ""
    countries: tuple[str, ...] = ()  # every country a line or area touches
    wkb: bytes | None = field(default=None, repr=False)
    attributes: dict | None = field(default=None, repr=False)
    loader: PlaceLoader | None = field(default=None, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Place) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @cached_property
    def geometry(self) -> BaseGeometry:
        """The shapely geometry (lon, lat): a point, line or polygon."""
        wkb = self.wkb
        if wkb is None and self.loader is not None:
            wkb = self.loader.shape_of(self)
        if wkb is None:
            return shapely.Point(lonlat(self.lat, self.lon))
        return shapely.from_wkb(wkb)

    @property
    def point(self) -> tuple[float, float]:
        """The representative point as (lat, lon)."""
        return (self.lat, self.lon)

    @cached_property
    def extra(self) -> dict:
        """Attributes beyond the common ones: border length, ISO codes, aliases..."""
        if self.attributes is not None:
            return self.attributes
        return self.loader.extra_of(self) if self.loader is not None else {}

    @cached_property
    def alternate_names(self) -> tuple[str, ...]:
        """Every other name the place is known by."""
        if self.loader is None:
            return tuple(self.extra.get("aliases", ()))
        return tuple(n for n in self.loader.names_of(self) if n != self.name)

    def to_record(self, *, with_names: bool = True, with_geometry: bool = True) -> dict:
        """A JSON-ready dict (GeoJSON geometry, lon/lat) of this place."""
        record = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "countries": list(self.countries),
            "admin1": self.admin1,
            "population": self.population,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "importance": round(self.importance, 4),
            "source": self.source,
        }
        if self.extra:
            record["extra"] = dict(self.extra)
        if with_names:
            record["alternate_names"] = list(self.alternate_names)
        if with_geometry:
            record["geometry"] = shapely.geometry.mapping(self.geometry)
        return record


@dataclass
class Candidate:
    """A place that matches a query, with its score and why.

    ``reasons`` is worked out on first use by ``explain`` (kept off the lookup's hot path).
    """

    place: Place
    score: float
    matched_name: str
    match: str  # primary, alternate, adjective or code
    explain: Callable[[], list[str]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reasons(self) -> list[str]:
        return self.explain() if self.explain is not None else []

    def to_record(self, *, with_geometry: bool = False) -> dict:
        return {
            "score": round(self.score, 4),
            "matched_name": self.matched_name,
            "match": self.match,
            "reasons": self.reasons,
            "place": self.place.to_record(with_names=False, with_geometry=with_geometry),
        }


def point_inside(geometry: BaseGeometry) -> shapely.Point:
    """A point inside ``geometry`` (longitude, latitude), taking a shape with a step of more
    than 180° of longitude between two points as one that crosses the antimeridian (Fiji's
    179..-179 is 2° wide, not 358°): the point is found with its western longitudes moved
    east by 360°, then wrapped back.

    >>> p = point_inside(shapely.from_wkt("POLYGON ((179 -17, -179 -17, -179 -16, 179 -16, 179 -17))"))
    >>> round(abs(p.x), 3) >= 179, -17 < p.y < -16
    (True, True)
    """
    if crosses_antimeridian(geometry):
        shifted = shapely.transform(geometry, lambda xy: xy + [[360, 0]] * (xy[:, :1] < 0))
        point = shifted.representative_point()
        return shapely.Point(point.x - 360 if point.x > 180 else point.x, point.y)
    return geometry.representative_point()


def crosses_antimeridian(geometry: BaseGeometry) -> bool:
    """Whether two successive points of ``geometry`` are more than 180° of longitude apart."""
    xs = shapely.get_coordinates(geometry)[:, 0]
    return len(xs) > 1 and bool((abs(xs[1:] - xs[:-1]) > 180).any())
