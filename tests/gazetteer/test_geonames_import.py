"""Importing GeoNames dump files as regional layers: checked line by line, added to the
index without a rebuild, ranked like the built-in GeoNames places, kept across rebuilds.

The files are small dumps in the GeoNames format written here. Their village, river and
bridge are made up (ids from 99,000,001), so no built-in place has their names; Kyiv and
Zaporizhzhia Oblast are real and already in the index.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo import config
from geo.cli import main
from geo.errors import GeoNamesFileError
from geo.gazetteer.build import build_index, is_fresh
from geo.gazetteer.geonames_file import BadLine, kind_of, layer_name, parse_line
from geo.gazetteer.layers import RawDump, import_geonames, list_layers, remove_layer
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.reader import PlaceIndex
from geo.gazetteer.sources import Sources
from geo.gazetteer.user_places import UserPlaces
from geo.parse.pipeline import Geoparser
from tests.gazetteer.test_build import TinySources

FORMAT_HINT = "is this the file from the GeoNames export dump (e.g. UA.txt)?"


def dump_line(geonameid, name, alternates, lat, lon, feature_class, feature_code, country="UA",
              population=0, asciiname=None) -> str:  # fmt: skip
    """One line in the GeoNames dump format (19 tab-separated columns)."""
    return "\t".join([
        str(geonameid), name, asciiname if asciiname is not None else name, ",".join(alternates),
        f"{lat}", f"{lon}", feature_class, feature_code, country, "", "26", "", "", "",
        str(population), "", "120", "Europe/Zaporozhye", "2024-05-01",
    ])  # fmt: skip


VILLAGE = dump_line(99000001, "Kozachi Taborky", ["Козачі Таборки", "Казачьи Таборки", "Kozachi Tabirky"],
                    47.71234, 35.98771, "P", "PPL", population=0)  # fmt: skip
RIVER = dump_line(99000002, "Zhovta Balka", ["Жовта Балка"], 47.8, 35.9, "H", "STM")
BRIDGE = dump_line(99000003, "Taborky Bridge", ["Таборківський міст"], 47.715, 35.99, "S", "BDG")
KYIV = dump_line(703448, "Kyiv", ["Kiev", "Київ"], 50.45466, 30.5238, "P", "PPLC", population=2797553)
OBLAST = dump_line(687699, "Zaporizhzhia Oblast", ["Zaporiz'ka Oblast'", "Запорізька область"],
                   47.5, 35.83, "A", "ADM1", population=1705836)  # fmt: skip
BAD = "1\tonly\tseven\tcolumns\there\t1\t2"
# Line 3 is bad: reported and skipped; the rest is imported.
UA_TXT = "\n".join([VILLAGE, RIVER, BAD, BRIDGE, KYIV, OBLAST]) + "\n"


def write_ua(folder, text: str = UA_TXT, name: str = "UA.txt"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the format ---------------------------------------------------------------------------------

BAD_LINES = [
    (BAD, r"^line 3 has 7 tab-separated columns; a GeoNames dump line has 19$"),
    ("Kyiv,50.45,30.52", r"^line 3 has 1 tab-separated column; a GeoNames dump line has 19$"),
    (VILLAGE.replace("99000001", "x1", 1), r"^line 3: the geonameid 'x1' is not a whole number$"),
    (VILLAGE.replace("47.71234", "north", 1), r"^line 3: the latitude 'north' is not a number$"),
    (VILLAGE.replace("35.98771", "200", 1), r"^line 3: the longitude 200 is out of range \(-180 to 180\)$"),
    (VILLAGE.replace("\tP\tPPL\t", "\tQ\tPPL\t", 1), r"^line 3: unknown feature class 'Q'; expected one of A, H"),
    (VILLAGE.replace("\tKozachi Taborky\t", "\t \t", 1), r"^line 3: the name is empty"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m[1:40] for _, m in BAD_LINES])
def test_a_bad_line_is_named_with_what_was_expected(line, message):
    with pytest.raises(BadLine, match=message):
        parse_line(line, 3)


@given(st.text(max_size=300))
def test_any_text_is_a_row_or_a_bad_line(text):
    try:
        row = parse_line(text, 1)
    except BadLine as err:
        assert str(err).startswith("line 1")
    else:
        assert -90 <= row.lat <= 90 and -180 <= row.lon <= 180


KINDS = [
    ("P", "PPL", 0, "village"), ("P", "PPL", 25_000, "town"), ("P", "PPLA", 300_000, "city"),
    ("P", "PPLC", 2_000_000, "capital"), ("P", "PPLX", 0, "neighbourhood"), ("P", "PPLQ", 0, "settlement"),
    ("H", "STM", 0, "river"), ("H", "RSV", 0, "lake"), ("A", "ADM1", 0, "region"), ("A", "ADM2", 0, "district"),
    ("S", "BDG", 0, "bridge"), ("S", "AIRP", 0, "airport"), ("S", "PSN", 0, "power_plant"),
    ("S", "SCH", 0, "building"), ("S", "FCL", 0, "facility"), ("L", "MILB", 0, "base"),
    ("T", "HLL", 0, "mountain"), ("T", "ISL", 0, "island"), ("R", "RD", 0, "road"), ("V", "FRST", 0, "physical_region"),
]  # fmt: skip


@pytest.mark.parametrize(("fclass", "code", "population", "kind"), KINDS, ids=[f"{k[0]}.{k[1]}-{k[3]}" for k in KINDS])
def test_feature_codes_map_to_our_kinds(fclass, code, population, kind):
    line = dump_line(1, "X", [], 50, 30, fclass, code, population=population)
    assert kind_of(parse_line(line, 1))[0] == kind


def test_a_village_ranks_like_a_built_in_village_of_its_population():
    row = parse_line(dump_line(1, "X", [], 50, 30, "P", "PPL", population=500), 1)
    assert kind_of(row) == ("village", pytest.approx(0.34, abs=0.01))  # cities500: log10(510) / 8


@pytest.mark.parametrize(
    ("file_name", "layer"), [("UA.txt", "UA"), ("UA.zip", "UA"), ("allCountries.txt", "allCountries"),
                             ("UA (1).txt", "UA-1"), ("RU.txt.gz", "RU")],
)  # fmt: skip
def test_layer_names_come_from_the_file_name(file_name, layer):
    assert layer_name(file_name) == layer


# -- importing into a tiny index (fast enough to rebuild in a test) ----------------------------


@pytest.fixture
def tiny(tmp_path, _private_data_dir):
    """A two-place index built from TinySources, and this test's empty data directory."""
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    build_index(path, sources)
    return path, sources


