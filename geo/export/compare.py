"""Two sets of events side by side: which events of A have a counterpart in B, near in place
and time? ("Which ACLED events have no extracted counterpart within 10 km and 1 day?")

For each event of A, the nearest event of B whose start day is at most ``days`` from its own
and whose place is at most ``km`` away. Found with a grid on the unit sphere (cells one
``km`` wide, so a counterpart is in the event's cell or one of its 26 neighbours) whose
cells hold B's events sorted by day: per neighbour cell, the days in reach are one slice,
found by binary search. NumPy does the whole set at once, so 100,000 events against 100,000
take seconds. Distances are great-circle (a sphere of the Earth's mean radius); a pair whose
great-circle distance is within 1 % of ``km`` is decided by its geodesic distance (WGS 84).
Events without a date or a place cannot be compared; they are counted, not matched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
from geopy.distance import geodesic

from geo.errors import CompareError
from geo.events.record import Event

EARTH_KM = 6371.0088  # mean radius (IUGG)
SPHERE_ERROR = 0.01  # a great-circle distance is within 0.6 % of the geodesic; 1 % to be safe
PAIRS_AT_ONCE = 2_000_000  # candidate pairs measured in one NumPy step (bounds the memory)
MAX_CELLS_PER_AXIS = 1 << 20  # cells a key can number along each axis (3 x 21 bits in an int64)
_NEIGHBOURS = np.array([(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)], dtype=np.int64)


@dataclass(frozen=True)
class Points:
    """Events as arrays: latitude and longitude in degrees, start day as a day number."""

    lat: np.ndarray
    lon: np.ndarray
    day: np.ndarray

    @classmethod
    def of(cls, events: Sequence[Event]) -> Points:
        return cls(
            np.fromiter((e.latitude for e in events), float, len(events)),
            np.fromiter((e.longitude for e in events), float, len(events)),
            np.fromiter((date.fromisoformat(e.date_start).toordinal() for e in events), np.int64, len(events)),
        )

    def __len__(self) -> int:
        return len(self.day)

    def unit_vectors(self) -> np.ndarray:
        lat, lon = np.radians(self.lat), np.radians(self.lon)
        return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def nearest_within(a: Points, b: Points, *, km: float, days: int) -> tuple[np.ndarray, np.ndarray]:
    """For each point of ``a``, the index of the nearest point of ``b`` at most ``km`` away
    whose day is at most ``days`` from its own (-1 when none), and that distance in km (inf).
    Ties go to the closer day, then the lower index."""
    _check(km, days)
    best = np.full(len(a), -1, dtype=np.int64)
    best_km = np.full(len(a), np.inf)
    if not len(a) or not len(b):
        return best, best_km
    reach = km * (1 + SPHERE_ERROR)
    cell = 2 * math.sin(min(reach / EARTH_KM, math.pi) / 2)  # the chord of ``reach``
    per_axis = math.floor(2 / cell) + 3
    if per_axis > MAX_CELLS_PER_AXIS:
        raise CompareError(f"A distance of {km} km is too small to compare at: give 0.01 km or more.")
    a_xyz, b_xyz = a.unit_vectors(), b.unit_vectors()
    a_cells = np.floor((a_xyz + 1) / cell).astype(np.int64) + 1  # +1: a neighbour's index stays >= 0
    b_cells = np.floor((b_xyz + 1) / cell).astype(np.int64) + 1
    first = min(int(a.day.min()), int(b.day.min())) - days
    span = max(int(a.day.max()), int(b.day.max())) + days - first + 1

    def cell_key(cells: np.ndarray) -> np.ndarray:
        return (cells[:, 0] * per_axis + cells[:, 1]) * per_axis + cells[:, 2]

    # B sorted by (cell, day): the events of one cell within a span of days are one slice.
    b_cell_keys, b_cell_ids = np.unique(cell_key(b_cells), return_inverse=True)
    b_keys = b_cell_ids.reshape(-1) * span + (b.day - first)
    order = np.argsort(b_keys, kind="stable")
    b_sorted = b_keys[order]
    # A visited in (cell, day) order too: then each neighbour's lookups come sorted (binary
    # searches along memory, several times faster) and each point's pairs come together.
    a_order = np.lexsort((a.day, cell_key(a_cells)))
    a_xyz, a_cells, a_day = a_xyz[a_order], a_cells[a_order], a.day[a_order]
    sure = km / (1 + SPHERE_ERROR)  # nearer than this on the sphere: within ``km`` on the ellipsoid too
    doubtful: list[tuple[np.ndarray, np.ndarray]] = []  # pairs for the geodesic to decide
    for offset in _NEIGHBOURS:
        wanted = cell_key(a_cells + offset)
        at = np.minimum(np.searchsorted(b_cell_keys, wanted), len(b_cell_keys) - 1)
        present = b_cell_keys[at] == wanted
        a_index = np.nonzero(present)[0]
        if not len(a_index):
            continue
        base = at[present] * span - first
        low = np.searchsorted(b_sorted, base + a_day[a_index] - days, side="left")
        high = np.searchsorted(b_sorted, base + a_day[a_index] + days, side="right")
        for part in _chunks(high - low):
            a_rep, b_pos = _expand(a_index[part], low[part], high[part])
            if not len(a_rep):
                continue
            b_rep = order[b_pos]
            chord = np.sqrt(((a_xyz[a_rep] - b_xyz[b_rep]) ** 2).sum(axis=1))
            distance = 2 * EARTH_KM * np.arcsin(np.minimum(chord / 2, 1.0))
            near = distance <= sure
            band = ~near & (distance <= reach)
            if band.any():
                doubtful.append((a_rep[band], b_rep[band]))
            _keep_nearest(best, best_km, a_rep[near], b_rep[near], distance[near], a_day, b.day)
    if doubtful:
        _decide_doubtful(best, best_km, doubtful, a_order, a, b, km)
    found, found_km = np.empty_like(best), np.empty_like(best_km)
    found[a_order], found_km[a_order] = best, best_km  # back in A's own order
    return found, found_km


def _check(km: float, days: int) -> None:
    if not (math.isfinite(km) and km > 0):
        raise CompareError(f"The distance must be a positive number of km, not {km}.")
    if days < 0:
        raise CompareError(f"The days must be 0 (the same day) or more, not {days}.")


def _chunks(counts: np.ndarray) -> Iterable[slice]:
    """Slices of ``counts`` whose sums stay near ``PAIRS_AT_ONCE`` (one item can be more)."""
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + PAIRS_AT_ONCE, side="right"))
        stop = max(stop, start + 1)
        yield slice(start, stop)
        start = stop


def _expand(a_index: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (a, position in B's sorted order) pair of the slices ``low[i]:high[i]``."""
    counts = high - low
    total = int(counts.sum())
    a_rep = np.repeat(a_index, counts)
    starts = np.repeat(low - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return a_rep, starts + np.arange(total)


def _keep_nearest(best, best_km, a_rep, b_rep, distance, a_day, b_day) -> None:
    """Where a pair is nearer than what ``a`` has (closer in days, or a lower index, on a tie),
    keep it. ``a_rep`` comes grouped (each point's pairs together)."""
    if not len(a_rep):
        return
    starts = np.flatnonzero(np.concatenate(([True], a_rep[1:] != a_rep[:-1])))
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(a_rep))))
    nearest = distance == np.minimum.reduceat(distance, starts)[group]  # each point's nearest pairs only
    a_rep, b_rep, distance = a_rep[nearest], b_rep[nearest], distance[nearest]
    gap = np.abs(a_day[a_rep] - b_day[b_rep])
    order = np.lexsort((b_rep, gap, a_rep))
    a_rep, b_rep, distance, gap = a_rep[order], b_rep[order], distance[order], gap[order]
    first = np.ones(len(a_rep), dtype=bool)
    first[1:] = a_rep[1:] != a_rep[:-1]
    a_rep, b_rep, distance, gap = a_rep[first], b_rep[first], distance[first], gap[first]
    kept = best[a_rep]
    kept_gap = np.where(kept >= 0, np.abs(a_day[a_rep] - b_day[np.maximum(kept, 0)]), 0)
    better = (kept < 0) | (distance < best_km[a_rep]) | (
        (distance == best_km[a_rep]) & ((gap < kept_gap) | ((gap == kept_gap) & (b_rep < kept)))
    )
    best[a_rep[better]] = b_rep[better]
    best_km[a_rep[better]] = distance[better]


