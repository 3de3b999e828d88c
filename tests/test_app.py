"""The Streamlit app's logic, run headless with AppTest (no browser, no JavaScript).

The app is one page per module (``app_pages/``) behind ``st.navigation``; ``on_page``
switches pages as the menu does (the browser also clears the URL then; AppTest keeps it
unless a test clears it).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app_state
from geo.events import ingest
from geo.export import mapview
from geo.export.explore import EventFilter
from tests.gazetteer.test_geonames_import import UA_TXT
from tests.helpers import ingest_one

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def on_page(at: AppTest, name: str, *, clear_url: bool = False) -> AppTest:
    """Open ``app_pages/NAME.py`` as the menu does; ``clear_url`` drops the query as a browser does."""
    if clear_url:
        at.query_params.clear()
    at.switch_page(f"app_pages/{name}.py").run()
    assert not at.exception
    return at


def no_escapes(text: str) -> str:
    """Text shown through ``app_state.plain`` (Markdown-escaped), as the user reads it."""
    return text.replace("\\", "")


@pytest.fixture
def app(index_path, monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def seeded_app(index_path, monkeypatch, tmp_path, geoparser):
    from geo.events.articles import parse_article
    from geo.events.extract import EventExtractor
    from geo.store import SQLiteStore

    store_path = tmp_path / "events.sqlite"
    store = SQLiteStore(store_path)
    extractor = EventExtractor(geoparser)
    for text, day, source in (
        ("Russian forces shelled Kharkiv on Monday.", "2022-03-07", "A"),
        ("Talks were held in Gomel on Sunday.", "2022-02-27", "B"),
    ):
        ingest_one(store, parse_article(text, date=day, source=source), extractor)
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(store_path))
    return store_path


def test_lookup_shows_ranked_candidates(app):
    on_page(app, "lookup").text_input(key="place_query").input("Kharkov").run()
    table = app.table[0].value
    assert table.iloc[0]["name"] == "Kharkiv" and table.iloc[0]["kind"] == "city"
    assert "alternate name 'Kharkov'" in table.iloc[0]["why"]
    assert app.query_params["place"] == "Kharkov"


def test_a_place_link_to_the_front_page_opens_the_lookup(index_path, monkeypatch):
    """Links from the one-page app (``/?place=...``) still look the place up."""
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["place"] = "Kharkov"
    at.run()
    assert not at.exception
    assert at.text_input(key="place_query").value == "Kharkov"
    assert at.table[0].value.iloc[0]["name"] == "Kharkiv"


def test_unknown_name_says_so(app):
    on_page(app, "lookup").text_input(key="place_query").input("Qwzxvbnmplk").run()
    assert "No place named 'Qwzxvbnmplk'" in no_escapes(app.warning[0].value)


def test_invalid_place_is_refused_and_nothing_saved(app, _private_data_dir):
    on_page(app, "add_place")
    app.text_input(key="add_name").input("Bad place")
    app.number_input(key="add_lat").set_value(95.0)
    app.number_input(key="add_lon").set_value(30.0)
    app.button(key="add_place_submit").click().run()
    assert "Not saved: Latitude 95 is out of range" in no_escapes(app.error[0].value)
    assert not (_private_data_dir / "user_places.geojson").exists()


def test_added_place_is_saved_and_found(app, _private_data_dir):
    on_page(app, "add_place")
    app.text_input(key="add_name").input("Hostomel Airport")
    app.selectbox(key="add_kind").select("airport")
    app.number_input(key="add_lat").set_value(50.6)
    app.number_input(key="add_lon").set_value(30.19)
    app.text_input(key="add_aliases").input("Antonov Airport")
    app.button(key="add_place_submit").click().run()
    assert "Added Hostomel Airport (airport) as user:hostomel-airport" in no_escapes(app.success[0].value)
    saved = json.loads((_private_data_dir / "user_places.geojson").read_text())
    assert saved["features"][0]["properties"]["aliases"] == ["Antonov Airport"]
    on_page(app, "lookup").text_input(key="place_query").input("Antonov Airport").run()
    assert app.table[0].value.iloc[0]["id"] == "user:hostomel-airport"


def test_an_uploaded_geonames_file_is_imported_and_found(index_path, monkeypatch, tmp_path):
    """The page calls the library's import; the lookup then finds the new village by its
    Cyrillic name, ranked as a GeoNames place."""
    private = tmp_path / "index.sqlite"
    shutil.copyfile(index_path, private)  # the import replaces the index file
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(private))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    on_page(at, "add_place")
    at.button(key="geonames_import").click().run()
    assert at.warning[0].value.startswith("Nothing to import")
    at.file_uploader(key="geonames_uploads").set_value(
        [("UA.txt", UA_TXT.encode(), "text/plain"), ("notes.txt", b"just some notes", "text/plain")]
    )
    at.button(key="geonames_import").click().run()
    assert not at.exception
    assert no_escapes(at.success[0].value).startswith("UA.txt (layer UA): added 3 places and ")
    assert [no_escapes(e.value) for e in at.error] == [
        "notes.txt: line 1 has 1 tab-separated column; a GeoNames dump line has 19 — "
        "is this the file from the GeoNames export dump (e.g. UA.txt)?"
    ]
    on_page(at, "lookup").text_input(key="place_query").input("Козачі Таборки").run()
    assert at.table[0].value.iloc[0]["id"] == "geonames:99000001"


def test_map_page_without_events(app):
    assert "No events yet" in app.info[0].value


def test_only_the_page_in_view_runs(index_path, monkeypatch, seeded_app):
    """The Add-a-place map is built on its own page only, and the events map on the Map page
    only: a filter change on the map does not build the other page's map (tabs did)."""
    built = []
    real = mapview.app_base_map

    def recording(index, bounds=None, view=None, **urls):
        built.append("events map" if bounds else "picker map")
        return real(index, bounds, view, **urls)

    monkeypatch.setattr(mapview, "app_base_map", recording)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.multiselect(key="types").set_value(["Strategic developments"]).run()
    assert not at.exception
    assert built == ["events map", "events map"]
    assert "add_name" not in at.session_state  # the place form was never drawn
    on_page(at, "add_place")
    assert built[2:] == ["picker map"]  # and not the events map
    assert not at.metric and not at.get("download_button")
    on_page(at, "lookup")
    assert built[3:] == []


