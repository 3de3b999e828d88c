"""A store's events as columns of numbers: filter, count, chart and page a million events
without making a million ``Event`` objects (issue 13).

``EventColumns.read(conn)`` reads the few columns the app filters and draws on with one
SQL query into numpy arrays (text columns as codes into a table of distinct values). A
filter is then a boolean mask over the rows (``mask``); counts, facets and the events per
day are numpy on the masked rows. The text search asks SQL (``LIKE`` over the notes, the
place and the quotes). Whole events are read only for the rows a page shows.

Rows are in the store's order: dated events by start day and id, then the undated ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.export.explore import EventFilter, Facets, origin_choices, origin_matches

_TEXT = ("event_type", "country", "actor1", "actor2", "geo_precision", "origin", "location", "time_precision",
         "gazetteer_id")  # fmt: skip
_NONE = "\x1e"  # a text column's NULL, as read
_DAY = "IFNULL(CAST(julianday({}) - 1721424.5 AS INTEGER), 0)"  # date.toordinal(), 0 for none
_NUMBERS = ("id", _DAY.format("date_start"), _DAY.format("date_end"), "IFNULL(fatalities, 0)",
            "source IS NOT NULL OR source_url IS NOT NULL", "IFNULL(latitude, 'nan')", "IFNULL(longitude, 'nan')")  # fmt: skip
# One scan of the table, each column aggregated into one string (no Python row tuples): a
# million events read in about a third of the time ``fetchall`` takes. Every aggregate of
# the query sees the rows in the same order. Only lines and areas are read whole (by id,
# below): a point's geometry is its latitude and longitude.
_READ = (
    "SELECT count(*), "
    + ", ".join(f"group_concat({c}, ',')" for c in _NUMBERS)
    + ", "
    + ", ".join(f"group_concat(IFNULL({c}, char(30)), char(31))" for c in _TEXT)
    + """, group_concat(CASE WHEN geometry IS NULL OR geometry LIKE '{"type": "Point",%' THEN NULL ELSE id END, ',')"""
    " FROM events"
)


def _numbers(text: str | None, dtype, n: int) -> np.ndarray:
    values = np.fromstring(text or "", dtype=dtype, sep=",")  # "nan" reads as NaN
    if len(values) != n:
        raise ValueError(f"Read {len(values)} values of a column of {n} events.")
    return values


def _coded(text: str | None, n: int) -> tuple[list, np.ndarray]:
    """A text column read as one string: its distinct values and each row's index."""
    parts = pc.split_pattern(pa.array([text or ""]), "\x1f").flatten()
    encoded = parts.dictionary_encode()
    table = [None if v == _NONE else v for v in encoded.dictionary.to_pylist()]
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    if len(codes) != n:
        raise ValueError(f"Read {len(codes)} values of a column of {n} events.")
    return table, codes


def _codes(values: Iterable) -> tuple[list, np.ndarray]:
    """Distinct values (in order of first appearance) and each value's index."""
    seen: dict = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int32)
    return list(seen), codes


@dataclass
class Coded:
    """A text column: ``table[codes[i]]`` is row i's value."""

    table: list
    codes: np.ndarray

    def isin(self, wanted: Iterable) -> np.ndarray:
        wanted = set(wanted)
        return np.isin(self.codes, [i for i, v in enumerate(self.table) if v in wanted])

    def present(self) -> list:
        """The values some row has (None left out)."""
        used = np.unique(self.codes)
        return [self.table[i] for i in used if self.table[i] is not None]


