"""The Streamlit app in a real browser (Debian's Chromium via Playwright), offline."""

from __future__ import annotations

import pytest

from tests.browser import SCREENSHOTS, browser_page, streamlit_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(index_path, tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-data")
    with streamlit_app({"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(data)}) as url:
        yield url


def test_lookup_in_the_browser_offline(app_url):
    with browser_page() as page:
        page.goto(app_url)
        page.get_by_role("tab", name="Look up a place").click()
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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "gazetteer-lookup.png"), full_page=True)
        assert page.outside_requests == []


def test_adding_a_place_in_the_browser(app_url):
    with browser_page() as page:
        page.goto(app_url)
        page.get_by_role("tab", name="Add a place").click()
        page.get_by_label("Name", exact=True).fill("Irpin bridge")
        page.get_by_label("Latitude", exact=True).fill("50.51")
        page.get_by_label("Longitude", exact=True).fill("30.24")
        page.get_by_role("button", name="Add place").click()
        page.get_by_text("Added Irpin bridge (site) as user:irpin-bridge").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Your places").click()
        page.get_by_text("user:irpin-bridge", exact=True).wait_for(timeout=30_000)
        assert page.outside_requests == []


@pytest.fixture(scope="module")
def seeded_app_url(index_path, gazetteer, tmp_path_factory):
    from pathlib import Path

    from geo.articles import read_article
    from geo.events import EventExtractor
    from geo.geoparse import Geoparser
    from geo.store import Store

    folder = tmp_path_factory.mktemp("seeded-app")
    store = Store(folder / "events.sqlite")
    extractor = EventExtractor(Geoparser(gazetteer))
    for path in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")):
        store.ingest(read_article(path), extractor)
    env = {"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_DATA_DIR": str(folder),
           "CONFLICTMAP_STORE": str(folder / "events.sqlite")}  # fmt: skip
    with streamlit_app(env) as url:
        yield url


def test_map_page_offline_with_the_map_inside(seeded_app_url):
    with browser_page() as page:
        page.goto(seeded_app_url + "/?type=Diplomacy")
        frame = page.frame_locator("iframe").first
        frame.locator("input.cm-slider").wait_for(timeout=60_000)
        assert "Diplomacy" in frame.locator(".cm-legend").inner_text()
        page.wait_for_function(
            "() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.conflictmap && f.contentWindow.conflictmap.ready)",
            timeout=30_000,
        )  # fmt: skip
        count = page.evaluate(
            "() => [...document.querySelectorAll('iframe')].map(f => f.contentWindow.conflictmap).find(c => c).total"
        )
        assert count >= 5  # only the Diplomacy events of the seeds
        assert page.outside_requests == [], page.outside_requests
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "app-map-phone.png"), full_page=False)
