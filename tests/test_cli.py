from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.gazetteer.place import KINDS


@pytest.fixture
def run(index_path, _private_data_dir):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--index", str(index_path), *args], catch_exceptions=False)

    return invoke


def error_line(result) -> str:
    return [line for line in result.output.splitlines() if line.startswith("Error:")][-1]


ADD = ["gazetteer", "add"]
BAD_INPUT = [
    (
        [*ADD, "--name", "X", "--lat", "95", "--lon", "30"],
        "Error: Latitude 95 is out of range: it must be between -90 and 90.",
    ),
    (
        [*ADD, "--name", "X", "--geometry", "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))"],
        "Error: Invalid Polygon: Self-intersection[0.5 0.5]. A polygon must not cross itself;"
        " remember GeoJSON and WKT put longitude first.",
    ),
    (
        [*ADD, "--name", "", "--lat", "50", "--lon", "30"],
        'Error: The name is empty: give the place\'s name, e.g. --name "Hostomel Airport".',
    ),
    (
        [*ADD, "--name", "X", "--lat", "50", "--lon", "30", "--kind", "spaceport"],
        f"Error: Unknown kind 'spaceport'. Valid kinds: {', '.join(KINDS)}.",
    ),
    (
        [*ADD, "--name", "X", "--lat", "50"],
        "Error: No location: give --lat and --lon, or --geometry (WKT or GeoJSON).",
    ),
    (
        [*ADD, "--name", "X", "--lat", "50", "--lon", "30", "--country", "Ukraine"],
        "Error: Invalid country code 'Ukraine': expected two letters (ISO 3166-1), e.g. UA.",
    ),
]


@pytest.mark.parametrize(("args", "line"), BAD_INPUT, ids=[b[1][7:40] for b in BAD_INPUT])
def test_bad_input_exact_error_and_exit_code(run, _private_data_dir, args, line):
    result = run(*args)
    assert result.exit_code == 1
    assert error_line(result) == line
    assert not (_private_data_dir / "user_places.geojson").exists()


def test_malformed_file(run, tmp_path, _private_data_dir):
    bad = tmp_path / "places.geojson"
    bad.write_text("{not json")
    result = run(*ADD, "--file", str(bad))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {bad} is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."
    )
    bad.write_text(json.dumps({"type": "Feature"}))
    result = run(*ADD, "--file", str(bad))
    assert error_line(result) == (
        f'Error: {bad} is not a GeoJSON FeatureCollection (expected a "features" list).'
    )
    missing = tmp_path / "nope.geojson"
    result = run(*ADD, "--file", str(missing))
    assert result.exit_code == 1
    assert error_line(result).startswith(f"Error: Cannot read {missing}: [Errno 2] No such file or directory")
    assert not (_private_data_dir / "user_places.geojson").exists()


def test_usage_errors_exit_2(run):
    result = run(*ADD, "--name", "X", "--lat", "north", "--lon", "30")
    assert result.exit_code == 2
    assert error_line(result) == "Error: Invalid value for '--lat': 'north' is not a valid float."
    result = run("geocode", "Kyiv", "--near", "fifty")
    assert result.exit_code == 2
    assert "expected LAT,LON such as 50.45,30.52, got 'fifty'" in result.output