def _decide_doubtful(best, best_km, doubtful, a_order, a: Points, b: Points, km: float) -> None:
    """Pairs near the limit, for points with no sure counterpart: the geodesic decides."""
    a_rep = np.concatenate([p[0] for p in doubtful])
    b_rep = np.concatenate([p[1] for p in doubtful])
    open_ = best[a_rep] < 0
    a_rep, b_rep = a_rep[open_], b_rep[open_]
    grouped = np.argsort(a_rep, kind="stable")
    a_rep, b_rep = a_rep[grouped], b_rep[grouped]
    original = a_order[a_rep]  # the point's index in ``a`` as given
    distance = np.array([geodesic((a.lat[i], a.lon[i]), (b.lat[j], b.lon[j])).km
                         for i, j in zip(original.tolist(), b_rep.tolist(), strict=True)])  # fmt: skip
    within = distance <= km
    _keep_nearest(best, best_km, a_rep[within], b_rep[within], distance[within], a.day[a_order], b.day)


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """An event of A and its nearest counterpart in B."""

    event: Event
    counterpart: Event
    km: float
    days: int


@dataclass
class Comparison:
    """What ``compare_events`` found, both ways: A's events with and without a counterpart in
    B, and how many of B's have one in A."""

    a: str
    b: str
    km: float
    days: int
    a_compared: int = 0
    b_compared: int = 0
    a_skipped: int = 0  # no date or no place: not compared
    b_skipped: int = 0
    pairs: list[Pair] = field(default_factory=list)  # each matched event of A, with its nearest in B
    unmatched: list[Event] = field(default_factory=list)  # A's events with no counterpart in B
    b_matched: int = 0
    b_unmatched: list[Event] = field(default_factory=list)

    def summary(self) -> str:
        within = f"within {self.km:g} km and {self.days} day{'s' if self.days != 1 else ''}"
        lines = [
            f"{self.a} -> {self.b}, {within}: {len(self.pairs):,} of {self.a_compared:,} {self.a} events have a "
            f"{self.b} counterpart, {len(self.unmatched):,} have none.",
            f"{self.b} -> {self.a}: {self.b_matched:,} of {self.b_compared:,} {self.b} events have a {self.a} "
            f"counterpart, {len(self.b_unmatched):,} have none.",
        ]
        skipped = [f"{n:,} {label}" for n, label in ((self.a_skipped, self.a), (self.b_skipped, self.b)) if n]
        if skipped:
            lines.append(f"Not compared (no date or no place): {', '.join(skipped)} events.")
        return "\n".join(lines)

    def unmatched_rows(self) -> list[dict]:
        """A's events with no counterpart: id, date, type, place, quote (what the CLI lists)."""
        return [_row(e) for e in self.unmatched]

    def to_record(self) -> dict:
        return {
            "a": self.a, "b": self.b, "km": self.km, "days": self.days,
            "a_compared": self.a_compared, "a_matched": len(self.pairs), "a_unmatched": len(self.unmatched),
            "b_compared": self.b_compared, "b_matched": self.b_matched, "b_unmatched": len(self.b_unmatched),
            "a_skipped": self.a_skipped, "b_skipped": self.b_skipped,
            "unmatched": self.unmatched_rows(),
        }  # fmt: skip