@dataclass
class EventColumns:
    """Every stored event as columns (see the module's docstring)."""

    ids: np.ndarray
    start: np.ndarray  # day ordinal, 0 when undated
    end: np.ndarray  # day ordinal of date_end, else of date_start (0 when undated)
    has_end: np.ndarray
    lat: np.ndarray  # NaN when not located
    lon: np.ndarray
    fatalities: np.ndarray
    named_source: np.ndarray  # an imported event's own source (counts as one in the table)
    text: dict[str, Coded]
    geometry: dict[int, str] = field(default_factory=dict)  # row -> GeoJSON text of a line or area
    source_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # event_sources: row
    source_articles: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # ...and article

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> EventColumns:
        n, *read = conn.execute(_READ).fetchone()
        if not n:
            empty = np.zeros(0, np.int64)
            return cls(empty, empty, empty, empty.astype(bool), empty.astype(float), empty.astype(float), empty,
                       empty.astype(bool), {name: Coded([], empty) for name in _TEXT})  # fmt: skip
        numbers, texts, shaped = read[: len(_NUMBERS)], read[len(_NUMBERS) : -1], read[-1]
        ids, start, end_given, deaths, named = (_numbers(v, np.int64, n) for v in numbers[:5])
        lats, lons = (_numbers(v, np.float64, n) for v in numbers[5:])
        order = np.lexsort((ids, start, start == 0))  # dated by day and id, then undated by id
        columns = cls(
            ids=ids[order], start=start[order], end=np.where(end_given > 0, end_given, start)[order],
            has_end=(end_given > 0)[order], lat=lats[order], lon=lons[order],
            fatalities=deaths[order], named_source=named.astype(bool)[order],
            text={name: Coded(*_code_in_order(_coded(values, n), order)) for name, values in zip(_TEXT, texts, strict=True)},
        )  # fmt: skip
        if shaped:
            by_id = np.argsort(columns.ids)
            for first in range(0, len(wanted := [int(v) for v in shaped.split(",")]), 500):
                chunk = wanted[first : first + 500]
                for event_id, geometry in conn.execute(
                    f"SELECT id, geometry FROM events WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ):
                    row = by_id[np.searchsorted(columns.ids, event_id, sorter=by_id)]
                    columns.geometry[int(row)] = geometry
        pairs = conn.execute("SELECT event_id, article_id FROM event_sources").fetchall()
        if pairs:
            event_ids, articles = zip(*pairs, strict=True)
            by_id = np.argsort(columns.ids)
            found = by_id[np.searchsorted(columns.ids, np.array(event_ids, np.int64), sorter=by_id)]
            columns.source_rows = found
            columns.source_articles = _codes(articles)[1].astype(np.int64)
        return columns

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, event_filter: EventFilter, conn: sqlite3.Connection | None = None) -> np.ndarray:
        """The rows ``event_filter`` keeps (``EventFilter.matches``, row by row); its text
        search needs ``conn``."""
        f = event_filter
        dated = self.start > 0
        keep = dated | f.include_undated
        if f.date_from:
            keep &= ~(dated & self.has_end & (self.end < f.date_from.toordinal()))
        if f.date_to:
            keep &= ~(dated & (self.start > f.date_to.toordinal()))
        if f.types:
            keep &= self.text["event_type"].isin(f.types)
        if f.actors:
            keep &= self.text["actor1"].isin(f.actors) | self.text["actor2"].isin(f.actors)
        if f.countries:
            keep &= self.text["country"].isin(f.countries)
        if f.precisions:
            keep &= self.text["geo_precision"].isin(f.precisions)
        if f.origins:
            origins = self.text["origin"]
            keep &= origins.isin(o for o in origins.table if any(origin_matches(o, w) for w in f.origins))
        if f.text:
            if conn is None:
                raise ValueError("A text search needs the store's connection (conn=store.conn).")
            keep &= np.isin(self.ids, matching_text(conn, f.text))
        return keep

    def metrics(self, keep: np.ndarray) -> dict[str, int]:
        """The counts the app shows for the rows in ``keep``."""
        articles = self.source_articles[keep[self.source_rows]] if len(self.source_rows) else self.source_articles
        return {
            "Events": int(keep.sum()),
            "Sources": int(np.unique(articles).size),
            "Undated": int((keep & (self.start == 0)).sum()),
            "Fatalities": int(self.fatalities[keep].sum()),
        }

    def facets(self) -> Facets:
        dated = self.start > 0
        days = np.concatenate((self.start[dated], self.end[dated]))
        return Facets(
            types=tuple(sorted(self.text["event_type"].present())),
            actors=tuple(sorted(set(self.text["actor1"].present()) | set(self.text["actor2"].present()))),
            countries=tuple(sorted(self.text["country"].present())),
            precisions=tuple(sorted(self.text["geo_precision"].present())),
            first=date.fromordinal(int(days.min())) if len(days) else None,
            last=date.fromordinal(int(days.max())) if len(days) else None,
            origins=origin_choices(self.text["origin"].present()),
        )

    def counts_by_day(self, keep: np.ndarray) -> list[tuple[str, str, int]]:
        """(day, event type, count) of the dated rows in ``keep``, as ``explore.counts_by_day``."""
        rows = keep & (self.start > 0)
        types = self.text["event_type"]
        kinds = max(len(types.table), 1)  # (day, type) as one number: a 1-D unique, not a 2-D one
        keys, counts = np.unique(self.start[rows] * kinds + types.codes[rows], return_counts=True)
        found = [(date.fromordinal(int(k // kinds)).isoformat(), types.table[k % kinds], int(n))
                 for k, n in zip(keys.tolist(), counts.tolist(), strict=True)]  # fmt: skip
        return sorted(found)

    def bounds(self) -> list[list[float]] | None:
        """``mapview.event_bounds`` of every located row."""
        located = ~np.isnan(self.lat)
        framing = located & ~self.text["geo_precision"].isin(("country", "region"))
        if not framing.any():
            framing = located
        if not framing.any():
            return None
        lat, lon = self.lat[framing], self.lon[framing]
        return [[float(lat.min()) - 0.5, float(lon.min()) - 0.5], [float(lat.max()) + 0.5, float(lon.max()) + 0.5]]

    def latest(self, keep: np.ndarray, count: int) -> list[int]:
        """The ids of the last ``count`` rows in ``keep`` (the latest dated events; undated
        ones come last in the store's order), in the store's order."""
        return self.ids[np.flatnonzero(keep)[-count:]].tolist() if count else []


def _code_in_order(coded: tuple[list, np.ndarray], order: np.ndarray) -> tuple[list, np.ndarray]:
    table, codes = coded
    return table, codes[order]


def matching_text(conn: sqlite3.Connection, text: str) -> np.ndarray:
    """Ids of the events whose notes, place or a quote contain ``text``, ignoring case as
    ``str.casefold`` does (SQL ``LIKE`` for ASCII text, which is as fast as a scan gets;
    a Python function for any other, since ``LIKE`` folds only ASCII letters)."""
    if text.isascii():
        needle = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        test = "{} LIKE ?1 ESCAPE '\\'"
    else:
        needle = text.casefold()
        conn.create_function("conflictmap_contains", 2, _contains, deterministic=True)
        test = "conflictmap_contains({}, ?1)"
    rows = conn.execute(
        f"SELECT id FROM events WHERE {test.format('notes')} OR {test.format('location')}"
        f" UNION SELECT event_id FROM event_sources WHERE {test.format('quote')}",
        (needle,),
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)


def _contains(value: str | None, needle: str) -> bool:
    return bool(value) and needle in value.casefold()