def test_import_adds_the_rows_and_reports_the_bad_line(tiny, tmp_path, _private_data_dir):
    path, sources = tiny
    report = import_geonames([write_ua(tmp_path)], index_path=path, sources=sources)
    assert report.failures == []
    [done] = report.imports
    assert (done.layer, done.rows, done.added, done.known, done.bad) == ("UA", 5, 5, 0, 1)
    assert done.summary().startswith(
        "UA.txt (layer UA): added 5 places and 1"
    ) and done.summary().endswith(
        "; 0 already known were skipped; 1 bad line skipped (line 3 has 7 tab-separated columns; "
        "a GeoNames dump line has 19)."
    )
    assert not done.rebuilt and is_fresh(path, sources)  # no rebuild now, nor on the next open
    assert (_private_data_dir / "geonames_layers" / "UA.txt.gz").exists()
    gaz = Gazetteer(PlaceIndex(path), UserPlaces(tmp_path / "none.geojson"))
    village = gaz.best("Козачі Таборки").place
    assert (village.id, village.kind, village.source) == ("geonames:99000001", "village", "geonames")
    assert village.point == pytest.approx((47.71234, 35.98771))


def test_a_rebuild_keeps_the_layer(tiny, tmp_path):
    path, sources = tiny
    import_geonames([write_ua(tmp_path)], index_path=path, sources=sources)
    counts = build_index(path, sources)  # what `conflictmap gazetteer build --force` does
    assert counts["layers"]["UA"] == {"added": 5, "names": counts["layers"]["UA"]["names"], "known": 0}
    gaz = Gazetteer(PlaceIndex(path), UserPlaces(tmp_path / "none.geojson"))
    assert gaz.best("Kozachi Tabirky").place.id == "geonames:99000001"
    assert gaz.best("Lviv").place.id == "tiny:lviv"  # the built-in places are still there


def test_reimport_adds_nothing_twice(tiny, tmp_path):
    path, sources = tiny
    ua = write_ua(tmp_path)
    import_geonames([ua], index_path=path, sources=sources)
    again = import_geonames([ua], index_path=path, sources=sources).imports[0]
    assert (again.added, again.known, again.rebuilt) == (0, 5, False)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM places").fetchone()[0] == 2 + 5
    assert len(PlaceIndex(path).lookup("kozachi taborky")) == 1


