"""The app's data of a store version, kept on disk (issue 13): the events as columns
(``EventColumns``, an ``.npz``) and the map's payload (``mapdata.payload_bytes``, the gzip
file the map fetches), in ``map-cache`` under the data directory; and the basemap of the
gazetteer index (gzipped JSON, fetched by the map too). The map's files are gzip already,
so the server sends them as they are, without compressing megabytes again per request.

Both are named by the store (its path and a token it keeps in its ``meta`` table, so a
store made again at the same path is another store), its revision and the format of the
file, so a server restart or a new session on an unchanged store loads them in well under
a second instead of reading a million rows again. ``conflictmap import`` and ``ingest``
call ``warm`` when they finish, so even the first visit of the app finds them.

A file that cannot be written only costs the next start its time; one that cannot be read
is made again. The files of a store that is gone (deleted, or made again at its path) are
removed the next time any store's files are made (``prune``): at a million events they
are about 95 MB a store.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np

from geo.errors import ConflictmapError
from geo.export.columns import Coded, EventColumns
from geo.export.mapdata import columns_payload, payload_bytes
from geo.export.mapview import basemap_layers, place_area_lookup, safe_json
from geo.gazetteer.build import read_only_uri

# Raise when what EventColumns holds, or what columns_payload writes, changes: older files
# are then left unread (and removed).
COLUMNS_FORMAT = 1
PAYLOAD_FORMAT = 3
BASEMAP_FORMAT = 2
FOLDER = "map-cache"
SHARED = "served"  # the only folder the app's server sends files from: one secret subfolder a session
SHARED_HOURS = 24  # a session's links are removed this long after it last made one
_ARRAYS = ("ids", "start", "end", "has_end", "lat", "lon", "fatalities", "named_source", "source_rows",
           "source_articles")  # fmt: skip


def cache_folder(data_dir: Path | str) -> Path:
    return Path(data_dir) / FOLDER


def share(path: Path | str, folder: Path | str, token: str) -> Path:
    """``path`` (a map file of ``folder``) linked into the session ``token``'s own folder,
    ``<folder>/served/<token>/``: the app serves only that folder, so a session's map
    fetches its files by a name no one else knows, and nothing else of the cache (the
    columns, the notes naming the store's path) is ever sent. A hard link costs no space;
    where links are not possible the file is copied. Older links of the session and the
    folders of sessions gone a day are removed."""
    path, root = Path(path), Path(folder) / SHARED
    if not token.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"not a session token: {token!r}")
    own = root / token
    target = own / path.name
    if target.exists():
        return target
    own.mkdir(parents=True, exist_ok=True)
    for old in own.iterdir():  # the map files of older store versions
        if old.name.split("-")[0] == path.name.split("-")[0]:
            old.unlink(missing_ok=True)
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    _prune_shared(root, keep=own)
    return target


def shared_folder(folder: Path | str) -> Path:
    return Path(folder) / SHARED


def _prune_shared(root: Path, keep: Path) -> None:
    cutoff = time.time() - SHARED_HOURS * 3600
    for session in root.iterdir():
        try:
            if session != keep and session.stat().st_mtime < cutoff:
                shutil.rmtree(session, ignore_errors=True)
        except OSError:
            continue


def store_key(conn: sqlite3.Connection, store_path: Path | str) -> str:
    """The store's name in the cache: its path and token (``store_<hash>``)."""
    return _key(Path(store_path).resolve(), _token(conn))


def _token(conn: sqlite3.Connection) -> str:
    found = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    return found[0] if found else ""


def _key(resolved: Path, token: str) -> str:
    name = f"{resolved}\0{token}"
    return f"store_{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def prune(folder: Path | str) -> list[Path]:
    """Remove the files of stores that are gone: deleted, or made again at their path (a
    new token). Each store's files are named by a hash; ``<key>-store.json`` beside them
    says which store it was. A store that cannot be read now (locked, no permission) keeps
    its files. Returns what was removed."""
    removed = []
    for note in Path(folder).glob("store_*-store.json"):
        try:
            kept = json.loads(note.read_text(encoding="utf-8"))
            path, token = Path(kept["path"]), kept["token"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if path.exists():
            try:
                with closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
                    if _token(conn) == token:
                        continue
            except sqlite3.Error:
                continue
        key = note.name.removesuffix("-store.json")
        for stale in Path(folder).glob(f"{key}-*"):
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def columns_for(conn: sqlite3.Connection, store_path: Path | str, revision: int, folder: Path | str) -> EventColumns:
    """The store's ``EventColumns`` at ``revision``: from the cache, else read (and kept)."""
    folder = Path(folder)
    key = store_key(conn, store_path)
    path = folder / f"{key}-r{revision}-columns-v{COLUMNS_FORMAT}.npz"
    if path.exists():
        try:
            return load(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass  # damaged or half-written by an older version: read again
    columns = EventColumns.read(conn)
    _replace(folder, f"{key}-*-columns-*.npz", path, lambda out: save(columns, out))
    note = {"path": str(Path(store_path).resolve()), "token": _token(conn)}
    try:
        (folder / f"{key}-store.json").write_text(json.dumps(note), encoding="utf-8")
        prune(folder)  # a new version of this store: a moment to drop those of stores gone
    except OSError:
        pass
    return columns


def payload_for(
    columns: EventColumns,
    conn: sqlite3.Connection,
    store_path: Path | str,
    revision: int,
    index_path: Path | str,
    folder: Path | str,
) -> Path:
    """The file of the map's payload of ``columns`` (the store at ``revision``), made unless
    it is there. The gazetteer index's areas are in it: a new index makes a new file."""
    folder = Path(folder)
    key = store_key(conn, store_path)
    path = folder / f"{key}-r{revision}-events-{_index_key(index_path)}-v{PAYLOAD_FORMAT}.bin.gz"
    if not path.exists():
        data = payload_bytes(columns_payload(columns, area_of=place_area_lookup(Path(index_path)), planes=True))
        _replace(folder, f"{key}-*-events-*", path, lambda out: out.write_bytes(data), optional=False)
    return path


def basemap_for(index_path: Path | str, folder: Path | str) -> Path:
    """The file of the app's basemap (``mapview.basemap_layers`` as gzipped JSON) of the
    gazetteer index: a second to simplify the countries, so kept on disk per index too."""
    path = Path(folder) / f"basemap-{_index_key(index_path)}-v{BASEMAP_FORMAT}.json.gz"
    if not path.exists():
        data = gzip.compress(safe_json(basemap_layers(str(index_path))).encode("utf-8"), mtime=0)
        _replace(Path(folder), f"basemap-{_index_key(index_path)[:8]}*", path, lambda out: out.write_bytes(data),
                 optional=False)  # fmt: skip
    return path


def _index_key(index_path: Path | str) -> str:
    """The gazetteer index's name in the cache: its path, then its size and time (a new
    index is a new file)."""
    try:
        stat = Path(index_path).stat()
        stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
    except OSError:
        stamp = "none"
    where = hashlib.sha256(str(Path(index_path).resolve()).encode()).hexdigest()[:8]
    return where + hashlib.sha256(stamp.encode()).hexdigest()[:8]


def warm(store, index_path: Path | str, data_dir: Path | str) -> bool:
    """Make the app's files of ``store`` (a ``SQLiteStore``) as it is now, after an import
    or an ingest; False when they could not be made (the app then makes them itself)."""
    folder = cache_folder(data_dir)
    try:
        columns = columns_for(store.conn, store.path, store.revision(), folder)
        if len(columns):
            payload_for(columns, store.conn, store.path, store.revision(), index_path, folder)
            basemap_for(index_path, folder)
    except (OSError, sqlite3.Error, ConflictmapError):
        return False
    return True


def save(columns: EventColumns, path: Path) -> None:
    arrays = {name: getattr(columns, name) for name in _ARRAYS}
    arrays.update({f"codes_{name}": coded.codes for name, coded in columns.text.items()})
    meta = {
        "tables": {name: coded.table for name, coded in columns.text.items()},
        "geometry": {str(row): text for row, text in columns.geometry.items()},
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with path.open("wb") as out:
        np.savez(out, **arrays)


def load(path: Path) -> EventColumns:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        arrays = {name: data[name] for name in _ARRAYS}
        text = {name: Coded(table, data[f"codes_{name}"]) for name, table in meta["tables"].items()}
    geometry = {int(row): text for row, text in meta["geometry"].items()}
    return EventColumns(**arrays, text=text, geometry=geometry)


def _replace(folder: Path, older: str, path: Path, write: Callable[[Path], None], optional: bool = True) -> None:
    """Write ``path`` whole (through a temporary file) and remove the store's older files;
    an ``optional`` file that cannot be written (a read-only data directory) is left out."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(handle)
        try:
            write(Path(temporary))
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        for old in folder.glob(older):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        if not optional:
            raise
