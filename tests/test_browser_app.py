"""The Streamlit app in a real browser (Debian's Chromium via Playwright), offline.

The app's pages (``app_pages/``) are links in the menu at the top; ``open_page`` clicks one.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import SCREENSHOTS, browser_page, streamlit_app
from tests.helpers import ingest_one

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(index_path, tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-data")
    with streamlit_app({"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(data)}) as url:
        yield url


def open_page(page, title: str) -> None:
    """Click a page of the menu and wait until the new page is there."""
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/{PATHS[title]}*", timeout=30_000)


PATHS = {"Map": "", "Add articles": "add_articles", "Import events": "import_events", "Look up a place": "lookup",
         "Add a place": "add_place", "Your places": "your_places"}  # fmt: skip


def test_lookup_in_the_browser_offline(app_url):
    with browser_page() as page:
        page.goto(app_url)
        open_page(page, "Look up a place")
        box = page.get_by_label("Place name")
        box.wait_for(timeout=60_000)
        box.fill("Kharkov")
        box.press("Enter")
        table = page.locator("table")
        table.wait_for(timeout=30_000)
        first_row = table.locator("tbody tr").first
        assert "Kharkiv" in first_row.inner_text()
        assert "alternate name 'Kharkov'" in first_row.inner_text()
        assert "place=Kharkov" in page.url
        settle(page)  # the run has ended: nothing of the page before is left
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "gazetteer-lookup.png"), full_page=True)
        assert page.outside_requests == []


def test_adding_a_place_in_the_browser(app_url):
    with browser_page() as page:
        page.goto(app_url)
        open_page(page, "Add a place")
        page.get_by_label("Name", exact=True).fill("Irpin bridge")
        page.get_by_label("Latitude", exact=True).fill("50.51")
        page.get_by_label("Longitude", exact=True).fill("30.24")
        page.get_by_role("button", name="Add place").click()
        page.get_by_text("Added Irpin bridge (site) as user:irpin-bridge").wait_for(timeout=30_000)
        open_page(page, "Your places")
        page.get_by_text("user:irpin-bridge", exact=True).wait_for(timeout=30_000)
        assert page.outside_requests == []


@pytest.fixture(scope="module")
def seeded_folder(gazetteer, tmp_path_factory):
    """A store of the sample articles' events."""
    from geo.events.articles import read_article
    from geo.events.extract import EventExtractor
    from geo.parse.pipeline import Geoparser
    from geo.store import SQLiteStore

    folder = tmp_path_factory.mktemp("seeded-app")
    store = SQLiteStore(folder / "events.sqlite")
    extractor = EventExtractor(Geoparser(gazetteer))
    for path in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")):
        ingest_one(store, read_article(path), extractor)
    return folder


@pytest.fixture(scope="module")
def seed_days(seeded_folder) -> tuple[str, str]:
    """The first and the last day of the sample articles' events (the slider's range)."""
    from geo.store import SQLiteStore

    days = sorted(e.date_start for e in SQLiteStore(seeded_folder / "events.sqlite").events() if e.date_start)
    return days[0], days[-1]


@pytest.fixture(scope="module")
def seeded_app_url(index_path, seeded_folder):
    env = {"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(seeded_folder),
           "CONFLICTMAP_STORE": str(seeded_folder / "events.sqlite")}  # fmt: skip
    with streamlit_app(env) as url:
        yield url


MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# The conflictmap API of the events map (the first map frame that has one).
API = "[...document.querySelectorAll('iframe')].map(f => f.contentWindow.conflictmap).find(c => c)"
LEAFLET = "[...document.querySelectorAll('iframe')].find(f => f.contentWindow.conflictmap).contentWindow.map"


def api(page, expression: str):
    return page.evaluate(f"() => {{ const cm = {API}; return cm ? ({expression}) : null; }}")


def wait_for_map(page, newer_than: int = 0) -> None:
    page.wait_for_function(
        f"() => {{ const cm = {API}; return cm && cm.ready && cm.idle && cm.version > {newer_than}; }}",
        timeout=90_000,
    )