def test_an_updated_file_replaces_its_layer(tiny, tmp_path):
    path, sources = tiny
    import_geonames([write_ua(tmp_path)], index_path=path, sources=sources)
    newer = write_ua(tmp_path, "\n".join([VILLAGE.replace("47.71234", "47.7", 1), RIVER]) + "\n")
    done = import_geonames([newer], index_path=path, sources=sources).imports[0]
    assert done.rebuilt and (done.added, done.rows) == (2, 2)
    index = PlaceIndex(path)
    assert index.lookup("taborky bridge") == []  # gone from the file, gone from the index
    assert index.get("geonames:99000001").lat == pytest.approx(47.7)


def test_a_wrong_file_is_refused_and_changes_nothing(tiny, tmp_path, _private_data_dir):
    path, sources = tiny
    before = path.read_bytes()
    csv = write_ua(tmp_path, "name,lat,lon\nKozachi Taborky,47.7,35.9\n", "places.csv")
    report = import_geonames([csv, tmp_path / "missing.txt"], index_path=path, sources=sources)
    assert report.imports == []
    assert report.failures == [
        f"places.csv: line 1 has 1 tab-separated column; a GeoNames dump line has 19 — {FORMAT_HINT}",
        f"Cannot read {tmp_path / 'missing.txt'}: No such file or directory.",
    ]
    assert path.read_bytes() == before
    assert list((_private_data_dir / "geonames_layers").iterdir()) == []


def test_mostly_bad_lines_refuse_the_file(tiny, tmp_path):
    path, sources = tiny
    text = "\n".join([VILLAGE, BAD, BAD]) + "\n"
    with pytest.raises(GeoNamesFileError, match=r"UA.txt: 2 of 3 lines are not GeoNames rows, the first: line 2"):
        raise_first(import_geonames([write_ua(tmp_path, text)], index_path=path, sources=sources))


def raise_first(report):
    if report.failures:
        raise GeoNamesFileError(report.failures[0])


def test_zip_and_upload_as_downloaded(tiny, tmp_path):
    import io
    import zipfile

    path, sources = tiny
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("UA.txt", UA_TXT)
        archive.writestr("readme.txt", "GeoNames dump")
    done = import_geonames([RawDump(data.getvalue(), "UA.zip")], index_path=path, sources=sources).imports[0]
    assert (done.layer, done.added) == ("UA", 5)


def test_remove_a_layer(tiny, tmp_path):
    path, sources = tiny
    import_geonames([write_ua(tmp_path)], index_path=path, sources=sources)
    assert [(layer.name, layer.rows, layer.source_file) for layer in list_layers(sources=sources)] == [("UA", 5, "UA.txt")]
    remove_layer("UA", index_path=path, sources=sources)
    assert list_layers(sources=sources) == [] and PlaceIndex(path).lookup("kozachi taborky") == []
    with pytest.raises(GeoNamesFileError, match=r"No GeoNames layer named 'UA' \(layers: none yet\)"):
        remove_layer("UA", index_path=path, sources=sources)


# -- importing into the real index ------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(index_path, tmp_path_factory):
    """A copy of the real index with UA.txt imported, and the data directory holding it."""
    folder = tmp_path_factory.mktemp("geonames-import")
    path, data = folder / "index.sqlite", folder / "data"
    shutil.copyfile(index_path, path)
    sources = Sources(layers_dir=config.geonames_layers_dir(data))
    report = import_geonames([write_ua(folder)], index_path=path, data_dir=data, sources=sources)
    assert report.failures == []
    return path, data, report.imports[0]


@pytest.fixture(scope="module")
def imported_gazetteer(imported):
    path, data, _ = imported
    return Gazetteer(PlaceIndex(path), UserPlaces(config.user_places_path(data)))


def test_known_places_are_skipped(imported):
    _, _, done = imported
    assert (done.added, done.known, done.bad, done.rebuilt) == (3, 2, 1, False)  # Kyiv and the oblast known


