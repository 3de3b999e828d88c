"""App responsiveness at 10,000 and 100,000 stored events: server time for one change of
the date range, and the time until the map has redrawn in a browser.

Run: ``.venv/bin/python bench/app_bench.py [--sizes 10000 100000] [--no-browser]``

Synthetic events (as in map_bench.py) go into a temporary store.

- Server: Streamlit's AppTest runs the app once (the Map page), then moves the date slider
  three times (each a new range, so no cached view). Each move reruns the *whole* page; in
  the browser only the map fragment reruns, so this is an upper bound on server time. Then
  a run of the "Look up a place" page: only the page in view runs, so it does not grow with
  the number of events.
- Peer, in the same run: drawing the whole export map again for each new range, which is
  what the app did before the events became a layer of their own.
- Browser: ``streamlit run`` and Debian's Chromium. A keypress on the slider narrows the
  range to the last day, then a second widens it back to every day; each is timed from
  the key to the map's new markers all drawn (``conflictmap.idle`` with a new version).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.map_bench import synthetic  # noqa: E402


def store_of(events, path: Path) -> None:
    from geo.store import SQLiteStore

    store = SQLiteStore(path)
    for e in events:
        e.geometry = {"type": "Point", "coordinates": [e.longitude, e.latitude]}
    store.add_imported(events)
    store.close()


def whole_map_render(date_from, date_to) -> float:
    """The peer: what each change cost before, drawing the whole export map again for the
    range (filter, build and render; the page would then reload all of it)."""
    from geo import config
    from geo.export.explore import EventFilter, filter_events
    from geo.export.mapview import build_map
    from geo.store import SQLiteStore

    events = SQLiteStore(config.store_path()).events()
    start = time.perf_counter()
    shown = filter_events(events, EventFilter(date_from=date_from, date_to=date_to))
    build_map(shown, index_path=config.index_path()).get_root().render()
    return time.perf_counter() - start


API = "[...document.querySelectorAll('iframe')].map(f => f.contentWindow.conflictmap).find(c => c)"


def browser_redraw(folder: str) -> dict:
    """Seconds from a slider keypress to the map redrawn: narrowing to one day, widening
    back to every day; and how long the page took to show the map first."""
    from tests.browser import browser_page, streamlit_app

    env = {"CONFLICTMAP_STORE": str(Path(folder) / "events.sqlite"), "CONFLICTMAP_DATA_DIR": folder}

    def redrawn(page, after: int) -> float:
        start = time.perf_counter()
        page.wait_for_function(f"() => {{ const cm = {API}; return cm && cm.idle && cm.version > {after}; }}",
                               timeout=600_000, polling=20)  # fmt: skip
        return time.perf_counter() - start

    with streamlit_app(env) as url, browser_page() as page:
        start = time.perf_counter()
        page.goto(url)
        redrawn(page, 0)
        first = time.perf_counter() - start
        out = {"browser_first_map_s": round(first, 2)}
        thumbs = page.get_by_role("slider")
        for label, thumb, key in (("narrow_to_one_day", 0, "End"), ("widen_to_all_days", 0, "Home")):
            version = page.evaluate(f"() => {API}.version")
            visible_before = page.evaluate(f"() => {API}.total")
            thumbs.nth(thumb).focus()
            start = time.perf_counter()
            page.keyboard.press(key)
            redrawn(page, version)
            out[f"redraw_{label}_s"] = round(time.perf_counter() - start, 2)
            out[f"markers_{label}"] = [visible_before, page.evaluate(f"() => {API}.total")]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="server time only")
    args = parser.parse_args()
    from streamlit.testing.v1 import AppTest

    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["CONFLICTMAP_STORE"] = str(Path(tmp) / "events.sqlite")
            os.environ["CONFLICTMAP_DATA_DIR"] = tmp
            store_of(synthetic(n), Path(tmp) / "events.sqlite")
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            start = time.perf_counter()
            at.run()
            first = time.perf_counter() - start
            slider = at.slider(key="dates")
            low, high = slider.value
            timings, peer = [], []
            for step in range(3):
                start = time.perf_counter()
                slider.set_value((low + timedelta(days=30 * (step + 1)), high)).run()
                timings.append(time.perf_counter() - start)
                peer.append(whole_map_render(low + timedelta(days=30 * (step + 1)), high))
            at.switch_page("app_pages/lookup.py")
            start = time.perf_counter()
            at.run()
            other_page = time.perf_counter() - start
            result = {"events": n, "first_run_s": round(first, 2),
                      "slider_change_s": [round(t, 2) for t in timings],
                      "peer_whole_map_render_s": [round(t, 2) for t in peer],
                      "lookup_page_run_s": round(other_page, 2), "exception": bool(at.exception)}  # fmt: skip
            if args.browser:
                result.update(browser_redraw(tmp))
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