def test_download_offers_every_export_format_built_only_when_pressed(seeded_app, index_path, monkeypatch):
    made = []
    real = app_state.export_bytes
    monkeypatch.setattr(app_state, "export_bytes", lambda *args: made.append(args[1]) or real(*args))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    formats = at.selectbox(key="export_format")
    assert [label.split(":")[0] for label in formats.options] == ["html", "csv", "geojson", "geoparquet"]
    formats.select("geojson").run()
    button = at.get("download_button")[0].proto
    assert ".geojson" in button.label and button.HasField("deferred_file_id")
    assert made == []  # nothing is exported while the page runs, only when the button is pressed
    version = (app_state.open_store(str(seeded_app)).revision(),)
    exported = {name: app_state.export_of(str(seeded_app), str(index_path), version, EventFilter(), name)()
                for name in ("csv", "geojson", "geoparquet")}  # fmt: skip
    assert made == ["csv", "geojson", "geoparquet"]
    assert exported["csv"].splitlines()[0].startswith(b"event_id_cnty,")
    assert len(json.loads(exported["geojson"])["features"]) == 2
    assert exported["geoparquet"][:4] == b"PAR1"


def test_filters_come_from_and_go_to_the_url(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["type"] = "Strategic developments"
    at.run()
    assert not at.exception
    assert at.multiselect(key="types").value == ["Strategic developments"]
    assert [m.value for m in at.metric][:1] == ["1"]
    at.multiselect(key="types").set_value([]).run()
    assert "type" not in at.query_params and [m.value for m in at.metric][:1] == ["2"]
    at.text_input(key="text").input("Kharkiv").run()
    assert at.query_params["q"] == "Kharkiv" and [m.value for m in at.metric][:1] == ["1"]
    at.text_input(key="text").input("no such words").run()
    assert not at.exception and [m.value for m in at.metric][:1] == ["0"]


def test_the_dataset_filter_comes_from_and_goes_to_the_url(seeded_app, tmp_path):
    """Imported and extracted events side by side; the Dataset filter picks either, by URL too."""
    from geo.export.datasets import import_file
    from geo.store import SQLiteStore

    rows = tmp_path / "ukraine.csv"
    rows.write_text("event_id_cnty,event_date,event_type,latitude,longitude,notes\n"
                    "UKR1,2022-03-01,Battles,49.99,36.23,Fighting near Kharkiv.\n", encoding="utf-8")  # fmt: skip
    import_file(rows, SQLiteStore(seeded_app))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["origin"] = "acled"
    at.run()
    assert not at.exception
    datasets = at.multiselect(key="origins")
    assert datasets.options == ["acled", "extracted"] and datasets.value == ["acled"]
    assert [m.value for m in at.metric][:1] == ["1"]
    datasets.set_value(["extracted"]).run()
    assert at.query_params["origin"] == "extracted" and [m.value for m in at.metric][:1] == ["2"]
    at.multiselect(key="origins").set_value([]).run()
    assert "origin" not in at.query_params and [m.value for m in at.metric][:1] == ["3"]


def test_the_map_is_as_it_was_left_after_another_page(seeded_app):
    """The menu clears the URL; coming back, the map's filters and URL are put back."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["type"] = "Strategic developments"
    at.run()
    on_page(at, "lookup", clear_url=True)
    assert "type" not in at.query_params
    on_page(at, "map", clear_url=True)
    assert at.multiselect(key="types").value == ["Strategic developments"]
    assert at.query_params["type"] == "Strategic developments" and [m.value for m in at.metric][:1] == ["1"]


def test_a_bad_url_value_is_named(seeded_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "yesterday"
    at.run()
    assert "Ignored from='yesterday': dates are YYYY-MM-DD." in no_escapes(at.warning[0].value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["event"] = "[win a prize](https://evil.example)"
    at.run()
    shown = at.warning[0].value  # Markdown source: the link is escaped, so it shows as text
    assert "](" not in shown and "[win a prize" in no_escapes(shown)


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
    assert any("Strategic developments: Homyel'" in no_escapes(h.value) for h in at.subheader)
    assert any("<mark>" in m.value and "Gomel" in m.value for m in at.markdown)


def test_pasting_an_article_adds_its_events(app):
    on_page(app, "add_articles")
    app.text_area(key="pasted").input("Refugees fled to Poland on Saturday.")
    app.text_input(key="pasted_source").input("Paste")
    app.button(key="ingest").click().run()
    assert not app.exception
    summary = "1 new article(s), 0 already stored; 1 new event(s), 0 merged into known events"
    assert app.success[0].value == summary
    on_page(app, "map")
    assert [m.value for m in app.metric][:1] == ["1"]


def test_added_articles_go_through_ingest_many_and_keep_their_own_date(app, monkeypatch):
    """One ingest path: the page hands the upload and the pasted text to ``ingest_many``; the
    date and source typed on the page fill only what an article does not say."""
    calls = []
    real = ingest.ingest_many

    def spy(sources, store, extractor, **kwargs):
        calls.append(([(s.name, s.kind) for s in sources], kwargs["given"]))
        return real(sources, store, extractor, **kwargs)

    monkeypatch.setattr(ingest, "ingest_many", spy)
    page = (
        "<html><head><title>Strikes</title><meta property='article:published_time' content='2022-03-02'>"
        "<meta property='og:site_name' content='Kyiv Daily'></head>"
        "<body><article><p>Russian forces shelled Kharkiv on Tuesday.</p></article></body></html>"
    )
    on_page(app, "add_articles")
    app.file_uploader(key="uploads").set_value([("strikes.HTML", page.encode(), "text/html")])
    app.text_area(key="pasted").input("Talks were held in Gomel on Sunday.")
    app.date_input(key="pasted_date").set_value(date(2022, 2, 27))
    app.text_input(key="pasted_source").input("Given")
    app.button(key="ingest").click().run()
    assert not app.exception and not app.error
    given = {"date": "2022-02-27", "source": "Given"}
    assert calls == [([("strikes.HTML", "html"), ("pasted text", "text")], given)]
    file, text = sorted(app_state.store().articles(), key=lambda a: a["title"] or "")[::-1]
    assert (file["title"], file["published"], file["date_origin"]) == (
        "Strikes",
        "2022-03-02",
        "html metadata",
    )
    assert file["source"] == "Kyiv Daily"  # the file's own publisher wins too
    assert (text["published"], text["date_origin"], text["source"]) == ("2022-02-27", "given", "Given")


def test_reresolve_shows_what_moved(seeded_app, _private_data_dir):
    from geo.config import user_places_path
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    UserPlaces(user_places_path(_private_data_dir)).add(
        NewPlace(name="Gomel", kind="site", lat=52.40, lon=31.00)
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    on_page(at, "your_places").button(key="reresolve").click().run()
    assert not at.exception
    assert any(t.value.startswith("Homyel' → Gomel") for t in at.text)


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


def test_edit_a_place_and_invalid_edits_save_nothing(app, _private_data_dir):
    from geo.config import user_places_path
    from geo.gazetteer.user_places import NewPlace, UserPlaces

    places = UserPlaces(user_places_path(_private_data_dir))
    place = places.add(NewPlace(name="Bridge", kind="bridge", lat=50.0, lon=30.0))
    on_page(app, "your_places")
    app.number_input(key=f"edit-{place.id}_lat").set_value(95.0)
    app.button(key=f"save-{place.id}").click().run()
    assert "Not saved: Latitude 95 is out of range" in no_escapes(app.error[0].value)
    assert UserPlaces(places.path).get(place.id).lat == 50.0
    app.number_input(key=f"edit-{place.id}_lat").set_value(50.5)
    app.text_input(key=f"edit-{place.id}_name").input("Irpin bridge")
    app.button(key=f"save-{place.id}").click().run()
    assert not app.exception
    assert any(f"Saved Irpin bridge ({place.id})" in no_escapes(s.value) for s in app.success)
    saved = UserPlaces(places.path).get(place.id)  # a fresh reader: no cached copy of the file
    assert (saved.name, saved.lat) == ("Irpin bridge", 50.5)


def test_uploading_files_adds_their_events_and_names_a_bad_one(app):
    page = (
        "<html><head><title>Strikes</title><meta property='article:published_time' content='2022-03-02'></head>"
        "<body><nav>Home | World</nav><article><p>Russian forces shelled Kharkiv on Tuesday.</p></article></body></html>"
    )
    on_page(app, "add_articles")
    app.file_uploader(key="uploads").set_value(
        [("strikes.html", page.encode(), "text/html"), ("junk.txt", bytes(range(256)) * 40, "text/plain")]
    )
    app.button(key="ingest").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("1 new article(s), 0 already stored; 1 new event(s)")
    assert [no_escapes(e.value) for e in app.error] == [
        "junk.txt looks binary, not text (it contains NUL bytes). Give a text, Markdown or HTML file."
    ]
    on_page(app, "map")
    assert [m.value for m in app.metric][:1] == ["1"]


def test_uploaded_event_files_are_imported_with_their_bad_rows_named(app):
    """An ACLED export and a GeoJSON go through import_file; a bad row is listed as text, an
    unreadable file named; the events then show on the map under their dataset."""
    acled = ("event_id_cnty,event_date,event_type,latitude,longitude,location,notes\n"
             "UKR1,5-Aug-24,Battles,49.99,36.23,Kharkiv,Fighting near Kharkiv.\n"
             "UKR2,6-Aug-24,Protests,123.0,24.03,Lviv,[a link](javascript:alert(1))\n")  # fmt: skip
    geojson = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "f1", "geometry": {"type": "Point", "coordinates": [30.52, 50.45]},
         "properties": {"date": "2024-08-07", "description": "A drone was shot down over Kyiv."}}]})  # fmt: skip
    on_page(app, "import_events")
    app.button(key="dataset_import").click().run()
    assert app.warning[0].value.startswith("Nothing to import")
    app.file_uploader(key="dataset_uploads").set_value([
        ("ukraine.csv", acled.encode(), "text/csv"), ("kyiv.geojson", geojson.encode(), "application/geo+json"),
        ("empty.csv", b"", "text/csv")])  # fmt: skip
    app.button(key="dataset_import").click().run()
    assert not app.exception
    assert [no_escapes(s.value) for s in app.success] == [
        "ukraine.csv (acled, utf-8): 1 imported, 0 updated, 0 unchanged or duplicate, 1 bad",
        "kyiv.geojson (geojson, utf-8): 1 imported, 0 updated, 0 unchanged or duplicate, 0 bad",
    ]
    assert no_escapes(app.warning[0].value) == "ukraine.csv: 1 bad row(s) left out:"
    assert [t.value for t in app.text] == ["line 3: the latitude '123.0' is out of range (-90..90)"]
    assert [no_escapes(e.value) for e in app.error] == [
        "empty.csv is empty: expected a header row, or GDELT's tab-separated rows."]
    app.button(key="dataset_import").click().run()  # the same files again: nothing new
    assert no_escapes(app.success[0].value).startswith("ukraine.csv (acled, utf-8): 0 imported, 0 updated, 1 unchanged")
    on_page(app, "map")
    assert [m.value for m in app.metric][:1] == ["2"]
    assert app.multiselect(key="origins").options == ["acled", "geojson"]


HOSTILE = "![x](http://198.51.100.7/x.png) [click](javascript:alert(1)) <img src=x onerror=alert(1)>"


def test_untrusted_text_in_the_details_is_shown_as_text(seeded_app):
    """Markdown from an imported row or an article (an image, a link) would make every
    visitor's browser fetch from off the machine: it is shown as its own characters."""
    from geo.events.record import Event
    from geo.store import SQLiteStore

    SQLiteStore(seeded_app).add_imported([Event(
        event_type="Battles", date_start="2022-03-07", date_end="2022-03-07", time_precision="day",
        location=f"Izium {HOSTILE}", latitude=49.2, longitude=37.3, geo_precision="exact",
        location_reason=HOSTILE, actor1=HOSTILE, actor2=HOSTILE, source=HOSTILE, source_url=HOSTILE,
        notes=HOSTILE,
    )])  # fmt: skip
    at, _ = open_event(seeded_app, f"Izium {HOSTILE}")
    shown = [e.value for e in (*at.subheader, *at.markdown)]
    assert any(HOSTILE in no_escapes(text) for text in shown)  # the text is there, as text
    for text in shown:  # no unescaped link or image syntax, no raw HTML
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)<img", text), text


