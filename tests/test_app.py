"""The Streamlit app's logic, run headless with AppTest (no browser, no JavaScript)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import ingest_one

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(index_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_lookup_shows_ranked_candidates(app):
    app.text_input(key="place_query").input("Kharkov").run()
    table = app.table[0].value
    assert table.iloc[0]["name"] == "Kharkiv" and table.iloc[0]["kind"] == "city"
    assert "alternate name 'Kharkov'" in table.iloc[0]["why"]
    assert app.query_params["place"] == "Kharkov"


def test_unknown_name_says_so(app):
    app.text_input(key="place_query").input("Qwzxvbnmplk").run()
    assert "No place named 'Qwzxvbnmplk'" in app.warning[0].value


def test_invalid_place_is_refused_and_nothing_saved(app, _private_data_dir):
    app.text_input(key="add_name").input("Bad place")
    app.number_input(key="add_lat").set_value(95.0)
    app.number_input(key="add_lon").set_value(30.0)
    app.button(key="add_place_submit").click().run()
    assert "Not saved: Latitude 95 is out of range" in app.error[0].value
    assert not (_private_data_dir / "user_places.geojson").exists()


def test_added_place_is_saved_and_found(app, _private_data_dir):
    app.text_input(key="add_name").input("Hostomel Airport")
    app.selectbox(key="add_kind").select("airport")
    app.number_input(key="add_lat").set_value(50.6)
    app.number_input(key="add_lon").set_value(30.19)
    app.text_input(key="add_aliases").input("Antonov Airport")
    app.button(key="add_place_submit").click().run()
    assert "Added Hostomel Airport (airport) as user:hostomel-airport" in app.success[0].value
    saved = json.loads((_private_data_dir / "user_places.geojson").read_text())
    assert saved["features"][0]["properties"]["aliases"] == ["Antonov Airport"]
    app.text_input(key="place_query").input("Antonov Airport").run()
    assert app.table[0].value.iloc[0]["id"] == "user:hostomel-airport"


def test_map_tab_shows_the_stored_events(index_path, monkeypatch, tmp_path, geoparser):
    from geo.events.articles import parse_article
    from geo.events.extract import EventExtractor
    from geo.store import SQLiteStore

    store_path = tmp_path / "events.sqlite"
    ingest_one(SQLiteStore(store_path), parse_article("Russian forces shelled Kharkiv on Monday.", date="2022-03-07"),
                             EventExtractor(geoparser))  # fmt: skip
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(store_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.get("download_button") and "Download this map" in at.get("download_button")[0].proto.label


def test_map_tab_without_events(app):
    assert "No events yet" in app.info[0].value


@pytest.fixture
def seeded_app(index_path, monkeypatch, tmp_path, geoparser):
    from geo.events.articles import parse_article
    from geo.events.extract import EventExtractor
    from geo.store import SQLiteStore

    store_path = tmp_path / "events.sqlite"
    store = SQLiteStore(store_path)
    extractor = EventExtractor(geoparser)
    ingest_one(store,
        parse_article("Russian forces shelled Kharkiv on Monday.", date="2022-03-07", source="A"), extractor
    )
    ingest_one(store,
        parse_article("Talks were held in Gomel on Sunday.", date="2022-02-27", source="B"), extractor
    )
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(store_path))
    return store_path


def test_filters_come_from_and_go_to_the_url(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["type"] = "Diplomacy"
    at.run()
    assert not at.exception
    assert at.multiselect(key="types").value == ["Diplomacy"]
    assert [m.value for m in at.metric][:1] == ["1"]
    at.multiselect(key="types").set_value([]).run()
    assert "type" not in at.query_params and [m.value for m in at.metric][:1] == ["2"]
    at.text_input(key="text").input("Kharkiv").run()
    assert at.query_params["q"] == "Kharkiv" and [m.value for m in at.metric][:1] == ["1"]
    at.text_input(key="text").input("no such words").run()
    assert not at.exception and [m.value for m in at.metric][:1] == ["0"]


def test_a_bad_url_value_is_named(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "yesterday"
    at.run()
    assert "Ignored from='yesterday': dates are YYYY-MM-DD." in at.warning[0].value.replace("\\", "")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["event"] = "[win a prize](https://evil.example)"
    at.run()
    shown = at.warning[0].value  # Markdown source: the link is escaped, so it shows as text
    assert "](" not in shown and "[win a prize" in shown.replace("\\", "")


def open_event(store_path, location: str):
    """The app opened on a link to the stored event at ``location``; returns (app, event)."""
    from geo.store import SQLiteStore

    event = next(e for e in SQLiteStore(store_path).events() if e.location == location)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["event"] = str(event.id)
    at.run()
    assert not at.exception
    return at, event


def test_an_event_in_the_url_shows_its_details(seeded_app):
    at, _ = open_event(seeded_app, "Homyel'")
    assert any("Diplomacy: Homyel'" in h.value for h in at.subheader)
    assert any("<mark>" in m.value and "Gomel" in m.value for m in at.markdown)


def test_pasting_an_article_adds_its_events(index_path, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_area(key="pasted").input("Refugees fled to Poland on Saturday.")
    at.text_input(key="pasted_source").input("Paste")
    at.button(key="ingest").click().run()
    assert not at.exception
    assert "pasted text added: 1 new event(s), 0 merged." in at.success[0].value
    at.run()
    assert [m.value for m in at.metric][:1] == ["1"]


def test_reresolve_shows_what_moved(seeded_app, _private_data_dir):
    from geo.config import user_places_path
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    UserPlaces(user_places_path(_private_data_dir)).add(
        NewPlace(name="Gomel", kind="site", lat=52.40, lon=31.00)
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.button(key="reresolve").click().run()
    assert not at.exception
    assert any(m.value.startswith("Homyel' → Gomel") for m in at.markdown)


def test_play_steps_the_dates_until_the_last_day(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert at.slider(key="dates").value == (date(2022, 2, 27), date(2022, 3, 7))
    at.button(key="play").click().run()  # all days: playback starts with a window at the start
    assert not at.exception
    assert at.session_state["playing"]
    low, high = at.slider(key="dates").value
    assert low == date(2022, 2, 27) and high < date(2022, 3, 7)
    at.run()  # one tick of the timer
    assert at.slider(key="dates").value == (low + timedelta(days=1), high + timedelta(days=1))
    assert at.query_params["from"] == (low + timedelta(days=1)).isoformat()
    for _ in range(10):
        at.run()
    assert at.slider(key="dates").value[1] == date(2022, 3, 7)  # stopped at the end
    assert not at.session_state["playing"]


def test_url_view_and_a_missing_event(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["at"] = "50.0000,36.2500,8"
    at.query_params["event"] = "9999"
    at.query_params["from"] = "2021-01-01"  # before the first event: kept inside the stored dates
    at.run()
    assert not at.exception
    assert at.session_state["start_view"].zoom == 8
    assert at.slider(key="dates").value[0] == date(2022, 2, 27)
    assert "No event 9999 in the store" in at.warning[0].value


def test_details_list_the_other_candidates(seeded_app):
    at, event = open_event(seeded_app, "Kharkiv")
    assert any("Other candidates" in m.value for m in at.markdown)
    others = at.table[0].value
    assert len(others) >= 1 and event.gazetteer_id not in others["id"].tolist()
    assert list(others["score"]) == sorted(others["score"], reverse=True)


def test_edit_a_place_and_invalid_edits_save_nothing(index_path, monkeypatch, _private_data_dir):
    from geo.config import user_places_path
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    places = UserPlaces(user_places_path(_private_data_dir))
    place = places.add(NewPlace(name="Bridge", kind="bridge", lat=50.0, lon=30.0))
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.number_input(key=f"edit-{place.id}_lat").set_value(95.0)
    app.button(key=f"save-{place.id}").click().run()
    assert "Not saved: Latitude 95 is out of range" in app.error[0].value
    assert UserPlaces(places.path).get(place.id).lat == 50.0
    app.number_input(key=f"edit-{place.id}_lat").set_value(50.5)
    app.text_input(key=f"edit-{place.id}_name").input("Irpin bridge")
    app.button(key=f"save-{place.id}").click().run()
    assert not app.exception
    assert any(f"Saved Irpin bridge ({place.id})" in s.value for s in app.success)
    saved = UserPlaces(places.path).get(place.id)  # a fresh reader: no cached copy of the file
    assert (saved.name, saved.lat) == ("Irpin bridge", 50.5)


def test_uploading_files_adds_their_events_and_names_a_bad_one(index_path, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    page = (
        "<html><head><title>Strikes</title><meta property='article:published_time' content='2022-03-02'></head>"
        "<body><nav>Home | World</nav><article><p>Russian forces shelled Kharkiv on Tuesday.</p></article></body></html>"
    )
    at.file_uploader(key="uploads").set_value(
        [("strikes.html", page.encode(), "text/html"), ("junk.txt", bytes(range(256)) * 40, "text/plain")]
    )
    at.button(key="ingest").click().run()
    assert not at.exception
    assert any(s.value.startswith("strikes.html added: 1 new event(s)") for s in at.success)
    assert any(e.value.replace("\\", "").startswith("junk.txt: junk.txt looks binary") for e in at.error)
    at.run()
    assert [m.value for m in at.metric][:1] == ["1"]
