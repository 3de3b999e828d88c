"""When two reports are one event, and which report of it to keep."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from functools import lru_cache

import shapely

from geo.events.dates import When
from geo.events.record import VIOLENT, Event
from geo.gazetteer.place import distance_km

MERGE_KM = 50.0  # the furthest apart two reports' places may be for the store to compare them
SAME_PLACE_KM = 2.0  # one place told by two gazetteer entries (a user's place, a GeoNames town)
PRECISION_RANK = {"exact": 0, "near": 1, "border": 2, "river": 3, "region": 4, "country": 5}


def same_event(a: Event, b: Event, *, km: float = SAME_PLACE_KM, across: bool = True) -> bool:
    """Two reports of one incident: the same type, overlapping dates (the same day when
    both give their day), and the same words, or the same place (one gazetteer entry,
    points within ``km``, or a point on the other's line: a crossing on a border) with a
    compatible sub-type and toll.

    Not merely nearby: on a busy day of a war, distinct shellings lie a few km apart
    (Kharkiv, Chuhuiv and Derhachi are three incidents, not one), and a merge that joins
    two incidents hides one from the map. Reports from different sources (``across``) of
    violence at one place on one day are one incident only when something more says so: both give a
    toll and the tolls agree, or they tell it in much the same words; a monitor's
    "Russian shelling of Kharkiv" and "Primary school #75 in Kharkiv shelled" that day
    are two sites 10 km apart. Within one article, the same place and day is enough.
    """
    if a.event_type != b.event_type or a.undated != b.undated:
        return False
    if not a.undated and not _overlap(a.when, b.when, 0 if _day_precise(a) and _day_precise(b) else 1):
        return False
    if _same_quote(a, b) and a.gazetteer_id == b.gazetteer_id:
        return True  # one report filed twice, or one wire story in two papers
    if a.gazetteer_id is None or b.gazetteer_id is None:
        return False  # nothing says where: only the same words say it is the same incident
    if a.sub_event_type and b.sub_event_type and a.sub_event_type != b.sub_event_type:
        return False  # a shelling and an air strike of one town that day are two incidents
    if not _tolls_agree(a.fatalities, b.fatalities):
        return False
    if across and a.event_type in VIOLENT and not (a.fatalities is not None and b.fatalities is not None) and not told_alike(a, b):
        return False
    if "country" in (a.geo_precision, b.geo_precision):
        # A whole country says little about where: same country, same kind of event, same actors.
        return (
            a.gazetteer_id == b.gazetteer_id and a.sub_event_type == b.sub_event_type and a.actor1 == b.actor1
        )
    if a.gazetteer_id == b.gazetteer_id:
        return True
    if _roughly_within(a, b, km) and distance_km((a.latitude, a.longitude), (b.latitude, b.longitude)) <= km:
        return True
    return _touches(a, b)


WORD_RE = re.compile(r"[^\W\d_]{3,}")
STEM = 5  # letters: "shelled", "shelling" and "shells" are one word here
ALIKE = 0.35  # the share of their words two reports' quotes share (Jaccard) to be told alike
COMMON_WORDS = frozenset(["the", "and", "was", "were", "has", "have", "had", "that", "this", "with", "from", "for", "are", "its", "their", "said", "says"])


def told_alike(a: Event, b: Event) -> bool:
    """Do two reports tell it in much the same words (leaving out the name of their place)?"""
    x, y = _words(a), _words(b)
    return bool(x and y) and len(x & y) >= ALIKE * len(x | y)


def _words(event: Event) -> frozenset[str]:
    names = {w.lower()[:STEM] for m in event.mentions or () if m.get("gazetteer_id") == event.gazetteer_id
             for w in WORD_RE.findall(m.get("surface") or "")}  # fmt: skip
    names |= {w.lower()[:STEM] for w in WORD_RE.findall(event.location or "")}
    words = {w.lower()[:STEM] for w in WORD_RE.findall(event.notes or "") if w.lower() not in COMMON_WORDS}
    return frozenset(words - names)


def _same_quote(a: Event, b: Event) -> bool:
    return bool(a.notes) and a.notes == b.notes


def _tolls_agree(a: int | None, b: int | None) -> bool:
    """Tolls of one incident rise as the dead are counted, but two killed and twenty
    killed are two incidents: within a factor of two, or one report gives none."""
    return a is None or b is None or min(a, b) * 2 >= max(a, b)


def _day_precise(event: Event) -> bool:
    return event.time_precision == "day" and event.date_start == (event.date_end or event.date_start)


def _roughly_within(a: Event, b: Event, km: float) -> bool:
    """A cheap test that never says no to points within ``km`` (the geodesic distance is
    the judge): a store compares each new report with every report of its type that day."""
    dlat = abs(a.latitude - b.latitude) * 110.574  # km per degree of latitude, at the least
    if dlat > km:
        return False
    nearer_pole = max(abs(a.latitude), abs(b.latitude))
    if (90 - nearer_pole) * 110.574 <= 2 * km:
        return True  # near a pole the shortest way may cross it: let the geodesic judge
    dlon = abs(a.longitude - b.longitude) % 360
    dlon = min(dlon, 360 - dlon)
    # 111.32 km per degree of longitude at the equator, times cos of the highest latitude a
    # path of km between them can reach
    highest = nearer_pole + km / 110.574
    return dlon * 111.32 * math.cos(math.radians(highest)) <= km * 1.01


def _touches(a: Event, b: Event) -> bool:
    """A point on the other's line (a crossing on a border): only lines and areas can touch
    what is further away than ``km``."""
    if not (a.geometry and b.geometry) or (a.geometry["type"] == "Point" and b.geometry["type"] == "Point"):
        return False
    return shape_of(a).distance(shape_of(b)) <= 0.01


def shape_of(event: Event) -> shapely.Geometry:
    """The event's geometry as shapely, made once per event: a store compares one new
    report with many stored ones, and borders and rivers have thousands of points. A store
    may put the GeoJSON text it read in ``event.__dict__["_geometry_json"]``."""
    shape = event.__dict__.get("_shape")
    if shape is None:
        text = event.__dict__.get("_geometry_json") or json.dumps(event.geometry)
        shape = event.__dict__["_shape"] = _shape(text)
    return shape


@lru_cache(maxsize=256)
def _shape(geojson: str) -> shapely.Geometry:
    return shapely.from_geojson(geojson)


def _overlap(x: When, y: When, slack_days: int = 1) -> bool:
    return x.start <= y.end + timedelta(days=slack_days) and y.start <= x.end + timedelta(days=slack_days)


def more_precise(a: Event, b: Event) -> Event:
    """Of two reports, the one with the finer place (a point before a line of the same
    precision: the crossing on the border before the border), then the finer date."""

    def key(e: Event) -> tuple[int, bool, bool]:
        line = not e.geometry or e.geometry.get("type") != "Point"
        return (PRECISION_RANK.get(e.geo_precision or "", 6), line, e.time_precision != "day")

    return a if key(a) <= key(b) else b


def most_fatalities(a: int | None, b: int | None) -> int | None:
    """The toll of two reports of one incident: the higher figure (tolls rise as the dead
    are counted; every source keeps its own)."""
    return b if a is None else a if b is None else max(a, b)


def merge_within(events: list[Event]) -> list[Event]:
    """One article often tells an event several times: keep one, the most precise."""
    kept: list[Event | None] = []
    by_type: dict[str, list[int]] = {}  # only events of one type can be one event
    for event in events:
        for k in by_type.setdefault(event.event_type, []):
            other = kept[k]
            if same_event(event, other, across=False):
                best = more_precise(other, event)
                rest = event if best is other else other
                best.sources.extend(rest.sources)
                best.mentions.extend(rest.mentions)
                best.fatalities = most_fatalities(best.fatalities, rest.fatalities)
                kept[k] = best
                break
        else:
            by_type[event.event_type].append(len(kept))
            kept.append(event)
    return kept
