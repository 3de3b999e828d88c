"""Spatial phrases: compose geometries from the places around them.

- "the X river on the border [north of Y]": where the river crosses a border, the
  crossing on the named side of Y nearest to Y (precision "border").
- "on/at the border" after a country or between two countries: the border line.
- "N km [direction] of/from X": the point N km from X on that bearing (precision "near").
- "north/south/east/west of X": a point 25 km from X on that bearing (precision "near").
- "near / outside / close to X": X, with precision "near".
- "between X and Y": the geodesic midpoint (precision "near").

Each rule reads the words between mentions, so it needs the text and the resolved
mentions in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry.base import BaseGeometry

from geo.gazetteer.lookup import Gazetteer
from geo.parse.resolve import Resolved

BEARINGS = {
    "north": 0, "northeast": 45, "north-east": 45, "east": 90, "southeast": 135, "south-east": 135,
    "south": 180, "southwest": 225, "south-west": 225, "west": 270, "northwest": 315, "north-west": 315,
}  # fmt: skip
DIRECTION = r"(north(?:-?east|-?west)?|south(?:-?east|-?west)?|east|west)"
UNITS_KM = {"km": 1.0, "kilometres": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometer": 1.0,
            "miles": 1.609344, "mile": 1.609344, "mi": 1.609344}  # fmt: skip
DIRECTION_OFFSET_KM = 25.0

RIVER_ON_BORDER = re.compile(rf"^\s+on\s+the\s+border(?:\s+{DIRECTION}\s+of\s+(?:the\s+)?)?", re.I)
DISTANCE_BEFORE = re.compile(
    rf"(\d+(?:[.,]\d+)?)\s*(km|kilometres|kilometers|kilometre|kilometer|miles|mile|mi)\b\.?"
    rf"(?:\s+\(\d+(?:[.,]\d+)?\s*\w+\))?\s+(?:{DIRECTION}\s+)?(?:of|from)\s+(?:the\s+)?$",
    re.I,
)
DIRECTION_BEFORE = re.compile(rf"\b{DIRECTION}\s+of\s+(?:the\s+)?$", re.I)
NEAR_BEFORE = re.compile(r"\b(near|outside|close\s+to|around|on\s+the\s+outskirts\s+of)\s+(?:the\s+)?$", re.I)
BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The (lat, lon) reached going ``km`` along ``bearing`` degrees from (lat, lon)."""
    line = Geodesic.WGS84.Direct(lat, lon, bearing, km * 1000)
    return (line["lat2"], line["lon2"])