def test_add_list_show_remove_round_trip(run, tmp_path):
    result = run(*ADD, "--name", "Hostomel Airport", "--lat", "50.60", "--lon", "30.19", "--kind", "airport",
                 "--alias", "Antonov Airport", "--country", "UA")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Added Hostomel Airport (airport, UA)  50.6000, 30.1900  user:hostomel-airport"
    )

    many = tmp_path / "many.geojson"
    many.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Irpin bridge", "kind": "bridge", "country": "UA"},
         "geometry": {"type": "LineString", "coordinates": [[30.24, 50.51], [30.25, 50.52]]}},
        {"type": "Feature", "properties": {"name": "Bucha district", "kind": "district"},
         "geometry": {"type": "Polygon", "coordinates": [[[30.1, 50.5], [30.3, 50.5], [30.3, 50.6], [30.1, 50.5]]]}},
    ]}))  # fmt: skip
    result = run(*ADD, "--file", str(many))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Added ") == 2

    listed = run("gazetteer", "list", "--format", "json")
    assert [p["id"] for p in json.loads(listed.stdout)] == [
        "user:bucha-district", "user:hostomel-airport", "user:irpin-bridge"
    ]  # fmt: skip

    shown = run("gazetteer", "show", "Antonov Airport")
    assert shown.exit_code == 0
    first = shown.stdout.splitlines()[1]
    assert "user:hostomel-airport" in first and "user addition" in first

    edited = run("gazetteer", "edit", "user:hostomel-airport", "--lat", "50.61", "--lon", "30.20")
    assert edited.stdout.startswith(
        "Saved Hostomel Airport (airport, UA)  50.6100, 30.2000  user:hostomel-airport"
    )
    renamed = run("gazetteer", "edit", "user:irpin-bridge", "--name", "Romanivka bridge")
    assert renamed.exit_code == 0, renamed.output
    line = json.loads(run("gazetteer", "list", "--format", "json").stdout)[-1]
    assert (line["name"], line["geometry"]["type"]) == ("Romanivka bridge", "LineString")  # the line stays
    refused = run("gazetteer", "edit", "user:irpin-bridge", "--lat", "95", "--lon", "30")
    assert refused.exit_code == 1 and "Latitude 95 is out of range" in error_line(refused)

    removed = run("gazetteer", "remove", "user:irpin-bridge")
    assert removed.stdout.startswith("Removed Romanivka bridge (bridge, UA)")
    again = run("gazetteer", "remove", "user:irpin-bridge")
    assert again.exit_code == 1
    assert error_line(again) == "Error: No place with id user:irpin-bridge. See: conflictmap gazetteer list"


def test_geocode_text_and_json(run):
    result = run("geocode", "Kharkov")
    assert result.exit_code == 0
    assert "Kharkiv" in result.stdout and "geonames:706483" in result.stdout
    record = json.loads(run("geocode", "Pripyat River", "--format", "json").stdout)
    assert record["kind"] == "river" and record["geometry"]["type"] in ("LineString", "MultiLineString")
    many = json.loads(run("geocode", "Springfield", "--all", "--limit", "5", "--format", "json").stdout)
    assert len(many) == 5 and many[0]["score"] >= many[-1]["score"]
    hinted = json.loads(run("geocode", "Georgia", "--country", "US", "--format", "json").stdout)
    assert hinted["kind"] == "region" and hinted["country"] == "US"


def test_geocode_not_found(run):
    result = run("geocode", "Qwzxvbnmplk")
    assert result.exit_code == 1
    assert (
        error_line(result)
        == "Error: No place named 'Qwzxvbnmplk'. Add it: conflictmap gazetteer add --name ..."
    )


def test_reverse(run):
    result = run("reverse", "50.60", "30.19")
    assert result.exit_code == 0
    assert ", Kiev Oblast, Ukraine (" in result.stdout and "km away)" in result.stdout


def test_build_reports_up_to_date(run):
    result = run("gazetteer", "build")
    assert result.exit_code == 0
    assert result.stdout.startswith("The index at ") and "is up to date" in result.stdout


