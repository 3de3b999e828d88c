"""Reading the gazetteer index: name lookups from memory, the rest from SQLite.

Opening loads the columns a lookup needs (ids, names, kinds, countries, coordinates,
importance) and the sorted table of name hashes, stored in the index as blobs; that
takes a fraction of a second. A lookup is then a binary search and a few list reads, with
no SQL. Geometries, alternate names and extra attributes stay on disk until asked for.
"""

from __future__ import annotations

import gc
import json
import math
import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

from geo.errors import IndexBuildError
from geo.gazetteer.build import NUMBER_COLUMNS, SEPARATOR, TEXT_COLUMNS, name_hash, read_only_uri
from geo.gazetteer.place import POPULATED_KINDS, Place, distance_km

_POPULATED = frozenset(POPULATED_KINDS)


class PlaceIndex:
    """Read access to a built index: name lookups, ids, and spatial queries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        was_enabled = gc.isenabled()
        gc.disable()  # a quarter of a million new tuples: no point scanning them mid-load
        try:
            self._conn = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
            self._conn.execute("PRAGMA query_only = 1")
            self._load(dict(self._conn.execute("SELECT key, value FROM blobs")))
        except (sqlite3.DatabaseError, KeyError) as err:
            raise IndexBuildError(
                f"The gazetteer index {path} cannot be read ({err}): run `conflictmap gazetteer build` "
                "to build it again."
            ) from err
        finally:
            if was_enabled:
                gc.enable()

    def _load(self, blobs: dict[str, bytes]) -> None:
        text = [blobs[f"col.{c}"].decode().split(SEPARATOR) for c in TEXT_COLUMNS]
        numbers = [np.frombuffer(blobs[f"col.{c}"], dtype=t).tolist() for c, t in NUMBER_COLUMNS.items()]
        columns = dict(zip(TEXT_COLUMNS + tuple(NUMBER_COLUMNS), text + numbers, strict=True))
        # One tuple per place, in Place's field order: a lookup reads one object per place.
        self._rows = list(zip(
            columns["id"], columns["name"], columns["kind"],
            [c or None for c in columns["country"]], columns["lat"], columns["lon"],
            [p or None for p in columns["population"]], [a or None for a in columns["admin1"]],
            columns["importance"], columns["source"],
            _split_countries(columns["countries"]),
            strict=True,
        ))  # fmt: skip
        self._hashes = np.frombuffer(blobs["names.hash"], dtype="<i8")
        self._entries = np.frombuffer(blobs["names.entry"], dtype="<i8")

    def close(self) -> None:
        self._conn.close()

    def __len__(self) -> int:
        return len(self._rows)

    def counts(self) -> dict:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
        return json.loads(row[0]) if row else {}

    def contains_name(self, norm: str) -> bool:
        """True if some place has a name whose normal form is ``norm`` (fast)."""
        h = name_hash(norm)
        i = int(self._hashes.searchsorted(h))
        return i < len(self._hashes) and int(self._hashes[i]) == h

    def lookup(self, norm: str) -> list[tuple[int, Place]]:
        """Places with a name whose normal form is ``norm``: (match type, place)."""
        h = name_hash(norm)
        hashes = self._hashes
        lo = int(hashes.searchsorted(h))
        if lo == len(hashes) or hashes[lo] != h:
            return []
        hi = int(hashes.searchsorted(h, side="right"))
        rows = self._rows
        return [(e & 7, Place(*rows[(e >> 3) - 1], None, None, self)) for e in self._entries[lo:hi].tolist()]

    def names_starting(self, prefix: str, shortest: int, longest: int) -> list[str]:
        """Distinct normal-form names that begin with ``prefix`` and have ``shortest`` to
        ``longest`` characters (a range scan of the names table's key)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._conn.execute(
            "SELECT DISTINCT norm FROM names WHERE norm >= ? AND norm < ? AND length(norm) BETWEEN ? AND ?",
            (prefix, end, shortest, longest),
        )
        return [row[0] for row in rows]

    def outlines(self, min_river_importance: float = 0.55) -> list[tuple[str, str, bytes]]:
        """(name, kind, WKB) of every country, border and major river: the basemap's lines."""
        return self._conn.execute(
            "SELECT p.name, p.kind, s.geom FROM places p JOIN shapes s USING (pk)"
            " WHERE p.kind IN ('country', 'border') OR (p.kind = 'river' AND p.importance >= ?)",
            (min_river_importance,),
        ).fetchall()

    def capitals(self) -> list[tuple[str, float, float]]:
        """(name, lat, lon) of every capital."""
        return self._conn.execute("SELECT name, lat, lon FROM places WHERE kind = 'capital'").fetchall()

    def get(self, place_id: str) -> Place | None:
        row = self._conn.execute("SELECT pk FROM places WHERE id = ?", (place_id,)).fetchone()
        return self._place(row[0] - 1) if row else None

    # -- the PlaceLoader protocol: what a Place loads on first use ------------------------

    def names_of(self, place: Place) -> list[str]:
        rows = self._conn.execute(
            "SELECT n.name FROM names n JOIN places p ON p.pk = n.pk WHERE p.id = ? ORDER BY n.match, n.name",
            (place.id,),
        ).fetchall()
        return list(dict.fromkeys(name for (name,) in rows))

    def shape_of(self, place: Place) -> bytes | None:
        row = self._conn.execute(
            "SELECT s.geom FROM shapes s JOIN places p ON p.pk = s.pk WHERE p.id = ?", (place.id,)
        ).fetchone()
        return row[0] if row else None

    def extra_of(self, place: Place) -> dict:
        row = self._conn.execute("SELECT extra FROM places WHERE id = ?", (place.id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    # -- spatial --------------------------------------------------------------------------

    def nearest_populated(self, lat: float, lon: float, max_km: float = 300) -> Place | None:
        """The nearest city, town or village to (lat, lon), within ``max_km``."""
        for radius in (0.05, 0.2, 0.8, 3.0):
            pks = self._within(lon - radius * 1.5, lat - radius, lon + radius * 1.5, lat + radius)
            places = [self._place(pk - 1) for pk in pks if self._rows[pk - 1][2] in _POPULATED]
            if places:
                best = min(places, key=lambda p: distance_km((lat, lon), p.point))
                # A nearer place may lie just outside the box: look again in a box that
                # holds the whole circle through the best so far.
                km = distance_km((lat, lon), best.point)
                dlat = km / 110.0 + 0.01
                dlon = dlat / max(0.05, math.cos(math.radians(lat)))
                wider = self._within(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
                places = [self._place(pk - 1) for pk in wider if self._rows[pk - 1][2] in _POPULATED]
                best = min(places, key=lambda p: (distance_km((lat, lon), p.point), p.id))
                return best if distance_km((lat, lon), best.point) <= max_km else None
        return None

    def containing(self, lat: float, lon: float, kind: str) -> Place | None:
        """The place of ``kind`` (region, country, continent) whose area holds the point."""
        pks = self._conn.execute(
            "SELECT pk FROM places_rtree WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
            (lon, lon, lat, lat),
        ).fetchall()
        point = shapely.Point(lon, lat)
        found = [self._place(pk - 1) for (pk,) in pks if self._rows[pk - 1][2] == kind]
        for place in sorted(found, key=lambda p: -p.importance):
            if place.geometry.covers(point):
                return place
        return None

    def _within(self, minx: float, miny: float, maxx: float, maxy: float) -> list[int]:
        rows = self._conn.execute(
            "SELECT pk FROM places_rtree WHERE minx >= ? AND maxx <= ? AND miny >= ? AND maxy <= ?",
            (minx, maxx, miny, maxy),
        ).fetchall()
        return [pk for (pk,) in rows]

    def _place(self, i: int) -> Place:
        return Place(*self._rows[i], None, None, self)


def _split_countries(column: list[str]) -> list[tuple[str, ...]]:
    """'BY,UA' -> ('BY', 'UA'); most places touch none, so fill only the few that do."""
    result: list[tuple[str, ...]] = [()] * len(column)
    for i, value in enumerate(column):
        if value:
            result[i] = tuple(value.split(","))
    return result


def shared_index(path: Path) -> PlaceIndex:
    """One reader per index file in a process: the lookups, the map's basemap and its areas
    share it. A rebuilt file (new mtime) gets a new reader."""
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _shared_index(str(path.resolve()), stamp)


@lru_cache(maxsize=4)
def _shared_index(path: str, _stamp: int | None) -> PlaceIndex:
    return PlaceIndex(Path(path))
