"""conflictmap's gazetteer as a geopy geocoder.

``Gazetteer`` honours geopy's contract, so ``RateLimiter`` and any geopy caller work with
it unchanged: ``geocode`` returns ``None`` when nothing matches, a ``Location`` when
``exactly_one``, otherwise a list; ``Location.raw`` holds the place record.

An online geocoder can stand behind it as an explicit opt-in fallback::

    from geopy.geocoders import Nominatim
    geocoder = Gazetteer(fallback=Nominatim(user_agent="my-newsroom"))

It is asked only when the gazetteer has no match, and never by default.
"""

from __future__ import annotations

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer.lookup import Gazetteer as PlaceGazetteer
from geo.gazetteer.place import Candidate

__all__ = ("Gazetteer",)


class Gazetteer(Geocoder):
    """Offline geocoder over conflictmap's gazetteer (GeoNames, Natural Earth, your places).

    :param gazetteer: an open ``geo.gazetteer.lookup.Gazetteer``; by default the configured one
        is opened (and its index built if missing).
    :param fallback: another geopy geocoder asked when there is no local match.
    """

    def __init__(
        self,
        gazetteer: PlaceGazetteer | None = None,
        *,
        fallback: Geocoder | None = None,
        timeout=DEFAULT_SENTINEL,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout, user_agent=user_agent)
        self.gazetteer = gazetteer or PlaceGazetteer.open()
        self.fallback = fallback

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout=DEFAULT_SENTINEL,
        limit: int | None = None,
        country: str | None = None,
        kind: str | None = None,
        near: tuple[float, float] | None = None,
        bbox=None,
    ):
        """Resolve a place name.

        :param limit: the most results to return when ``exactly_one`` is False.
        :param country: ISO 3166-1 alpha-2 code to prefer, e.g. ``"UA"``.
        :param kind: a place kind to prefer (``"river"``, ``"city"``, ``"country"``...).
        :param near: a ``(lat, lon)`` to prefer nearby candidates.
        :param bbox: ``[(lat1, lon1), (lat2, lon2)]`` (geopy's form) to prefer candidates inside.
        """
        if isinstance(query, dict):
            query = " ".join(str(v) for v in query.values())
        box = None
        if bbox is not None:
            (lat1, lon1), (lat2, lon2) = (Point(p)[:2] for p in bbox)
            box = (min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))
        near_point = tuple(Point(near)[:2]) if near is not None else None
        candidates = self.gazetteer.lookup(
            str(query),
            country=country,
            kind=kind,
            near=near_point,
            bbox=box,
            limit=1 if exactly_one else limit,
        )
        if not candidates:
            if self.fallback is not None:
                return self.fallback.geocode(query, exactly_one=exactly_one, timeout=timeout)
            return None
        locations = [_location(c) for c in candidates]
        return locations[0] if exactly_one else locations

    def reverse(self, query, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        """The nearest populated place to ``(lat, lon)``, with its region and country.

        ``Location.raw`` has ``nearest``, ``distance_km``, ``region`` and ``country``.
        """
        point = Point(query)
        result = self.gazetteer.reverse(point.latitude, point.longitude)
        if result.nearest is None and result.country is None:
            if self.fallback is not None:
                return self.fallback.reverse(query, exactly_one=exactly_one, timeout=timeout)
            return None
        raw = result.to_record()
        anchor = result.nearest or result.country
        location = Location(result.label(), (anchor.lat, anchor.lon), raw)
        return location if exactly_one else [location]


def _location(candidate: Candidate) -> Location:
    place = candidate.place
    parts = [place.name, place.admin1 if place.admin1 != place.name else None, place.country]
    address = ", ".join(p for p in parts if p)
    raw = place.to_record(with_names=False, with_geometry=True)
    raw.update(score=round(candidate.score, 4), matched_name=candidate.matched_name,
               match=candidate.match, reasons=candidate.reasons)  # fmt: skip
    return Location(address, (place.lat, place.lon), raw)
