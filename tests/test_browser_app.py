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
