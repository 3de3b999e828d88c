"""The app's data of a store version kept on disk (issue 13): loaded as it was saved,
made again for a new revision or a store made again, made by the CLI after an import."""

from __future__ import annotations

import gzip
import json

import numpy as np
from click.testing import CliRunner

from geo import config
from geo.cli import main
from geo.events.record import Event
from geo.export import appcache
from geo.export.columns import EventColumns
from geo.export.mapdata import read_payload_bytes
from geo.store import SQLiteStore


def _store(path, n=5):
    store = SQLiteStore(path)
    rows = []
    for i in range(n):
        event = Event(event_type="Battles" if i % 2 else "Protests", date_start=f"2022-03-0{i % 9 + 1}" if i != 3 else None,
                      time_precision="day", location=f"Place {i}", latitude=None if i == 2 else 48.123456789 + i,
                      longitude=30.5 + i, country=None if i == 1 else "UA", origin="acled:a.csv", fatalities=i or None)  # fmt: skip
        if i == 4:
            event.geometry = {"type": "LineString", "coordinates": [[30.0, 48.0], [31.0, 49.0]]}
        rows.append((f"k{i}", str(i), event))
    store.add_imported_rows(rows)
    return store


def _same(a: EventColumns, b: EventColumns) -> None:
    for name in ("ids", "start", "end", "has_end", "lat", "lon", "fatalities", "named_source", "source_rows",
                 "source_articles"):  # fmt: skip
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert {k: (v.table, v.codes.tolist()) for k, v in a.text.items()} == {
        k: (v.table, v.codes.tolist()) for k, v in b.text.items()
    }
    assert a.geometry == b.geometry


def test_columns_are_kept_and_loaded_as_read(tmp_path, monkeypatch):
    store = _store(tmp_path / "events.sqlite")
    folder = tmp_path / "cache"
    first = appcache.columns_for(store.conn, store.path, store.revision(), folder)
    _same(first, EventColumns.read(store.conn))
    assert len(first.geometry) == 1
    monkeypatch.setattr(EventColumns, "read", classmethod(lambda cls, conn: 1 / 0))  # from the file now
    _same(appcache.columns_for(store.conn, store.path, store.revision(), folder), first)


def test_a_new_revision_or_store_is_read_again(tmp_path):
    path, folder = tmp_path / "events.sqlite", tmp_path / "cache"
    store = _store(path)
    appcache.columns_for(store.conn, store.path, store.revision(), folder)
    store.delete_events(ids=[int(EventColumns.read(store.conn).ids[0])])
    again = appcache.columns_for(store.conn, store.path, store.revision(), folder)
    assert len(again) == 4 and len(list(folder.glob("*.npz"))) == 1  # the older file is gone
    key = appcache.store_key(store.conn, store.path)
    store.close()
    for name in ("events.sqlite", "events.sqlite-wal", "events.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    remade = _store(path, n=3)  # the same path, maybe the same revision: another store
    assert appcache.store_key(remade.conn, remade.path) != key
    assert len(appcache.columns_for(remade.conn, remade.path, remade.revision(), folder)) == 3


def test_a_damaged_file_is_read_again(tmp_path):
    store, folder = _store(tmp_path / "events.sqlite"), tmp_path / "cache"
    appcache.columns_for(store.conn, store.path, store.revision(), folder)
    (kept,) = folder.glob("*.npz")
    kept.write_bytes(b"not a zip")
    assert len(appcache.columns_for(store.conn, store.path, store.revision(), folder)) == 5


def test_the_payload_file_is_made_once(tmp_path, index_path):
    store, folder = _store(tmp_path / "events.sqlite"), tmp_path / "cache"
    columns = appcache.columns_for(store.conn, store.path, store.revision(), folder)
    path = appcache.payload_for(columns, store.conn, store.path, store.revision(), index_path, folder)
    assert path.exists() and read_payload_bytes(path.read_bytes())["count"] == 4
    stamp = path.stat().st_mtime_ns
    assert appcache.payload_for(columns, store.conn, store.path, store.revision(), index_path, folder) == path
    assert path.stat().st_mtime_ns == stamp


def test_import_makes_the_apps_files(tmp_path, index_path):
    rows = tmp_path / "acled.csv"
    rows.write_text("event_date,event_type,latitude,longitude,notes\n2022-03-01,Battles,49.99,36.23,one\n",
                    encoding="utf-8")  # fmt: skip
    store = tmp_path / "events.sqlite"
    result = CliRunner().invoke(main, ["--index", str(index_path), "--store", str(store), "import", str(rows)])
    assert result.exit_code == 0, result.output
    folder = appcache.cache_folder(config.data_dir())
    assert len(list(folder.glob("*-columns-*.npz"))) == 1 and len(list(folder.glob("*-events-*.bin.gz"))) == 1


def test_the_basemap_is_kept_per_index(tmp_path, index_path, monkeypatch):
    from geo.export import mapview

    folder = tmp_path / "cache"
    path = appcache.basemap_for(index_path, folder)
    assert json.loads(gzip.decompress(path.read_bytes())) == json.loads(mapview.safe_json(mapview.basemap_layers(str(index_path))))
    monkeypatch.setattr(appcache, "basemap_layers", lambda index: 1 / 0)  # from the file now
    assert appcache.basemap_for(index_path, folder) == path
    assert len(list(folder.glob("basemap-*.json.gz"))) == 1


def test_the_files_of_a_store_that_is_gone_are_removed(tmp_path):
    """A deleted store's files go when another store's are made; a store made again at the
    same path is another store; a store still there keeps its files."""
    folder = tmp_path / "cache"
    kept, gone = _store(tmp_path / "kept.sqlite"), _store(tmp_path / "gone.sqlite")
    appcache.columns_for(kept.conn, kept.path, kept.revision(), folder)
    appcache.columns_for(gone.conn, gone.path, gone.revision(), folder)
    gone_key, kept_key = appcache.store_key(gone.conn, gone.path), appcache.store_key(kept.conn, kept.path)
    gone.close()
    for name in ("gone.sqlite", "gone.sqlite-wal", "gone.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    assert appcache.prune(folder)  # something went
    assert not list(folder.glob(f"{gone_key}-*")) and list(folder.glob(f"{kept_key}-*-columns-*.npz"))
    remade = _store(tmp_path / "gone.sqlite", n=2)  # the same path, a new store
    appcache.columns_for(remade.conn, remade.path, remade.revision(), folder)
    kept.close()
    for name in ("kept.sqlite", "kept.sqlite-wal", "kept.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    appcache.columns_for(remade.conn, remade.path, remade.revision() + 1, folder)  # a new version prunes
    assert not list(folder.glob(f"{kept_key}-*"))
    assert len(list(folder.glob("*-columns-*.npz"))) == 1
