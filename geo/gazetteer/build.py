"""Building the gazetteer index: an SQLite file made from the sources.

The build writes a temporary file beside the index and renames it into place only when
it is complete, so a crash mid-build leaves the last good index. The index records a
fingerprint of its sources (the content of each file small enough to read at once, else
its size and modification time; and the builder's version); ``ensure_index`` rebuilds when
the fingerprint no longer matches.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import shapely

from geo.errors import IndexBuildError
from geo.gazetteer import geonames_file, names, sources
from geo.gazetteer.geonames_file import layer_name, layer_places
from geo.gazetteer.sources import SourcePlace, Sources, representative

log = logging.getLogger(__name__)

BUILD_VERSION = "2"  # bump when the schema changes
# The code that turns sources into the index: a change to it is a change of source.
HASHED_BYTES = 16 * 2**20  # source files up to this size are fingerprinted by content
_BUILDER_FILES = (names.__file__, sources.__file__, geonames_file.__file__, __file__)

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE places(
    pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
    country TEXT, countries TEXT, admin1 TEXT, population INTEGER, importance REAL NOT NULL,
    source TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, extra TEXT);
CREATE TABLE shapes(pk INTEGER PRIMARY KEY, geom BLOB NOT NULL);
CREATE TABLE names(norm TEXT NOT NULL, pk INTEGER NOT NULL, match INTEGER NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY (norm, pk)) WITHOUT ROWID;
CREATE VIRTUAL TABLE places_rtree USING rtree(pk, minx, maxx, miny, maxy);
"""
INDEXES = """
CREATE INDEX names_pk ON names(pk);
"""
# Columns kept in memory by the reader, stored as blobs so they load in milliseconds.
TEXT_COLUMNS = ("id", "name", "kind", "country", "countries", "admin1", "source")
NUMBER_COLUMNS = {"population": "<i8", "importance": "<f8", "lat": "<f8", "lon": "<f8"}
SEPARATOR = "\x00"


def name_hash(norm: str) -> int:
    """A stable signed 64-bit hash of a normalised name (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "little", signed=True)


def fingerprint(sources: Sources) -> str:
    """What the index was built from: each source file (the imported GeoNames layers'
    too), by content, or by size and mtime when large; and the builder."""
    builder = hashlib.sha256()
    for builder_file in _BUILDER_FILES:
        builder.update(Path(builder_file).read_bytes())
    parts: dict[str, object] = {"build_version": BUILD_VERSION, "builder": builder.hexdigest()}
    for path in [*sources.files(), *sources.layer_files()]:
        try:
            stat = path.stat()
        except FileNotFoundError:
            parts[str(path)] = None
            continue
        if stat.st_size <= HASHED_BYTES:
            # By content and folder/name: another checkout of the same data (a moved or a
            # second working copy) shares the index instead of rebuilding it.
            parts[f"{path.parent.name}/{path.name}"] = [
                stat.st_size,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            ]
        else:
            parts[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return json.dumps(parts, sort_keys=True)


def read_fingerprint(path: Path) -> str | None:
    """The fingerprint stored in an index, or None when there is no usable index."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def read_only_uri(path: Path) -> str:
    """An SQLite URI for opening ``path`` read-only (escapes #, ? and % in the path)."""
    return path.resolve().as_uri() + "?mode=ro"


def is_fresh(path: Path, sources: Sources) -> bool:
    return read_fingerprint(path) == fingerprint(sources)


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _check_writable(path: Path) -> None:
    """Say at once (not after a minute's build) when the index cannot be written there."""
    if path.is_dir():
        raise IndexBuildError(
            f"The index path {path} is a folder: give a file path (--index or CONFLICTMAP_INDEX)."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise IndexBuildError(
            f"Cannot create the folder {path.parent} for the index: {err.strerror}."
        ) from err
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise IndexBuildError(
            f"Cannot write the index at {path}: permission denied. Choose another path with --index or "
            "CONFLICTMAP_INDEX."
        )


def _remove_stale_builds(path: Path) -> None:
    """Temporary files of builds whose process is gone (killed mid-build): about 85 MB each."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, PermissionError):
            continue


def is_damaged(path: Path) -> str | None:
    """What SQLite's quick check finds wrong with the index file, or None if it is sound."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            found = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        return str(err)
    return None if found == ["ok"] else "; ".join(" ".join(f.split()) for f in found)


def ensure_index(path: Path, sources: Sources | None = None, **kwargs) -> bool:
    """Build the index at ``path`` if it is missing or stale. Returns True if it built."""
    sources = sources or Sources()
    if is_fresh(path, sources):
        return False
    with build_lock(path):
        if is_fresh(path, sources):  # another process built it while we waited
            return False
        build_index(path, sources, **kwargs)
        return True


def build_index(
    path: Path,
    sources: Sources | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    _fail_after: int | None = None,
) -> dict:
    """Build the index into ``path`` atomically and return build statistics.

    ``_fail_after`` makes the build crash after that many places (for tests of
    atomicity).
    """
    sources = sources or Sources()
    say = progress or (lambda message: log.info(message))
    start = time.perf_counter()
    missing = [str(p) for p in sources.files() if not p.exists()]
    if missing:
        raise IndexBuildError(
            "Cannot build the gazetteer index: missing source files: "
            + ", ".join(missing)
            + ". Reinstall conflictmap (make install) to restore them."
        )
    stamp = fingerprint(sources)
    _check_writable(path)
    _remove_stale_builds(path)
    with _written_beside(path) as conn:
        conn.executescript(SCHEMA)
        counts = _fill(conn, sources, say, _fail_after)
        say("indexing names")
        conn.executescript(INDEXES)
        _store_columns(conn)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("fingerprint", stamp), ("built_at", time.strftime("%Y-%m-%dT%H:%M:%S%z")),
             ("counts", json.dumps(counts))],
        )  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - start, 1)
    counts["bytes"] = path.stat().st_size
    say(f"built {path} in {counts['seconds']} s")
    return counts


