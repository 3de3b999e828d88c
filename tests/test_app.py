"""The Streamlit app's logic, run headless with AppTest (no browser, no JavaScript)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(index_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_lookup_shows_ranked_candidates(app):
    app.text_input[0].input("Kharkov").run()
    table = app.table[0].value
    assert table.iloc[0]["name"] == "Kharkiv" and table.iloc[0]["kind"] == "city"
    assert "alternate name 'Kharkov'" in table.iloc[0]["why"]
    assert app.query_params["q"] == "Kharkov"


def test_unknown_name_says_so(app):
    app.text_input[0].input("Qwzxvbnmplk").run()
    assert "No place named 'Qwzxvbnmplk'" in app.warning[0].value


def test_invalid_place_is_refused_and_nothing_saved(app, _private_data_dir):
    app.text_input(key="add_name").input("Bad place")
    app.number_input(key="add_lat").set_value(95.0)
    app.number_input(key="add_lon").set_value(30.0)
    app.button[0].click().run()
    assert "Not saved: Latitude 95 is out of range" in app.error[0].value
    assert not (_private_data_dir / "user_places.geojson").exists()


def test_added_place_is_saved_and_found(app, _private_data_dir):
    app.text_input(key="add_name").input("Hostomel Airport")
    app.selectbox(key="add_kind").select("airport")
    app.number_input(key="add_lat").set_value(50.6)
    app.number_input(key="add_lon").set_value(30.19)
    app.text_input(key="add_aliases").input("Antonov Airport")
    app.button[0].click().run()
    assert "Added Hostomel Airport (airport) as user:hostomel-airport" in app.success[0].value
    saved = json.loads((_private_data_dir / "user_places.geojson").read_text())
    assert saved["features"][0]["properties"]["aliases"] == ["Antonov Airport"]
    app.text_input[0].input("Antonov Airport").run()
    assert app.table[0].value.iloc[0]["id"] == "user:hostomel-airport"


def test_map_tab_shows_the_stored_events(index_path, monkeypatch, tmp_path, geoparser):
    from geo.articles import parse_article
    from geo.events import EventExtractor
    from geo.store import Store

    store_path = tmp_path / "events.sqlite"
    Store(store_path).ingest(parse_article("Russian forces shelled Kharkiv on Monday.", date="2022-03-07"),
                             EventExtractor(geoparser))  # fmt: skip
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(store_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.get("download_button") and "Download this map" in at.get("download_button")[0].proto.label


def test_map_tab_without_events(app):
    assert "No events yet" in app.info[0].value