def test_ingest_json_lines_then_export_every_format(run, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": "Russian forces shelled Kharkiv on Monday.", "date": "2022-03-08", "source": "Wire"})
        + "\n{broken\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "events.sqlite")
    result = run("--store", store, "ingest", str(feed), "--source", "Desk")
    assert result.exit_code == 1
    assert result.stdout.startswith("1 new article(s), 0 already stored; 1 new event(s)")
    assert error_line(result).startswith(f"Error: {feed}:2 is not a JSON object")
    for name, suffix in [("csv", ".csv"), ("geojson", ".geojson"), ("geoparquet", ".parquet"), ("html", ".html")]:
        out = tmp_path / f"events{suffix}"
        done = run("--store", store, "export", "--out", str(out))  # the format follows the suffix
        assert done.exit_code == 0 and f"1 events, {name})." in done.stdout and out.stat().st_size > 0
    refused = run("--store", store, "export", "--out", store, "--format", "csv")
    assert refused.exit_code == 1
    assert error_line(refused) == f"Error: {store} is a database (perhaps the event store or the index): refusing to overwrite it."


def test_ingest_on_two_workers(run, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": f"Shelling hit Kharkiv on Monday (report {n}).",
                                        "date": "2022-03-08"}) + "\n" for n in range(6)), encoding="utf-8")  # fmt: skip
    store = str(tmp_path / "events.sqlite")
    result = run("--store", store, "ingest", str(feed), "--workers", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("6 new article(s), 0 already stored; 1 new event(s), 5 merged")


def test_the_readme_covers_every_command():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = [name for name in main.commands if name != "gazetteer"]
    commands += [f"gazetteer {name}" for name in main.commands["gazetteer"].commands]
    assert [c for c in commands if f"conflictmap {c}" not in readme] == []
    assert "--workers" in readme and "--scheduler" in readme


def test_events_delete_by_id_and_by_origin(run, tmp_path):
    rows = tmp_path / "acled.csv"
    rows.write_text("event_date,event_type,latitude,longitude,notes\n2022-03-01,Battles,49.99,36.23,one\n"
                    "2022-03-02,Battles,50.45,30.52,two\n2022-03-03,Protests,49.84,24.03,three\n",
                    encoding="utf-8")  # fmt: skip
    store = str(tmp_path / "events.sqlite")
    assert run("--store", store, "import", str(rows)).exit_code == 0
    ids = [e["id"] for e in json.loads(run("--store", store, "events", "--format", "json").stdout)]
    filtered = run("--store", store, "events", "--type", "Protests", "delete", "--origin", "imported")
    assert filtered.exit_code == 2 and "`events delete` does not apply --type" in filtered.output
    assert len(json.loads(run("--store", store, "events", "--format", "json").stdout)) == 3  # nothing lost
    deleted = run("--store", store, "events", "delete", str(ids[0]), "999")
    assert deleted.exit_code == 1 and deleted.stdout == "Deleted 1 event(s).\n"
    assert error_line(deleted) == "Error: No event with id 999: see `conflictmap events` for the ids."
    assert run("--store", store, "events", "delete", "--origin", "imported").stdout == "Deleted 2 event(s).\n"
    assert json.loads(run("--store", store, "events", "--format", "json").stdout) == []
    usage = run("--store", store, "events", "delete")
    assert usage.exit_code == 2 and "Give the ids of the events to delete, or --origin imported." in usage.output


def test_bad_imported_rows_are_reported_and_the_rest_kept(run, tmp_path):
    store = str(tmp_path / "events.sqlite")
    header = "event_date,event_type,latitude,longitude,date_start,geometry\n"
    cases = [
        ("2022-03-01,Battles,49.9,36.2,,not json\n", "line 3: the geometry is not GeoJSON"),
        ("2022-03-01,Battles,49.9,36.2,soon,\n", "line 3: cannot read the date 'soon'"),
        ("2022-03-01,Battles,95,36.2,,\n", "line 3: the latitude '95' is out of range (-90..90)"),
    ]
    for row, message in cases:
        path = tmp_path / "rows.csv"
        path.write_text(header + "2022-03-01,Battles,49.9,36.2,,\n" + row, encoding="utf-8")
        result = run("--store", store, "import", str(path))
        assert result.exit_code == 1 and error_line(result).startswith(f"Error: {path}, {message}"), result.output
    # the good row went in once: importing it again changed nothing
    assert len(json.loads(run("--store", store, "events", "--format", "json").stdout)) == 1


def test_control_characters_never_reach_the_terminal(run, tmp_path):
    hostile = "Kharkiv\x1b]0;owned\x07\x1b[2J\x9b"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"text": "Russian forces shelled Kharkiv on Monday.", "title": hostile,
                                "date": "2022-03-08", "source": hostile}) + "\n", encoding="utf-8")  # fmt: skip
    store = str(tmp_path / "events.sqlite")
    assert run("--store", store, "ingest", str(feed)).exit_code == 0
    for args in (["articles"], ["articles", "--format", "json"], ["events"], ["events", "--format", "json"]):
        output = run("--store", store, *args).output
        assert not any(c in output for c in "\x1b\x07\x9b"), args
    listed = run("--store", store, "articles").output
    assert "Kharkiv\\u001b]0;owned\\u0007" in listed
    assert json.loads(run("--store", store, "articles", "--format", "json").output)[0]["title"] == hostile


