from __future__ import annotations

import json
import multiprocessing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import AdditionsFileError, InvalidPlaceError, PlaceNotFoundError
from geo.gazetteer.names import normalise
from geo.gazetteer.user_places import NewPlace, UserPlaces, parse_geometry

BAD = [
    (
        NewPlace(name="X", kind="site", lat=95, lon=30),
        r"Latitude 95 is out of range: it must be between -90 and 90\.",
    ),
    (NewPlace(name="X", kind="site", lat=50, lon=200), r"Longitude 200 is out of range"),
    (NewPlace(name="  ", kind="site", lat=50, lon=30), r"The name is empty"),
    (NewPlace(name="...", kind="site", lat=50, lon=30), r"has no letters or digits"),
    (
        NewPlace(name="X", kind="spaceport", lat=50, lon=30),
        r"Unknown kind 'spaceport'\. Valid kinds: capital, city",
    ),
    (NewPlace(name="X", kind="site"), r"No location: give --lat and --lon, or --geometry"),
    (
        NewPlace(name="X", kind="site", lat=50, lon=30, geometry="POINT (30 50)"),
        r"either --lat/--lon or --geometry",
    ),
    (
        NewPlace(name="X", kind="site", geometry="POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))"),
        r"Invalid Polygon: Self-intersection",
    ),
    (NewPlace(name="X", kind="site", geometry="LINESTRING (30 50, oops)"), r"Invalid WKT geometry"),
    (
        NewPlace(name="X", kind="site", geometry='{"type": "Point", "coordinates": [30]}'),
        r"Invalid GeoJSON geometry",
    ),
    (NewPlace(name="X", kind="site", geometry='{"type": "Point"'), r"Invalid GeoJSON geometry"),
    (NewPlace(name="X", kind="site", geometry="POINT EMPTY"), r"The geometry is empty"),
    (NewPlace(name="X", kind="site", geometry="LINESTRING (30 95, 31 50)"), r"Latitude 95 is out of range"),
    (NewPlace(name="X", kind="site", lat=50, lon=30, country="Ukraine"), r"Invalid country code 'Ukraine'"),
    (NewPlace(name="X", kind="site", lat=50, lon=30, aliases=[""]), r"An alias is empty"),
    (NewPlace(name="X" * 201, kind="site", lat=50, lon=30), r"201 characters long; the limit is 200"),
]


@pytest.fixture
def places(tmp_path) -> UserPlaces:
    return UserPlaces(tmp_path / "user_places.geojson")