def _fill(conn: sqlite3.Connection, sources: Sources, say, fail_after: int | None) -> dict:
    say("reading Natural Earth and GeoNames")
    counts: dict = {}
    places = sources.all()
    if fail_after is not None:
        places = _crash_after(places, fail_after)
    _insert(conn, places, 1, counts)
    layers = {}
    for path in sources.layer_files():
        say(f"adding the GeoNames layer {path.name}")
        layers[layer_name(path.name)] = _insert_layer(conn, layer_places(path), counts)
    if layers:
        counts["layers"] = layers
    say("locating places in their regions")
    _locate_in_regions(conn)
    counts["names"] = conn.execute("SELECT count(*) FROM names").fetchone()[0]
    return counts


def _crash_after(places: Iterable[SourcePlace], fail_after: int) -> Iterator[SourcePlace]:
    for n, place in enumerate(places, 1):
        if n > fail_after:
            raise IndexBuildError(f"simulated crash after {fail_after} places")
        yield place


def _insert(conn: sqlite3.Connection, places: Iterable[SourcePlace], first_pk: int, counts: dict) -> int:
    """Insert places numbered from ``first_pk`` (in batches, with executemany); returns how many."""
    place_rows, name_rows, tree_rows = [], [], []
    pk = first_pk - 1
    for pk, place in enumerate(places, first_pk):  # noqa: B007 (pk is read after the loop)
        row = _place_row(pk, place)
        place_rows.append(row)
        minx, miny, maxx, maxy = row[14:18]
        tree_rows.append((pk, minx, maxx, miny, maxy))
        name_rows.extend((norm, pk, match, name) for norm, (match, name) in place.names.items())
        counts[place.kind] = counts.get(place.kind, 0) + 1
        if len(place_rows) >= 20_000:
            _flush(conn, place_rows, name_rows, tree_rows)
    _flush(conn, place_rows, name_rows, tree_rows)
    return pk - first_pk + 1