@pytest.mark.parametrize("name", ["Kozachi Taborky", "Козачі Таборки", "Казачьи Таборки", "Kozachi Tabirky"])
def test_the_village_by_every_name(imported_gazetteer, name):
    best = imported_gazetteer.best(name)
    assert best.place.id == "geonames:99000001"
    assert best.place.point == pytest.approx((47.71234, 35.98771))
    assert best.place.admin1 == "Zaporizhzhya Oblast" and best.place.country == "UA"
    assert "user addition" not in best.reasons  # ranked like built-in GeoNames places


def test_the_river_and_the_bridge(imported_gazetteer):
    assert imported_gazetteer.best("Zhovta Balka River").place.kind == "river"
    assert imported_gazetteer.best("Таборківський міст").place.kind == "bridge"


def test_built_in_places_still_come_first(imported_gazetteer):
    assert imported_gazetteer.best("Kyiv").place.id == "geonames:703448"
    assert len([c for c in imported_gazetteer.lookup("Kyiv", limit=None) if c.place.id == "geonames:703448"]) == 1


def test_a_sentence_finds_the_village(imported_gazetteer):
    found = Geoparser(imported_gazetteer).parse("Shelling damaged houses in Kozachi Taborky on Monday.")
    assert [(r.mention.text, r.place.id) for r in found] == [("Kozachi Taborky", "geonames:99000001")]


def test_cli_finds_the_village_without_a_rebuild(imported):
    path, data, _ = imported
    runner = CliRunner()
    args = ["--index", str(path), "--data-dir", str(data)]
    shown = runner.invoke(main, [*args, "gazetteer", "show", "Козачі Таборки"], catch_exceptions=False)
    assert shown.exit_code == 0 and "Building" not in shown.output
    assert shown.stdout.splitlines()[1].split()[1] == "geonames:99000001"
    geocoded = runner.invoke(main, [*args, "geocode", "Kozachi Taborky"], catch_exceptions=False)
    assert "47.7123, 35.9877  village  geonames:99000001" in geocoded.stdout
    layers = runner.invoke(main, [*args, "gazetteer", "layers"], catch_exceptions=False)
    assert layers.stdout.startswith("UA  5 rows from UA.txt, imported ")


def test_cli_import_summary_and_errors(index_path, tmp_path):
    runner = CliRunner()
    private = tmp_path / "index.sqlite"
    shutil.copyfile(index_path, private)
    data = tmp_path / "data"
    args = ["--index", str(private), "--data-dir", str(data), "gazetteer", "import-geonames"]
    first = runner.invoke(main, [*args, str(write_ua(tmp_path))], catch_exceptions=False)
    assert first.exit_code == 0 and "Building" not in first.output, first.output
    assert first.stdout.startswith("UA.txt (layer UA): added 3 places and ")
    again = runner.invoke(main, [*args, str(write_ua(tmp_path))], catch_exceptions=False)
    assert again.stdout.startswith("UA.txt (layer UA): added 0 places and 0 names; 5 already known were skipped; "
                                   "1 bad line skipped (line 3 has 7")  # fmt: skip
    wrong = runner.invoke(main, [*args, str(write_ua(tmp_path, "a,b\n", "x.csv"))], catch_exceptions=False)
    assert wrong.exit_code == 1
    assert wrong.stderr.splitlines()[-1] == (
        f"Error: x.csv: line 1 has 1 tab-separated column; a GeoNames dump line has 19 — {FORMAT_HINT}"
    )


def test_a_byte_order_mark_and_windows_line_ends_are_no_bad_lines(tiny, tmp_path):
    path, sources = tiny
    ua = tmp_path / "UA.txt"
    ua.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([VILLAGE, RIVER]).encode() + b"\r\n")
    done = import_geonames([ua], index_path=path, sources=sources).imports[0]
    assert (done.added, done.bad) == (2, 0)


def test_a_zip_holding_one_giant_line_is_refused_without_reading_it_whole():
    """Issue 21, 6: a 300 KB zip holding one 300 MB line peaked at 810 MB before it was refused."""
    import io
    import tracemalloc
    import zipfile

    from geo.gazetteer.geonames_file import DumpStats, read_rows

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("UA.txt", b"7" * (64 * 2**20))  # 64 MB of one line, about 64 KB zipped
    assert len(buffer.getvalue()) < 2**20
    buffer.seek(0)
    tracemalloc.start()
    try:
        with pytest.raises(GeoNamesFileError, match=r"UA.zip: line 1 is longer than 1 MB, which no GeoNames row is"):
            list(read_rows(buffer, "UA.zip", DumpStats()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20