def settle(page) -> None:
    """Wait until the app is not running (its status widget is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)


def wait_until(condition, page, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except PlaywrightError:  # the element was being redrawn
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there in time")
        page.wait_for_timeout(200)


def dates(page) -> list[str]:
    thumbs = page.get_by_role("slider")
    return [thumbs.nth(i).get_attribute("aria-valuetext") for i in range(2)]


def map_view(page) -> tuple[float, float, int]:
    return page.evaluate(
        f"() => {{ const m = {LEAFLET}; const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }}"
    )


def test_map_page_in_the_browser(seeded_app_url, seed_days):
    first, last = seed_days
    """Slider, marker click, view kept, playback and a copied link, as a user meets them."""
    with browser_page() as page:
        page.goto(seeded_app_url)
        wait_for_map(page)
        page.get_by_text("Filters").first.click()  # fold the filters away for the picture
        page.get_by_role("button", name="Play").scroll_into_view_if_needed()
        page.mouse.wheel(0, 60)
        settle(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "app-map.png"))
        everything = api(page, "cm.total")
        assert everything >= 10
        assert dates(page) == [first, last]

        # Move the map, then the slider: fewer markers, and the map stays where it was.
        page.evaluate(
            f"() => {{ const m = {LEAFLET}; m.setView([50.2, 33.0], 7, {{animate: false}}); window.kept = 1; }}"
        )
        page.wait_for_url("**at=50.2000%2C33.0000%2C7**", timeout=30_000)
        version = api(page, "cm.version")
        thumbs = page.get_by_role("slider")
        thumbs.nth(1).focus()
        page.keyboard.press("Home")  # the end of the range back to the first day
        wait_for_map(page, newer_than=version)
        assert dates(page) == [first, first]
        assert 0 < api(page, "cm.total") < everything
        lat, lon, zoom = map_view(page)
        assert (round(lat, 1), round(lon, 1), zoom) == (50.2, 33.0, 7)
        assert page.evaluate("() => window.kept") == 1  # the page did not reload
        assert f"to={first}" in page.url

        # A filter (a whole-page rerun) changes the markers but not the map's view either.
        version = api(page, "cm.version")
        page.get_by_text("Filters").first.click()
        search = page.get_by_label("Search the quotes")
        search.fill("no such words")
        search.press("Enter")
        wait_for_map(page, newer_than=version)
        page.wait_for_url("**q=no+such+words**", timeout=30_000)
        assert api(page, "cm.total") == 0
        lat, lon, zoom = map_view(page)
        assert (round(lat, 1), round(lon, 1), zoom) == (50.2, 33.0, 7)
        assert page.evaluate("() => window.kept") == 1
        version = api(page, "cm.version")
        search.fill("")
        search.press("Enter")
        wait_for_map(page, newer_than=version)

        # Click a marker: its details show on the page and its id goes in the URL.
        page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
        if not api(page, "cm.markersOnScreen()"):
            api(page, "cm.fitAll()")
            page.wait_for_timeout(600)
        marker = api(page, "cm.markersOnScreen()")[0]
        box = page.locator(MAP_FRAME).first.bounding_box()
        page.mouse.click(box["x"] + marker["x"], box["y"] + marker["y"])
        page.wait_for_url(f"**event={marker['id']}**", timeout=30_000)
        heading = page.locator("h3").filter(has_text=":").first
        heading.wait_for(timeout=30_000)
        page.locator("mark").first.wait_for(timeout=60_000)  # the quote marked in its article
        details = heading.inner_text()
        copied = page.url

        # Play: the dates step forward a day at a time, up to the last day.
        settle(page)
        page.get_by_role("button", name="Play").click()
        wait_until(lambda: dates(page)[1] > first, page)
        page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # back to Play at the end
        assert dates(page)[1] == last
        # Every update replaced its canvas instead of adding one more (with markers in view,
        # since the cluster draws only those).
        before = page.url
        api(page, "cm.fitAll()")
        page.wait_for_timeout(600)
        canvases = f"() => {LEAFLET}.getContainer().querySelectorAll('canvas').length"
        assert page.evaluate(canvases) == 2 and api(page, "cm.version") > 3  # the basemap's and the events'
        # The new view goes into the URL by a rerun: let it finish before pressing buttons
        # (unless the view was the whole extent already).
        with contextlib.suppress(TimeoutError):
            wait_until(lambda: page.url != before, page, timeout=10)
        settle(page)
        assert page.outside_requests == [], page.outside_requests
        assert page.console_errors == [], page.console_errors
        # The download is an export of what is on screen: the self-contained map by default,
        # any format of the export registry on request.
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download the events in view (.html)").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert download.value.suggested_filename == "conflictmap.html"
        assert "conflictmapStart" in exported and "<script src=" not in exported.replace('src="data:', "")
        page.get_by_label("Download format").click()
        page.get_by_role("option", name="csv: ").click()
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download the events in view (.csv)").click()
        assert download.value.suggested_filename == "conflictmap.csv"
        rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("event_id_cnty,") and len(rows) - 1 <= everything  # what is in view

        # Another page and back through the menu (which clears the URL): the map is as it was.
        left = dates(page)
        settle(page)
        open_page(page, "Look up a place")
        page.get_by_label("Place name").wait_for(timeout=30_000)
        assert "event=" not in page.url
        open_page(page, "Map")
        wait_for_map(page)
        wait_until(lambda: dates(page) == left, page)
        assert page.locator("h3").filter(has_text=":").first.inner_text() == details
        page.wait_for_url(f"**event={marker['id']}**", timeout=30_000)

        # The copied link opens the same view again, in a new session.
        page.goto(copied)
        wait_for_map(page)
        assert dates(page) == [first, first]
        assert page.locator("h3").filter(has_text=":").first.inner_text() == details
        at = copied.split("at=")[1].split("&")[0].replace("%2C", ",").split(",")
        lat, lon, zoom = map_view(page)
        pixel = 360 / (256 * 2 ** int(at[2]))  # degrees of longitude in one pixel at that zoom
        assert zoom == int(at[2])  # the same view, to the pixel Leaflet snaps the centre to
        assert abs(lat - float(at[0])) <= pixel and abs(lon - float(at[1])) <= pixel, (lat, lon, at)


def test_map_page_at_phone_width(seeded_app_url, seed_days):
    first, last = seed_days
    with browser_page(390, 844) as page:
        page.goto(seeded_app_url + "/?type=Diplomacy")
        wait_for_map(page)
        assert api(page, "cm.total") >= 5  # only the Diplomacy events of the seeds
        page.get_by_text("Filters").first.click()  # folded, for the picture
        page.get_by_role("button", name="Play").scroll_into_view_if_needed()
        settle(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "app-map-phone.png"))
        # Play from the whole range: it starts again from the first day and plays to the end.
        settle(page)
        page.get_by_role("button", name="Play").click()
        wait_until(lambda: dates(page)[0] > first, page)
        wait_until(lambda: page.get_by_role("button", name="Play").is_visible(), page)
        assert dates(page)[1] == last
        for thumb in (0, 1):  # both ends back to the first day
            page.get_by_role("slider").nth(thumb).focus()
            page.keyboard.press("Home")
            settle(page)
        page.wait_for_url(f"**to={first}**", timeout=30_000)
        assert page.get_by_role("button", name="Play").is_visible()
        assert page.outside_requests == [], page.outside_requests


def test_a_place_dropped_on_the_map_is_there_after_a_restart(index_path, tmp_path):
    env = {"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(tmp_path)}
    with streamlit_app(env) as url, browser_page() as page:
        page.goto(url)
        open_page(page, "Add a place")
        frame = page.locator(MAP_FRAME)
        frame.wait_for(timeout=60_000)
        frame.scroll_into_view_if_needed()
        picker = "[...document.querySelectorAll('iframe')].find(f => f.contentWindow.map && !f.contentWindow.conflictmap).contentWindow.map"
        page.wait_for_function(f"() => {{ try {{ return Boolean({picker}); }} catch (e) {{ return false; }} }}",
                               timeout=60_000)  # fmt: skip
        page.wait_for_timeout(500)
        x, y = page.evaluate(
            f"() => {{ const p = {picker}.latLngToContainerPoint([50.5, 30.25]); return [p.x, p.y]; }}"
        )
        box = frame.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        latitude = page.get_by_label("Latitude", exact=True)
        page.wait_for_function(  # both fields: the app fills them in one rerun, drawn one after the other
            "() => ['Latitude', 'Longitude'].every(n => (document.querySelector(`input[aria-label=\"${n}\"]`) || {}).value)",
            timeout=30_000,
        )
        assert abs(float(latitude.input_value()) - 50.5) < 0.05
        assert abs(float(page.get_by_label("Longitude", exact=True).input_value()) - 30.25) < 0.05
        page.get_by_label("Name", exact=True).fill("Romanivka bridge")
        page.get_by_role("button", name="Add place").click()
        page.get_by_text("Added Romanivka bridge (site) as user:romanivka-bridge").wait_for(timeout=30_000)
        assert page.outside_requests == []
    # A new server process on the same data folder: the place is there. The link is one from
    # the one-page app (``/?place=``): it opens the lookup page.
    with streamlit_app(env) as url, browser_page() as page:
        page.goto(url + "/?place=Romanivka+bridge")
        page.wait_for_url("**/lookup?place=Romanivka+bridge", timeout=60_000)
        row = page.locator("table tbody tr").first
        row.wait_for(timeout=60_000)
        assert "user:romanivka-bridge" in row.inner_text()
        open_page(page, "Your places")
        page.get_by_text("user:romanivka-bridge", exact=True).wait_for(timeout=30_000)


HOSTILE = "![x](http://198.51.100.7/x.png) <img src=http://198.51.100.7/y.png>"


@pytest.fixture(scope="module")
def hostile_app_url(index_path, gazetteer, tmp_path_factory):
    """A store and a places file full of text that would fetch from off the machine if
    it were rendered as Markdown or HTML anywhere."""
    from geo.events.articles import parse_article
    from geo.events.extract import EventExtractor
    from geo.events.record import Event
    from geo.gazetteer.user_places import NewPlace, UserPlaces
    from geo.parse.pipeline import Geoparser
    from geo.store import SQLiteStore

    folder = tmp_path_factory.mktemp("hostile-app")
    store = SQLiteStore(folder / "events.sqlite")
    article = parse_article(f"Russian forces shelled Kharkiv on Monday. {HOSTILE}", date="2022-03-07",
                            title=HOSTILE, source=HOSTILE, url="http://198.51.100.7/article")  # fmt: skip
    ingest_one(store, article, EventExtractor(Geoparser(gazetteer)))
    store.add_imported([Event(event_type="Battles", date_start="2022-03-07", date_end="2022-03-07",
                              time_precision="day", location=HOSTILE, latitude=49.2, longitude=37.3,
                              geo_precision="exact", location_reason=HOSTILE, actor1=HOSTILE, notes=HOSTILE,
                              source=HOSTILE, source_url="http://198.51.100.7/row")])  # fmt: skip
    data = folder / "data"
    UserPlaces(data / "user_places.geojson").add(
        NewPlace(
            name=f"Bridge {HOSTILE}", kind="bridge", lat=50.51, lon=30.24, aliases=[HOSTILE], note=HOSTILE
        )
    )
    environ = {"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(data),
               "CONFLICTMAP_STORE": str(folder / "events.sqlite")}  # fmt: skip
    with streamlit_app(environ) as url:
        yield url, [e.id for e in store.events()]


def test_no_page_fetches_from_off_the_machine_with_hostile_data(hostile_app_url):
    url, event_ids = hostile_app_url
    with browser_page() as page:
        for event_id in event_ids:  # the details of each event: quote, sources, place, reason, actors
            page.goto(f"{url}/?event={event_id}")
            page.get_by_text("When:").first.wait_for(timeout=60_000)
            settle(page)
        for title in ("Add articles", "Import events", "Look up a place", "Add a place", "Your places"):
            open_page(page, title)
            settle(page)
        box = page.get_by_label("Place name")
        open_page(page, "Look up a place")
        box.wait_for(timeout=30_000)
        box.fill("Bridge")
        box.press("Enter")
        page.locator("table").wait_for(timeout=30_000)
        settle(page)
        assert page.outside_requests == [], page.outside_requests