@pytest.mark.parametrize(("new", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_input_is_refused_and_the_file_is_unchanged(places, new, message):
    places.add(NewPlace(name="Keep me", kind="bridge", lat=50.5, lon=30.5))
    before = places.path.read_bytes()
    with pytest.raises(InvalidPlaceError, match=message):
        places.add(new)
    assert places.path.read_bytes() == before


def test_file_is_geojson_one_feature_per_line_sorted(places):
    places.add(NewPlace(name="Zhytomyr checkpoint", kind="checkpoint", lat=50.25, lon=28.66))
    places.add(
        NewPlace(name="Antonov Airport", kind="airport", lat=50.60, lon=30.19, aliases=["Hostomel Airport"])
    )
    places.add(NewPlace(name="Irpin bridge", kind="bridge", geometry="LINESTRING (30.24 50.51, 30.25 50.52)"))
    text = places.path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    ids = [f["id"] for f in data["features"]]
    assert ids == sorted(ids) == ["user:antonov-airport", "user:irpin-bridge", "user:zhytomyr-checkpoint"]
    lines = text.splitlines()
    assert len(lines) == 2 + len(ids)  # header, one line per place, footer
    bridge = places.get("user:irpin-bridge")
    assert bridge.geometry.geom_type == "LineString"


def test_same_name_gets_a_new_id(places):
    first = places.add(NewPlace(name="Bridge", kind="bridge", lat=50, lon=30))
    second = places.add(NewPlace(name="Bridge", kind="bridge", lat=51, lon=31))
    assert (first.id, second.id) == ("user:bridge", "user:bridge-2")


def test_remove(places):
    place = places.add(NewPlace(name="Bridge", kind="bridge", lat=50, lon=30))
    assert places.remove(place.id).name == "Bridge"
    assert places.places() == []
    with pytest.raises(
        PlaceNotFoundError, match=r"No place with id user:bridge\. See: conflictmap gazetteer list"
    ):
        places.remove("user:bridge")
    with pytest.raises(PlaceNotFoundError, match=r"geonames:703448 is a built-in place"):
        places.remove("geonames:703448")


def test_import_many_is_all_or_nothing(places):
    news = [
        NewPlace(name="Good", kind="site", lat=50, lon=30),
        NewPlace(name="Bad", kind="site", lat=-91, lon=30),
    ]
    with pytest.raises(InvalidPlaceError, match=r"Place 2 \('Bad'\): Latitude -91 is out of range"):
        places.add_many(news)
    assert not places.path.exists()


def test_a_damaged_file_is_reported_not_overwritten(places):
    places.path.write_text('{"type": "FeatureCollection", "features": [\n{"id": "user:x", \n]}\n')
    before = places.path.read_bytes()
    with pytest.raises(
        AdditionsFileError,
        match=r"user_places.geojson is not valid JSON: .* at line 3, column 1\. Fix the file by hand",
    ):
        places.add(NewPlace(name="New", kind="site", lat=50, lon=30))
    assert places.path.read_bytes() == before


def test_file_edited_by_hand_is_validated(places):
    feature = {"type": "Feature", "id": "user:x", "properties": {"name": "X", "kind": "volcano"},
               "geometry": {"type": "Point", "coordinates": [30, 50]}}  # fmt: skip
    places.path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(AdditionsFileError, match=r"feature 1: Unknown kind 'volcano'"):
        places.places()


def _add_many_in_process(path: str, prefix: str, count: int) -> None:
    places = UserPlaces(__import__("pathlib").Path(path))
    for i in range(count):
        places.add(NewPlace(name=f"{prefix} {i}", kind="site", lat=50 + i / 100, lon=30))


def test_two_processes_adding_at_once_lose_nothing(places):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many_in_process, args=(str(places.path), p, 25)) for p in "AB"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    names = sorted(p.name for p in places.places())
    assert len(names) == 50
    assert names[:2] == ["A 0", "A 1"] and names[-1] == "B 9"


names = st.text(alphabet=st.characters(categories=("L", "N", "Zs", "Pd")), min_size=1, max_size=40).filter(
    lambda s: normalise(s) != ""
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, lat=st.floats(-90, 90), lon=st.floats(-180, 180))
def test_add_then_lookup_finds_the_place(user_gazetteer, name, lat, lon):
    added = user_gazetteer.add_place(NewPlace(name=name, kind="site", lat=lat, lon=lon))
    try:
        best = user_gazetteer.best(name)
        assert best is not None and best.place.id == added.id
        assert best.place.point == pytest.approx((lat, lon))
    finally:
        user_gazetteer.remove_place(added.id)


def test_ids_for_names_in_other_scripts(places):
    assert places.add(NewPlace(name="Ірпінь міст", kind="bridge", lat=50.5, lon=30.2)).id == "user:irpin-mist"
    tokyo = places.add(NewPlace(name="東京タワー", kind="building", lat=35.66, lon=139.75)).id
    assert tokyo.startswith("user:place-") and len(tokyo) == len("user:place-") + 8


def test_edit_keeps_the_id_and_refuses_bad_values(places):
    place = places.add(NewPlace(name="Bridge", kind="bridge", lat=50, lon=30))
    edited = places.update(place.id, NewPlace(name="Irpin Bridge", kind="bridge", lat=50.51, lon=30.24,
                                              aliases=["Romanivka bridge"]))  # fmt: skip
    assert (
        edited.id == place.id and edited.name == "Irpin Bridge" and (edited.lat, edited.lon) == (50.51, 30.24)
    )
    assert [p.name for p in places.places()] == ["Irpin Bridge"]
    before = places.path.read_bytes()
    with pytest.raises(InvalidPlaceError, match=r"Latitude 95 is out of range"):
        places.update(place.id, NewPlace(name="Irpin Bridge", kind="bridge", lat=95, lon=30))
    with pytest.raises(PlaceNotFoundError, match=r"geonames:703448 is a built-in place"):
        places.update("geonames:703448", NewPlace(name="Kyiv", kind="city", lat=50, lon=30))
    with pytest.raises(PlaceNotFoundError, match=r"No place with id user:nothing"):
        places.update("user:nothing", NewPlace(name="X", kind="site", lat=50, lon=30))
    assert places.path.read_bytes() == before


def test_duplicate_ids_in_the_file_are_named(tmp_path):
    path = tmp_path / "user_places.geojson"
    feature = ('{"type": "Feature", "id": "user:x", "properties": {"name": "X", "kind": "site"}, '
               '"geometry": {"type": "Point", "coordinates": [30, 50]}}')  # fmt: skip
    path.write_text('{"type": "FeatureCollection", "features": [' + feature + ", " + feature + "]}", encoding="utf-8")
    with pytest.raises(AdditionsFileError, match=r"features 1 and 2 have the same id user:x; give one of them another id"):
        UserPlaces(path).places()


def test_deeply_nested_geojson_is_refused_with_a_message():
    with pytest.raises(InvalidPlaceError, match="Invalid GeoJSON geometry: nested too deeply to read."):
        parse_geometry('{"type": ' * 100_000 + "1" + "}" * 100_000)


def test_a_place_across_the_antimeridian_is_found_there(tmp_path):
    """Issue 21, 7: its point was the planar centroid, in the Atlantic."""
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    places = UserPlaces(tmp_path / "user_places.geojson")
    place = places.add(NewPlace(name="Taveuni strait", kind="sea",
                                geometry="POLYGON ((179 -17, -179 -17, -179 -16, 179 -16, 179 -17))"))  # fmt: skip
    assert abs(place.lon) >= 179 and -17 <= place.lat <= -16


def test_a_full_disk_changes_nothing_and_leaves_no_tmp_file(tmp_path, monkeypatch):
    """Issue 21, 9: gazetteer add/remove ended in an OSError traceback and left .tmp files."""
    import errno

    import pytest

    from geo.errors import AdditionsFileError
    from geo.gazetteer import user_places as module
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    places = UserPlaces(tmp_path / "user_places.geojson")
    kept = places.add(NewPlace(name="Camp Alpha", kind="site", lat=50.1, lon=30.2))
    before = places.path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module.os, "fsync", full)
    with pytest.raises(AdditionsFileError, match="Cannot save your places in .*: No space left on device. Nothing "
                                                 "was changed; free some space"):  # fmt: skip
        places.add(NewPlace(name="Camp Bravo", kind="site", lat=50.2, lon=30.3))
    with pytest.raises(AdditionsFileError, match="Nothing was changed"):
        places.remove(kept.id)
    assert places.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["user_places.geojson"]