class _KnownPlaces:
    """The places of a GeoNames layer the index already has: the same GeoNames id (a city
    of cities500, a country, a place of another layer), or a first-level region that a
    built-in region of the same country has a name of (Natural Earth's oblasts)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.ids = {i for (i,) in conn.execute("SELECT id FROM places WHERE id LIKE 'geonames:%'")}
        self.regions: dict[str, set[str | None]] = defaultdict(set)
        for norm, country in conn.execute(
            "SELECT n.norm, p.country FROM names n JOIN places p USING (pk) WHERE p.kind = 'region'"
        ):
            self.regions[norm].add(country)

    def __contains__(self, place: SourcePlace) -> bool:
        if place.id in self.ids:
            return True
        return place.kind == "region" and any(place.country in self.regions.get(n, ()) for n in place.names)


def _insert_layer(conn: sqlite3.Connection, places: Iterable[SourcePlace], counts: dict) -> dict:
    """Append a layer's places the index does not have yet, after the last place.
    Returns {"added", "names", "known"}: places added, their names, places skipped."""
    known = _KnownPlaces(conn)
    stats = {"added": 0, "names": 0, "known": 0}

    def new_places() -> Iterator[SourcePlace]:
        for place in places:
            if place in known:
                stats["known"] += 1
                continue
            known.ids.add(place.id)  # a row twice in one file is added once
            stats["names"] += len(place.names)
            yield place

    first_pk = conn.execute("SELECT coalesce(max(pk), 0) + 1 FROM places").fetchone()[0]
    stats["added"] = _insert(conn, new_places(), first_pk, counts)
    return stats


@contextmanager
def _written_beside(path: Path, *, copy: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to a new file beside ``path`` (a copy of it with ``copy``), renamed over
    ``path`` when the block ends, removed if it fails: readers and a crash see the old
    index or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if copy:
        shutil.copyfile(path, tmp)
    else:
        tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        yield conn
        conn.commit()
        conn.close()
        os.replace(tmp, path)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise


def add_layer(path: Path, layer_file: Path, sources: Sources, *, layer: str | None = None) -> dict:
    """Apply one GeoNames layer file to the built index at ``path`` without a rebuild: its
    new places are appended, located in their regions, and added to the reader's columns
    and name table; the fingerprint then covers the layer file. The change is made on a
    copy renamed into place, so readers and a crash see the old index or the new one.
    Returns {"added", "names", "known"} (the caller holds the build lock)."""
    layer = layer or layer_name(layer_file.name)
    with _written_beside(path, copy=True) as conn:
        counts = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()[0])
        first_pk = conn.execute("SELECT coalesce(max(pk), 0) + 1 FROM places").fetchone()[0]
        stats = _insert_layer(conn, layer_places(layer_file, layer), counts)
        if stats["added"]:
            _locate_points(conn, first_pk)
            _append_columns(conn, first_pk)
        counts.setdefault("layers", {})[layer] = stats
        counts["names"] = conn.execute("SELECT count(*) FROM names").fetchone()[0]
        conn.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("fingerprint", fingerprint(sources)), ("counts", json.dumps(counts))],
        )
    return stats


def _flush(conn, place_rows, name_rows, tree_rows) -> None:
    conn.executemany(f"INSERT INTO places VALUES ({', '.join('?' * 13)})", [r[:13] for r in place_rows])
    conn.executemany("INSERT INTO shapes VALUES (?, ?)", [(r[0], r[13]) for r in place_rows if r[13]])
    conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", name_rows)
    conn.executemany("INSERT INTO places_rtree VALUES (?, ?, ?, ?, ?)", tree_rows)
    place_rows.clear()
    name_rows.clear()
    tree_rows.clear()


def _place_row(pk: int, place: SourcePlace) -> tuple:
    """The ``places`` columns, then the WKB (None for a point), then the bounds."""
    if place.geometry is not None:
        if place.lat is None:
            place.lat, place.lon = representative(place.geometry)
        bounds = place.geometry.bounds
        geom = shapely.to_wkb(place.geometry)
    else:
        bounds = (place.lon, place.lat, place.lon, place.lat)
        geom = None
    return (
        pk, place.id, place.name, place.kind, place.country,
        ",".join(place.countries) or None, place.admin1, place.population,
        round(place.importance, 4), place.source, place.lat, place.lon,
        json.dumps(place.extra) if place.extra else None, geom, *bounds,
    )  # fmt: skip


def _store_columns(conn: sqlite3.Connection) -> None:
    """Store the reader's in-memory columns and the sorted name-hash table as blobs."""
    blobs = _column_blobs(conn, 1)
    hashes, entries = _name_arrays(conn, 1)
    order = np.lexsort((entries & 7, hashes))
    blobs["names.hash"] = hashes[order].tobytes()
    blobs["names.entry"] = entries[order].tobytes()
    conn.executemany("INSERT INTO blobs VALUES (?, ?)", list(blobs.items()))


def _append_columns(conn: sqlite3.Connection, first_pk: int) -> None:
    """Extend the stored columns and name table with the places from ``first_pk`` on."""
    old = dict(conn.execute("SELECT key, value FROM blobs"))
    blobs = _column_blobs(conn, first_pk)
    for column in TEXT_COLUMNS:  # "a\0b" + "\0" + "c\0d"
        key = f"col.{column}"
        blobs[key] = old[key] + SEPARATOR.encode() + blobs[key] if first_pk > 1 else blobs[key]
    for column in NUMBER_COLUMNS:
        blobs[f"col.{column}"] = old[f"col.{column}"] + blobs[f"col.{column}"]
    hashes, entries = _name_arrays(conn, first_pk)
    hashes = np.concatenate([np.frombuffer(old["names.hash"], dtype="<i8"), hashes])
    entries = np.concatenate([np.frombuffer(old["names.entry"], dtype="<i8"), entries])
    order = np.lexsort((entries & 7, hashes))
    blobs["names.hash"] = hashes[order].tobytes()
    blobs["names.entry"] = entries[order].tobytes()
    conn.executemany("UPDATE blobs SET value = ? WHERE key = ?", [(v, k) for k, v in blobs.items()])


