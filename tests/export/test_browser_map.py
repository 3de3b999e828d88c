"""The exported map in a real browser (Debian's Chromium via Playwright), with no network."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from geo.events.articles import parse_article, read_article
from geo.export import ExportOptions, export_events
from geo.store import SQLiteStore
from tests.browser import SCREENSHOTS, browser_page
from tests.helpers import ingest_one

pytestmark = pytest.mark.browser
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
XSS = '<img src=x onerror="window.__xss=1"> and </script><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def exported(index_path, gazetteer, tmp_path_factory):
    from geo.events.extract import EventExtractor
    from geo.parse.pipeline import Geoparser

    folder = tmp_path_factory.mktemp("map")
    store = SQLiteStore(folder / "events.sqlite")
    extractor = EventExtractor(Geoparser(gazetteer))
    for path in sorted(SEEDS.glob("*.txt")):
        ingest_one(store, read_article(path), extractor)
    ingest_one(store, parse_article(f"Russian forces shelled Lviv on Monday. {XSS}", date="2022-03-07",
                               title=XSS, source=XSS), extractor)  # fmt: skip
    ingest_one(store, parse_article("Shelling hit Mariupol overnight."), extractor)  # undated
    path = folder / "map.html"
    export_events(store.events(), "html", path, ExportOptions(title="Sample articles", index_path=index_path))
    return path, store.events()


def _open(page, path):
    page.goto(path.as_uri())
    page.wait_for_function("window.conflictmap && window.conflictmap.ready", timeout=30_000)


def test_markers_slider_play_popup_offline(exported):
    path, events = exported
    dated = [e for e in events if e.date_start]
    with browser_page() as page:
        alerts = []
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        _open(page, path)
        assert page.evaluate("conflictmap.total") == len(dated)
        # markers are drawn: the canvas renderer paints them, clusters are DOM icons
        page.evaluate("conflictmap.setWindow('all')")
        assert page.evaluate("conflictmap.visibleCount()") == len(dated)
        assert page.locator(".leaflet-overlay-pane canvas").count() >= 1
        # events placed only at a country: its area with a count badge, never a lone point
        country_only = Counter(e.location for e in dated if e.geo_precision == "country")
        areas = page.evaluate("conflictmap.areas()")
        assert {a["place"]: a["count"] for a in areas} == dict(country_only) and "Russia" in country_only
        assert next(a for a in areas if a["place"] == "Russia")["lon"] < 45  # not at Siberia's label point
        assert page.locator(".cm-badge").count() == len(areas)
        # moving the slider changes which are visible
        page.evaluate("conflictmap.setWindow(1)")
        slider = page.locator("input.cm-slider")
        first_day = int(slider.get_attribute("min"))
        days = Counter(e.date_start for e in dated)
        first, busiest = min(days), max(days, key=days.get)
        slider.fill(str(first_day))
        assert page.evaluate("conflictmap.visibleCount()") == days[first]
        assert page.locator(".cm-date").inner_text() == first
        slider.fill(str(first_day + (date.fromisoformat(busiest) - date.fromisoformat(first)).days))
        assert page.locator(".cm-date").inner_text() == busiest
        assert page.evaluate("conflictmap.visibleCount()") == days[busiest] > 1
        # play advances the date
        slider.fill(str(first_day))
        page.locator("button.cm-play").click()
        page.wait_for_function(f"conflictmap.cursor() > {first_day}", timeout=5_000)
        page.locator("button.cm-play").click()  # pause
        assert page.locator(".cm-date").inner_text() != first
        # a popup opens with the quote
        last_day = int(slider.get_attribute("max"))
        page.evaluate(f"conflictmap.setWindow('all'); conflictmap.setCursor({last_day})")
        talks = next(i for i, e in enumerate(dated) if e.event_type == "Diplomacy" and len(e.sources) >= 2)
        page.evaluate(f"conflictmap.openPopup({talks})")
        popup = page.locator(".leaflet-popup-content .cm-popup")
        popup.wait_for(timeout=10_000)
        assert "Diplomacy" in popup.inner_text() and "Why here:" in popup.inner_text()
        assert page.locator(".cm-quote").inner_text().strip() != ""
        assert page.outside_requests == [] and page.console_errors == [] and alerts == []
        page.evaluate("conflictmap.setWindow('all'); conflictmap.fitAll()")
        page.wait_for_timeout(500)  # let the zoom animation settle for the picture
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map-export.png"))


def test_the_xss_article_runs_nothing(exported):
    path, events = exported
    dated = [e for e in events if e.date_start]
    with browser_page() as page:
        alerts = []
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        _open(page, path)
        page.evaluate("conflictmap.setWindow('all')")
        lviv = next(i for i, e in enumerate(dated) if e.location == "Lviv")
        page.evaluate(f"conflictmap.openPopup({lviv})")
        page.locator(".leaflet-popup-content .cm-popup").wait_for(timeout=10_000)
        assert "</script>" in page.locator(".leaflet-popup-content").inner_text()  # shown as text
        page.mouse.move(*_centre(page, ".leaflet-popup-tip"))  # hover near the marker
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("window.__xss") is None and alerts == []
        assert page.console_errors == []


def test_undated_events_are_listed_apart(exported):
    path, events = exported
    with browser_page() as page:
        _open(page, path)
        panel = page.locator(".cm-undated")
        assert "1 undated events (not on the timeline)" in panel.inner_text()
        assert "Mariupol" in panel.inner_text()


def test_phone_width(exported):
    path, _ = exported
    with browser_page(width=390, height=844) as page:
        _open(page, path)
        box = page.locator(".cm-time").bounding_box()
        assert box["width"] <= 390 and page.locator("button.cm-play").is_visible()


def _centre(page, selector):
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] + 8
