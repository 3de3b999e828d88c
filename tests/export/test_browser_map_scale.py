"""A million events on the exported map, in a real browser: one slider step stays under
100 ms. About a minute (most of it making the events); skip with ``-m 'not scale'``."""

from __future__ import annotations

import statistics
import time

import pytest

from bench.map_bench import synthetic
from geo.export import ExportOptions, export_events
from tests.browser import browser_page

pytestmark = [pytest.mark.browser, pytest.mark.scale]
N = 1_000_000
STEP = """async (day) => {
  conflictmap.setCursor(day);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));   // painted
}"""


def test_a_million_events_slider_step(index_path, tmp_path):
    path = tmp_path / "million.html"
    size = export_events(synthetic(N), "html", path, ExportOptions(index_path=index_path))
    assert size <= 60 * 2**20
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function("window.conflictmap && window.conflictmap.ready", timeout=120_000)
        interactive = time.perf_counter() - start
        assert page.evaluate("conflictmap.total") == N
        first = int(page.locator("input.cm-slider").get_attribute("min"))
        steps = []
        for k in range(8):
            started = time.perf_counter()
            page.evaluate(STEP, first + 40 + k * 37)
            steps.append(time.perf_counter() - started)
        assert 0 < page.evaluate("conflictmap.visibleCount()") < N
        drawn = page.evaluate("conflictmap.drawn()")
        assert drawn["clusters"] > 0  # too many to draw one by one at this zoom: clustered
        last = int(page.locator("input.cm-slider").get_attribute("max"))
        page.evaluate(f"conflictmap.setWindow('all'); conflictmap.setCursor({last})")
        assert page.evaluate("conflictmap.visibleCount()") == N
        page.evaluate("conflictmap.setView('hexagons')")
        assert page.evaluate("conflictmap.drawn().cells") > 0
        assert page.console_errors == [] and page.outside_requests == []
    print(f"1M events: {size / 2**20:.1f} MB, interactive {interactive:.2f} s, "
          f"slider step median {1000 * statistics.median(steps):.0f} ms")  # fmt: skip
    assert statistics.median(steps) <= 0.100, steps