def _number(text: str) -> float:
    """ "1,200" is twelve hundred; "1,5" and "1.5" are one and a half."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _point(lat: float, lon: float) -> shapely.Point:
    return shapely.Point(lon, lat)


def apply_spatial_phrases(text: str, resolved: Sequence[Resolved], gazetteer: Gazetteer) -> None:
    """Refine resolved mentions in place with the spatial phrases around them."""
    ordered = sorted(resolved, key=lambda r: r.mention.start)
    anchors: set[int] = set()  # mentions used as the reference point of a phrase
    for k, item in enumerate(ordered):
        following = ordered[k + 1] if k + 1 < len(ordered) else None
        if item.place.kind == "river" and _river_on_border(text, item, following, gazetteer):
            anchors.add(k + 1)
        if item.geometry is not None or k in anchors:
            continue
        if following is not None and _border_of(text, item, following, gazetteer):
            anchors.add(k + 1)
            continue
        before = text[max(0, item.mention.start - 80) : item.mention.start]
        previous = ordered[k - 1] if k > 0 else None
        _relative(before, item, previous, text)


BORDER_OF_BEFORE = re.compile(r"\bborders?\s+(?:of|between)\s+(?:the\s+)?$", re.I)


def _border_of(text: str, first: Resolved, second: Resolved, gazetteer: Gazetteer) -> bool:
    """ "the border of Ukraine and Belarus": the line where the two countries meet."""
    if first.place.kind != "country" or second.place.kind != "country":
        return False
    if not BORDER_OF_BEFORE.search(text[max(0, first.mention.start - 30) : first.mention.start]):
        return False
    if not re.fullmatch(r"\s+and\s+(?:the\s+)?", text[first.mention.end : second.mention.start]):
        return False
    codes = sorted((first.place.country or "", second.place.country or ""))
    try:
        border = gazetteer.get(f"border:{codes[0]}-{codes[1]}")
    except KeyError:
        return False  # not neighbours
    for item in (first, second):
        item.place, item.precision = border, "border"
        item.spatial = f"the border of {first.mention.text} and {second.mention.text}"
    return True


def _river_on_border(text: str, river: Resolved, following: Resolved | None, gazetteer: Gazetteer) -> bool:
    """Place the river where it crosses the border; True if the next mention was the anchor."""
    match = RIVER_ON_BORDER.match(text[river.mention.end :])
    if not match:
        return False
    crossings = _border_crossings(river.place.geometry, river.place.countries, gazetteer)
    if not crossings:
        return False
    direction = match.group(1)
    anchor = None
    if direction and following is not None and following.mention.start == river.mention.end + match.end():
        anchor = following.place
        bearing = BEARINGS[direction.lower()]
        on_side = [p for p in crossings if _on_side(anchor.point, (p.y, p.x), bearing)]
        crossings = on_side or crossings
    if anchor is not None:
        chosen = min(crossings, key=lambda p: Geodesic.WGS84.Inverse(anchor.lat, anchor.lon, p.y, p.x)["s12"])
        river.spatial = f"where the {river.place.name} crosses the border, {direction} of {anchor.name}"
    else:
        chosen = crossings[0]
        river.spatial = f"where the {river.place.name} crosses the border"
    river.geometry = chosen
    river.precision = "border"
    return anchor is not None


def _border_crossings(
    line: BaseGeometry, countries: Sequence[str], gazetteer: Gazetteer
) -> list[shapely.Point]:
    points: list[shapely.Point] = []
    codes = sorted(set(countries))
    for a_i, a in enumerate(codes):
        for b in codes[a_i + 1 :]:
            try:
                border = gazetteer.get(f"border:{a}-{b}")
            except KeyError:
                continue
            crossing = line.intersection(border.geometry)
            points.extend(getattr(crossing, "geoms", [crossing]) if not crossing.is_empty else [])
    return [p for p in points if p.geom_type == "Point"]


def _on_side(anchor: tuple[float, float], point: tuple[float, float], bearing: float) -> bool:
    """Is ``point`` within 67.5 degrees of ``bearing`` as seen from ``anchor``?"""
    azimuth = Geodesic.WGS84.Inverse(anchor[0], anchor[1], point[0], point[1])["azi1"] % 360
    return abs((azimuth - bearing + 180) % 360 - 180) <= 67.5


def _relative(before: str, item: Resolved, previous: Resolved | None, text: str) -> None:
    lat, lon = item.place.point
    match = DISTANCE_BEFORE.search(before)
    if match:
        km = _number(match.group(1)) * UNITS_KM[match.group(2).lower()]
        if match.group(3):
            bearing = BEARINGS[match.group(3).lower()]
            item.geometry = _point(*destination(lat, lon, bearing, km))
            item.spatial = f"{match.group(1)} {match.group(2)} {match.group(3)} of {item.place.name}"
        else:  # a distance without a direction: somewhere on a circle; keep the centre
            item.spatial = f"{match.group(1)} {match.group(2)} from {item.place.name}"
        item.precision = "near"
        return
    match = DIRECTION_BEFORE.search(before)
    if match and item.place.kind not in ("country", "continent", "region", "sea"):
        bearing = BEARINGS[match.group(1).lower()]
        item.geometry = _point(*destination(lat, lon, bearing, DIRECTION_OFFSET_KM))
        item.spatial = f"{match.group(1)} of {item.place.name}"
        item.precision = "near"
        return
    if NEAR_BEFORE.search(before) and item.precision == "exact":
        item.spatial = f"near {item.place.name}"
        item.precision = "near"
        return
    if (
        previous is not None
        and item.precision == previous.precision == "exact"
        and BETWEEN_BEFORE.search(text[max(0, previous.mention.start - 20) : previous.mention.start])
        and re.fullmatch(r"\s+and\s+(?:the\s+)?", text[previous.mention.end : item.mention.start])
    ):
        a, b = previous.place.point, item.place.point
        line = Geodesic.WGS84.InverseLine(a[0], a[1], b[0], b[1])
        middle = line.Position(line.s13 / 2)
        for target in (previous, item):
            target.geometry = _point(middle["lat2"], middle["lon2"])
            target.precision = "near"
            target.spatial = f"between {previous.place.name} and {item.place.name}"