@pytest.mark.parametrize("value", ["²", "٣", "-1", "1e3"])
def test_an_event_id_that_is_not_plain_digits_is_no_crash(seeded_app, value):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["event"] = value
    at.run()
    assert not at.exception


def test_a_damaged_places_file_is_named_not_taken_for_no_place(seeded_app, _private_data_dir):
    _private_data_dir.mkdir(parents=True, exist_ok=True)
    (_private_data_dir / "user_places.geojson").write_text("{not json", encoding="utf-8")
    at, _ = open_event(seeded_app, "Kharkiv")
    assert any("cannot be worked out" in no_escapes(w.value) for w in at.warning)
    on_page(at, "lookup")
    at.text_input(key="place_query").input("Kyiv").run()
    assert not at.exception
    assert any("user_places.geojson is not valid JSON" in no_escapes(e.value) for e in at.error)
    assert not any("No place named" in no_escapes(w.value) for w in at.warning)


def test_the_server_start_loads_what_the_first_map_needs(seeded_app, monkeypatch):
    """``app_server.py`` calls ``app_state.warm`` before the first visitor: afterwards the
    Map page reads neither the store's rows nor the gazetteer index again, nor makes the
    map's files."""
    from geo.export import appcache
    from geo.gazetteer import lookup

    app_state.warm()
    monkeypatch.setattr(appcache.EventColumns, "read", lambda conn: pytest.fail("the rows were read again"))
    monkeypatch.setattr(appcache, "load", lambda path: pytest.fail("the columns were loaded again"))
    monkeypatch.setattr(appcache, "payload_bytes", lambda payload: pytest.fail("the map's payload was made again"))
    monkeypatch.setattr(appcache, "basemap_layers", lambda index: pytest.fail("the basemap was made again"))
    monkeypatch.setattr(lookup.Gazetteer, "open", lambda *a, **k: pytest.fail("the gazetteer was opened again"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception and at.metric  # the map page, with its counts


def test_the_server_start_never_builds_the_index(tmp_path, monkeypatch):
    """A missing index is built on the first visit (which says so), not before the server answers."""
    from geo.gazetteer import lookup

    monkeypatch.setenv("CONFLICTMAP_INDEX", str(tmp_path / "missing.sqlite"))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    monkeypatch.setattr(lookup.Gazetteer, "open", lambda *a, **k: pytest.fail("the index was built"))
    app_state.warm()


def test_the_hostile_corpus_uploaded_is_kept_or_named(app):
    """Every article and event file of ``tests/hostile.py`` uploaded at once: what can be read
    is stored, each file that cannot is named in one error, and the page goes on."""
    from tests.hostile import read_by

    articles, datasets = read_by("articles"), read_by("events")
    on_page(app, "add_articles")
    app.file_uploader(key="uploads").set_value(
        [(c.name, c.data, "application/octet-stream") for c in articles]
    )
    app.button(key="ingest").click().run()
    assert not app.exception
    assert app.success[0].value.startswith(f"{sum(c.kept for c in articles)} new article(s)")
    refused = sorted(c.name for c in articles if not c.kept)
    assert sorted(no_escapes(e.value).split(" ")[0].rstrip(":") for e in app.error) == refused
    on_page(app, "import_events")
    app.file_uploader(key="dataset_uploads").set_value(
        [(c.name, c.data, "application/octet-stream") for c in datasets]
    )
    app.button(key="dataset_import").click().run()
    assert not app.exception
    named = [no_escapes(e.value) for e in app.error]
    for case in datasets:
        if case.kept:
            assert any(no_escapes(s.value).startswith(case.name) for s in app.success), case.name
        else:
            assert len([line for line in named if line.startswith(case.name)]) == 1, (case.name, named)
    on_page(app, "map")
    kept = sum(c.kept for c in articles) + sum(c.kept for c in datasets)  # each article names its own town
    assert int(app.metric[0].value) == kept, (app.metric[0].value, kept)
