"""The index build: atomic, rebuilt when a source changes, user places kept apart."""

from __future__ import annotations

import os
import sqlite3

import pytest
import shapely

from geo.errors import IndexBuildError
from geo.gazetteer.build import build_index, ensure_index, is_damaged, is_fresh, read_fingerprint
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.place import PRIMARY
from geo.gazetteer.sources import SourcePlace, Sources
from geo.gazetteer.user_places import NewPlace, UserPlaces


class TinySources(Sources):
    """Two places from one small source file: fast enough to build in every test."""

    def __init__(self, folder):
        super().__init__()
        self.file = folder / "tiny.txt"
        if not self.file.exists():
            self.file.write_text("Kyiv 50.45 30.52\nLviv 49.84 24.03\n")

    def files(self):
        return [self.file]

    def all(self):
        for line in self.file.read_text().splitlines():
            name, lat, lon = line.split()
            place = SourcePlace(id=f"tiny:{name.lower()}", name=name, kind="city", country="UA",
                                importance=0.5, source="tiny", lat=float(lat), lon=float(lon))  # fmt: skip
            place.add_name(name, PRIMARY)
            yield place


def test_build_then_lookup(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    assert ensure_index(path, sources) is True
    assert ensure_index(path, sources) is False  # fresh: nothing to do
    gaz = Gazetteer.open(path, tmp_path, sources=sources)
    assert gaz.best("kyiv").place.id == "tiny:kyiv"


def test_rebuilt_when_a_source_changes(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    ensure_index(path, sources)
    sources.file.write_text("Kyiv 50.45 30.52\nLviv 49.84 24.03\nOdesa 46.48 30.73\n")
    assert not is_fresh(path, sources)
    gaz = Gazetteer.open(path, tmp_path, sources=sources)
    assert gaz.best("Odesa").place.id == "tiny:odesa"


def test_another_checkout_of_the_same_sources_shares_the_index(tmp_path):
    """A moved or second working copy (another path, newer mtimes) is no reason to rebuild;
    the same file with other content is."""
    first, second = tmp_path / "checkout" / "gazetteer", tmp_path / "copy" / "gazetteer"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    path = tmp_path / "index.sqlite"
    ensure_index(path, TinySources(first))
    (second / "tiny.txt").write_text((first / "tiny.txt").read_text())
    assert is_fresh(path, TinySources(second))
    (second / "tiny.txt").write_text("Kyiv 50.45 30.52\nLviv 49.84 24.04\n")  # same size
    assert not is_fresh(path, TinySources(second))


def test_crash_mid_build_keeps_the_last_good_index(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    build_index(path, sources)
    good = read_fingerprint(path)
    sources.file.write_text("Kyiv 50.45 30.52\nLviv 49.84 24.03\nOdesa 46.48 30.73\n")
    with pytest.raises(IndexBuildError, match="simulated crash after 1 places"):
        build_index(path, sources, _fail_after=1)
    assert read_fingerprint(path) == good
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM places").fetchone()[0] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_corrupt_index_is_rebuilt(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"this is not a database")
    assert read_fingerprint(path) is None
    assert ensure_index(path, sources) is True
    assert Gazetteer.open(path, tmp_path, sources=sources).best("Lviv") is not None


def test_missing_source_is_a_clear_error(tmp_path):
    sources = TinySources(tmp_path)
    sources.file.unlink()
    with pytest.raises(IndexBuildError, match=r"missing source files: .*tiny\.txt\. Reinstall conflictmap"):
        build_index(tmp_path / "index.sqlite", sources)


def test_user_places_survive_a_rebuild(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    ensure_index(path, sources)
    UserPlaces(tmp_path / "user_places.geojson").add(NewPlace(name="Kyiv", kind="site", lat=1, lon=1))
    build_index(path, sources)
    gaz = Gazetteer.open(path, tmp_path, sources=sources)
    assert [c.place.id for c in gaz.lookup("Kyiv")] == ["user:kyiv", "tiny:kyiv"]


def test_index_location_is_overridable(tmp_path, monkeypatch):
    from geo import config

    monkeypatch.setenv(config.INDEX_ENV, str(tmp_path / "elsewhere.sqlite"))
    assert config.index_path() == tmp_path / "elsewhere.sqlite"
    monkeypatch.delenv(config.INDEX_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert config.index_path() == tmp_path / "cache" / "conflictmap" / "gazetteer.sqlite"


def test_real_index_has_every_layer(place_index):
    counts = place_index.counts()
    for kind in ("country", "continent", "region", "border", "river", "lake", "sea", "capital", "city"):
        assert counts[kind] > 0, kind
    assert counts["country"] >= 240 and counts["village"] > 150_000
    assert counts["names"] > 1_000_000


def test_every_place_has_the_fields_a_place_must_have(place_index):
    for place_id in ("geonames:703448", "ne:1159120231", "border:BY-UA", "geonames:798544"):
        place = place_index.get(place_id)
        assert place.name and place.kind and place.alternate_names
        assert isinstance(place.geometry, shapely.Geometry) and place.geometry.is_valid
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
    assert place_index.get("geonames:703448").population > 2_000_000


def test_a_killed_build_leaves_no_temporary_file_for_good(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    dead = tmp_path / f".{path.name}.{2**22 + 12345}.tmp"  # a pid no process has
    dead.write_bytes(b"x" * 1000)
    live = tmp_path / f".{path.name}.{os.getpid()}0.tmp"
    build_index(path, sources)
    assert not dead.exists() and path.exists() and not live.exists()


def test_an_index_path_that_cannot_be_written_is_named_before_building(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(IndexBuildError, match="The index path .*a-folder is a folder: give a file path"):
        build_index(folder, TinySources(tmp_path))


def test_a_damaged_index_is_found(tmp_path):
    sources = TinySources(tmp_path)
    path = tmp_path / "index.sqlite"
    build_index(path, sources)
    assert is_damaged(path) is None
    size = path.stat().st_size
    with path.open("r+b") as handle:  # keep the header and the first pages (meta), damage the rest
        handle.seek(size // 2)
        handle.write(b"\x13" * (size // 2))
    assert is_damaged(path)