def test_events_and_export_filter_by_origin(run, tmp_path):
    store = str(tmp_path / "events.sqlite")
    for name, text in (("ukraine.csv", "event_date,event_type,latitude,longitude,notes\n"
                                       "2022-03-01,Battles,49.99,36.23,one\n2022-03-02,Battles,50.45,30.52,two\n"),
                       ("incidents.csv", "date,lat,lon,description\n2022-03-03,49.84,24.03,a protest in Lviv\n")):  # fmt: skip
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert run("--store", store, "import", str(tmp_path / name)).exit_code == 0

    def notes(*args):
        result = run("--store", store, "events", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [e["notes"] for e in json.loads(result.stdout)]

    assert notes("--origin", "acled") == ["one", "two"]
    assert notes("--origin", "csv:incidents.csv") == ["a protest in Lviv"]
    assert notes("--origin", "acled", "--origin", "csv", "--type", "Battles") == ["one", "two"]
    assert notes("--origin", "imported") == ["one", "two", "a protest in Lviv"]
    assert notes("--bbox", "49,35,51,37") == ["one"]  # SOUTH,WEST,NORTH,EAST around Kharkiv
    assert notes("--bbox", "49,23,51,40", "--from", "2022-03-02", "--to", "2022-03-08") == ["two", "a protest in Lviv"]
    assert run("--store", store, "events", "--bbox", "49,35").exit_code == 2  # named, not guessed
    missing = run("--store", store, "events", "--origin", "acld")
    assert missing.exit_code == 0 and missing.stderr == (
        "No events of origin acld match; the store holds acled:ukraine.csv (2), csv:incidents.csv (1).\n")
    out = tmp_path / "acled.geojson"
    result = run("--store", store, "export", "--out", str(out), "--origin", "acled")
    assert result.exit_code == 0 and result.stdout.startswith(f"Wrote {out} (") and ", 2 events, geojson)" in result.stdout
    assert [f["properties"]["origin"] for f in json.loads(out.read_text())["features"]] == ["acled:ukraine.csv"] * 2


def test_export_never_replaces_your_places(run, tmp_path, _private_data_dir):
    """Issue 21, 1: `export --out <data dir>/user_places.geojson` replaced the user's places."""
    store = str(tmp_path / "events.sqlite")
    assert run("--store", store, *ADD, "--name", "Camp Alpha", "--lat", "50.1", "--lon", "30.2").exit_code == 0
    places = _private_data_dir / "user_places.geojson"
    before = places.read_bytes()
    for extra in ([], ["--force"]):
        result = run("--store", store, "export", "--out", str(places), *extra)
        assert result.exit_code == 1
        assert error_line(result).startswith(f"Error: {places} is in your data directory")
    assert places.read_bytes() == before
    listed = run("gazetteer", "list")
    assert listed.exit_code == 0 and "Camp Alpha" in listed.output


def test_deeply_nested_places_file_is_one_error(run, tmp_path, _private_data_dir):
    """Issue 21, 8: `gazetteer add --file deep.geojson` raised RecursionError."""
    deep = tmp_path / "deep.geojson"
    deep.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = run(*ADD, "--file", str(deep))
    assert result.exit_code == 1
    assert error_line(result) == f"Error: {deep} is nested too deeply to be GeoJSON (thousands of [ or {{ levels)."
    assert not (_private_data_dir / "user_places.geojson").exists()


@pytest.mark.parametrize(("args", "line"), [
    (["geocode", "Kyiv", "--bbox", "nan,nan,nan,nan"], "Error: Invalid value for --bbox: expected SOUTH,WEST,NORTH,EAST in degrees"),
    (["geocode", "Kyiv", "--near", "nan,nan"], "Error: Invalid value for --near: expected LAT,LON within -90..90"),
    (["geocode", "Kyiv", "--near", "95,30"], "Error: Invalid value for --near: expected LAT,LON within -90..90"),
    (["export", "--out", "x.html", "--bbox", "nan,22,53,41"], "expected SOUTH,WEST,NORTH,EAST"),
    (["events", "delete", "99999999999999999999"], "99999999999999999999 is not in the range 1<=x<=9223372036854775807"),
], ids=["bbox-nan", "near-nan", "near-out", "export-bbox-nan", "delete-huge-id"])  # fmt: skip
def test_impossible_numbers_are_usage_errors(run, tmp_path, args, line):
    """Issue 21, 11 and 12: NaN boxes and points, and an id beyond SQLite's, ended in tracebacks."""
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "e.sqlite"), *args])
    assert result.exit_code == 2, result.output
    assert line in result.output


def test_a_geoparquet_suffix_writes_geoparquet(run, tmp_path):
    """Issue 21, 10: `export --out x.geoparquet` wrote HTML."""
    out = tmp_path / "x.geoparquet"
    result = run("--store", str(tmp_path / "e.sqlite"), "export", "--out", str(out))
    assert result.exit_code == 0 and "geoparquet)" in result.output
    assert out.read_bytes()[:4] == b"PAR1"
