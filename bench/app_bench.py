"""App responsiveness at 10,000 to 1,000,000 stored events: server time for one change of
the date range, and the time until the map has redrawn in a browser.

Run: ``.venv/bin/python bench/app_bench.py [--sizes 10000 100000 1000000] [--no-browser] [--no-apptest]``

Synthetic events (as in map_bench.py) go into a temporary store, written as ``conflictmap
import`` writes them (``add_imported_rows``, 5,000 a batch), so a million take a minute.

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
  The first map is timed to its markers drawn (``idle``) and to every column in, so
  tooltips and clicks work (``ready``).
  The server's peak memory (VmHWM of the ``streamlit run`` process) is read at the end.
  Then the server is started again on the same store and data directory: the first map
  of a restart (the events' columns and the map's payload kept on disk). The seconds from
  launching the server to its first answer are reported too: ``app_server.py`` loads the
  gazetteer and the events' columns (reading the store, when nothing is on disk) first.
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

BATCH = 5_000


def store_of(n: int, path: Path) -> float:
    """A store of ``n`` synthetic imported events; the seconds it took to write."""
    from geo.store import SQLiteStore

    store = SQLiteStore(path)
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        events = synthetic(min(BATCH, n - first), seed=first + 1)
        rows = []
        for i, e in enumerate(events, first):
            e.notes = f"Synthetic event {i}: shelling reported near the town."
            e.location = f"Place {i % 500}"
            e.origin, e.source = "bench:synthetic.csv", "Bench"
            e.geometry = {"type": "Point", "coordinates": [e.longitude, e.latitude]}
            rows.append((f"bench:{i}", str(i), e))
        store.add_imported_rows(rows)
    store.close()
    return time.perf_counter() - start


def server_peak_mib() -> float | None:
    """The peak resident memory of the ``streamlit run`` this process started (VmHWM)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == os.getpid() and b"streamlit" in cmdline:
            return round(int(fields["VmHWM"].split()[0]) / 1024, 1)
    return None


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
                               timeout=600_000, polling=5)  # fmt: skip
        return time.perf_counter() - start

    def ready_after(page, start: float) -> float:
        page.wait_for_function(f"() => {{ const cm = {API}; return cm && cm.ready; }}", timeout=600_000, polling=10)
        return time.perf_counter() - start

    launched = time.perf_counter()
    with streamlit_app(env) as url, browser_page() as page:
        answered = time.perf_counter() - launched  # app_server.py loads what it can first
        start = time.perf_counter()
        page.goto(url)
        redrawn(page, 0)
        first = time.perf_counter() - start
        out = {"server_start_s": round(answered, 2), "browser_first_map_s": round(first, 2),
               "browser_first_map_ready_s": round(ready_after(page, start), 2)}  # fmt: skip
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
        out["server_peak_rss_mib"] = server_peak_mib()
    # A restart on the unchanged store: the columns and the map's payload are on disk now
    # (``geo.export.appcache``), as they are after ``conflictmap import``/``ingest``.
    launched = time.perf_counter()
    with streamlit_app(env) as url, browser_page() as page:
        out["server_restart_s"] = round(time.perf_counter() - launched, 2)
        start = time.perf_counter()
        page.goto(url)
        redrawn(page, 0)
        out["browser_first_map_restart_s"] = round(time.perf_counter() - start, 2)
        out["browser_first_map_restart_ready_s"] = round(ready_after(page, start), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="server time only")
    parser.add_argument("--no-apptest", dest="apptest", action="store_false", help="browser only")
    args = parser.parse_args()

    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["CONFLICTMAP_STORE"] = str(Path(tmp) / "events.sqlite")
            os.environ["CONFLICTMAP_DATA_DIR"] = tmp
            written = store_of(n, Path(tmp) / "events.sqlite")
            result = {"events": n, "store_written_s": round(written, 1)}
            if args.apptest:
                result.update(server_runs())
            if args.browser:
                result.update(browser_redraw(tmp))
            print(json.dumps(result), flush=True)


def server_runs() -> dict:
    """AppTest: the first run, three slider changes (with the peer), the lookup page."""
    from streamlit.testing.v1 import AppTest

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
    return {"first_run_s": round(first, 2), "slider_change_s": [round(t, 2) for t in timings],
            "peer_whole_map_render_s": [round(t, 2) for t in peer],
            "lookup_page_run_s": round(other_page, 2), "exception": bool(at.exception)}  # fmt: skip


if __name__ == "__main__":
    main()
