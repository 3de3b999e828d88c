"""Shared fixtures: one built index per machine, a fresh data directory per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config
from geo.gazetteer.build import ensure_index
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.reader import PlaceIndex
from geo.gazetteer.user_places import UserPlaces


@pytest.fixture(scope="session")
def index_path() -> Path:
    """The real index (GeoNames + Natural Earth), built once if missing or stale."""
    path = config.index_path()
    ensure_index(path)
    return path


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch) -> Path:
    """No test touches the checkout's own gazetteer/user_places.geojson."""
    data = tmp_path / "data"
    monkeypatch.setenv(config.DATA_DIR_ENV, str(data))
    return data


@pytest.fixture(scope="session")
def place_index(index_path) -> PlaceIndex:
    return PlaceIndex(index_path)


@pytest.fixture(scope="session")
def gazetteer(place_index, tmp_path_factory) -> Gazetteer:
    """The gazetteer with no user places (read-only tests)."""
    data = tmp_path_factory.mktemp("empty-data")
    return Gazetteer(place_index, UserPlaces(config.user_places_path(data)))


@pytest.fixture
def user_gazetteer(place_index, _private_data_dir) -> Gazetteer:
    """The gazetteer with this test's own, empty, additions file."""
    return Gazetteer(place_index, UserPlaces(config.user_places_path(_private_data_dir)))


@pytest.fixture(scope="session")
def geoparser(gazetteer):
    from geo.parse.pipeline import Geoparser

    return Geoparser(gazetteer)