def _row(event: Event) -> dict:
    quote = event.notes or next((s.get("quote") for s in event.sources if s.get("quote")), "") or ""
    return {"id": event.id, "date": event.date_start or "undated", "type": event.event_type,
            "place": event.location or "", "quote": quote}  # fmt: skip


def _comparable(events: Iterable[Event]) -> tuple[list[Event], int]:
    kept, skipped = [], 0
    for event in events:
        if event.date_start and event.latitude is not None and event.longitude is not None:
            kept.append(event)
        else:
            skipped += 1
    return kept, skipped


def compare_events(
    a: Iterable[Event], b: Iterable[Event], *, km: float = 10.0, days: int = 1, a_label: str = "A",
    b_label: str = "B",
) -> Comparison:  # fmt: skip
    """Each event of ``a`` with its nearest counterpart in ``b`` (at most ``km`` away, start
    days at most ``days`` apart), or in ``unmatched``; and the same count from ``b``'s side."""
    _check(km, days)
    a_events, a_skipped = _comparable(a)
    b_events, b_skipped = _comparable(b)
    a_points, b_points = Points.of(a_events), Points.of(b_events)
    result = Comparison(a_label, b_label, km, days, len(a_events), len(b_events), a_skipped, b_skipped)
    nearest, distance = nearest_within(a_points, b_points, km=km, days=days)
    for i, j in enumerate(nearest.tolist()):
        if j < 0:
            result.unmatched.append(a_events[i])
        else:
            gap = abs(int(a_points.day[i]) - int(b_points.day[j]))
            result.pairs.append(Pair(a_events[i], b_events[j], round(float(distance[i]), 3), gap))
    back, _ = nearest_within(b_points, a_points, km=km, days=days)
    result.b_matched = int((back >= 0).sum())
    result.b_unmatched = [b_events[j] for j in np.nonzero(back < 0)[0].tolist()]
    return result


class EventSource(Protocol):
    """What ``compare_origins`` needs of a store (``geo.store.Store``)."""

    def events(self, *, origins: Iterable[str] = ()) -> list[Event]: ...

    def origins(self) -> dict[str, int]: ...


def compare_origins(store: EventSource, a: str, b: str, *, km: float = 10.0, days: int = 1) -> Comparison:
    """``compare_events`` for the stored events of two origins (``acled``, ``extracted``,
    ``acled:ukraine.csv``...); an origin with no events is an error naming what the store holds."""
    _check(km, days)
    sets = []
    for wanted in (a, b):
        events = store.events(origins=[wanted])
        if not events:
            held = ", ".join(f"{o} ({n:,})" for o, n in store.origins().items()) or "no events at all"
            raise CompareError(f"No stored events of origin {wanted!r} to compare; the store holds {held}. "
                               "Give a dataset (acled, ucdp, gdelt, csv, geojson, extracted, imported) or a "
                               "whole origin (acled:FILE).")  # fmt: skip
        sets.append(events)
    return compare_events(*sets, km=km, days=days, a_label=a, b_label=b)


__all__ = ["Comparison", "Pair", "Points", "compare_events", "compare_origins", "nearest_within"]