def _column_blobs(conn: sqlite3.Connection, first_pk: int) -> dict[str, bytes]:
    """The reader's columns of the places from ``first_pk`` on, as bytes."""
    rows = conn.execute(
        f"SELECT {', '.join(TEXT_COLUMNS + tuple(NUMBER_COLUMNS))} FROM places WHERE pk >= ? ORDER BY pk",
        (first_pk,),
    ).fetchall()
    blobs = {}
    for i, column in enumerate(TEXT_COLUMNS):
        blobs[f"col.{column}"] = SEPARATOR.join(r[i] or "" for r in rows).encode()
    for j, (column, dtype) in enumerate(NUMBER_COLUMNS.items(), len(TEXT_COLUMNS)):
        blobs[f"col.{column}"] = np.array([r[j] or 0 for r in rows], dtype=dtype).tobytes()
    return blobs


def _name_arrays(conn: sqlite3.Connection, first_pk: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the names of places from ``first_pk`` on, and one int per name: the
    place's pk and the match type, packed as pk << 3 | match."""
    names = conn.execute("SELECT norm, pk, match FROM names WHERE pk >= ?", (first_pk,)).fetchall()
    hashes = np.array([name_hash(norm) for norm, _, _ in names], dtype="<i8")
    entries = np.array([pk << 3 | match for _, pk, match in names], dtype="<i8")
    return hashes, entries


def _locate_in_regions(conn: sqlite3.Connection) -> None:
    """Fill each region's country, each point place's admin1 (and country if missing),
    and the countries each line or area touches."""

    def rows(sql: str) -> list[tuple]:
        return conn.execute(sql).fetchall()

    countries = rows(
        "SELECT p.country, s.geom FROM places p JOIN shapes s USING (pk)"
        " WHERE p.kind = 'country' AND p.country IS NOT NULL"
    )
    country_tree = shapely.STRtree(shapely.from_wkb([g for _, g in countries]))
    # Natural Earth's admin-1 attributes follow one point of view and its country
    # polygons another (Crimea): the country polygon the region lies in decides.
    regions = rows("SELECT pk, lon, lat FROM places WHERE kind = 'region'")
    conn.executemany(
        "UPDATE places SET country = ?, countries = ? WHERE pk = ?",
        [(countries[j][0], countries[j][0], regions[i][0]) for i, j in _points_in(country_tree, regions)],
    )
    _locate_points(conn, 1)
    shapes = rows(
        "SELECT p.pk, s.geom FROM places p JOIN shapes s USING (pk)"
        " WHERE p.countries IS NULL AND p.kind != 'continent'"
    )
    touched: dict[int, set[str]] = {}
    hits = country_tree.query(shapely.from_wkb([g for _, g in shapes]), predicate="intersects")
    for shape_i, country_i in zip(*hits, strict=True):
        touched.setdefault(int(shape_i), set()).add(countries[country_i][0])
    conn.executemany(
        "UPDATE places SET countries = ?, country = coalesce(country, CASE WHEN ? = 1 THEN ? END)"
        " WHERE pk = ?",
        [(",".join(sorted(cs)), len(cs), min(cs), shapes[i][0]) for i, cs in touched.items()],
    )


def _points_in(tree: shapely.STRtree, places: list[tuple]) -> list[tuple[int, int]]:
    """(place index, area index) of the first area of ``tree`` each (pk, x, y) lies in."""
    coords = np.array([(x, y) for _, x, y in places], dtype=float).reshape(-1, 2)
    hits = tree.query(shapely.points(coords), predicate="within")
    first: dict[int, int] = {}
    for place_i, area_i in zip(*hits, strict=True):
        first.setdefault(int(place_i), int(area_i))
    return list(first.items())


def _locate_points(conn: sqlite3.Connection, first_pk: int) -> None:
    """Fill the admin1 (and the country, if missing) of the point places from ``first_pk``
    on, from the region whose polygon holds them."""
    points = conn.execute(
        "SELECT p.pk, p.lon, p.lat FROM places p LEFT JOIN shapes s USING (pk)"
        " WHERE p.pk >= ? AND s.pk IS NULL AND p.admin1 IS NULL",
        (first_pk,),
    ).fetchall()
    admin = conn.execute(
        "SELECT p.name, p.country, s.geom FROM places p JOIN shapes s USING (pk) WHERE p.kind = 'region'"
    ).fetchall()
    if not points or not admin:
        return
    admin_tree = shapely.STRtree(shapely.from_wkb([g for _, _, g in admin]))
    conn.executemany(
        "UPDATE places SET admin1 = ?, country = coalesce(country, ?) WHERE pk = ?",
        [(admin[j][0], admin[j][1], points[i][0]) for i, j in _points_in(admin_tree, points)],
    )
