"""Fixtures of the event tests: an extractor over the shared gazetteer, a fresh store."""

from __future__ import annotations

import pytest

from geo.events.extract import EventExtractor
from geo.parse.pipeline import Geoparser
from geo.store import SQLiteStore


@pytest.fixture(scope="module")
def extractor(gazetteer) -> EventExtractor:
    return EventExtractor(Geoparser(gazetteer))


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "events.sqlite")
    yield store
    store.close()
