"""Map scale: the exported map at 100,000 and 1,000,000 events, beside the peer a Folium
user would write (``folium.plugins.MarkerCluster`` of every point), in one run.

Run: ``.venv/bin/python bench/map_bench.py [--sizes 100000 1000000] [--peer-sizes 10000 100000]``

Synthetic events spread over a year (2022) and over Ukraine's bounding box, with short
quotes and one source each. The export includes the offline basemap. Time to interactive
is from navigation until the page reports ready and idle (data inflated, the default
7-day window filtered and drawn) in headless Chromium with no network; a slider step is
one move of the time slider until the canvas is painted again (two animation frames);
"show all" switches to every event up to the last day.

The peer: ``folium.Map`` + ``MarkerCluster`` with one ``folium.Marker`` (popup: the quote)
per event, saved with ``Map.save``; its CDN scripts are swapped for the same npm files
ours inlines (no network here), the others (jQuery, Bootstrap...) left out; a three-line
stand-in for jQuery builds the popups. Interactive:
until the cluster icons are on the page. It has no time slider.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.events.record import Event  # noqa: E402
from geo.export import export_events  # noqa: E402
from geo.export.mapview import TYPE_COLOURS  # noqa: E402
from tests.browser import browser_page  # noqa: E402

TARGETS = {
    10_000: {"export_s": 5.0, "size_mb": 15.0, "interactive_s": 3.0},
    1_000_000: {"size_mb": 60.0, "interactive_s": 5.0, "scrub_step_ms": 100},
}
STEP = """async (day) => {
  conflictmap.setCursor(day);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


def synthetic(n: int, seed: int = 1) -> list[Event]:
    rng = random.Random(seed)
    types = list(TYPE_COLOURS)
    events = []
    for i in range(n):
        start = date(2022, 1, 1) + timedelta(days=rng.randrange(365))
        length = rng.choice([0, 0, 0, 1, 6])
        events.append(Event(
            id=i + 1, event_type=rng.choice(types), sub_event_type=None, date_start=start.isoformat(),
            date_end=(start + timedelta(days=length)).isoformat(), time_precision="day", actor1="Russia",
            actor2="Ukraine", country="UA", admin1=None, location=f"Place {i % 500}",
            latitude=round(rng.uniform(44.5, 52.3), 4), longitude=round(rng.uniform(22.2, 40.2), 4),
            geo_precision=rng.choice(["exact", "exact", "near", "region"]), geometry=None,
            gazetteer_id=None, location_reason="synthetic", fatalities=None,
            notes=f"Synthetic event {i}: shelling reported near the town.", origin="extracted",
            source=None, source_url=None,
            sources=[{"article_id": f"a{i}", "title": f"Report {i}", "publisher": "Bench",
                      "url": None, "published": start.isoformat()}],
        ))  # fmt: skip
    return events


def peer_html(events: list[Event], path: Path) -> None:
    """What a Folium user writes: a MarkerCluster of every event, saved; CDN links swapped for
    the npm files (no network here)."""
    import folium
    from folium.plugins import MarkerCluster

    from geo.export.mapview import assets_dir

    fmap = folium.Map(location=[48.5, 31.0], zoom_start=5, tiles=None)
    fmap.options["maxZoom"] = 18  # a tile layer would set it; offline there is none
    cluster = MarkerCluster().add_to(fmap)
    for e in events:
        folium.Marker([e.latitude, e.longitude], popup=e.notes, tooltip=e.event_type).add_to(cluster)
    fmap.save(str(path))
    page = path.read_text(encoding="utf-8")
    root = assets_dir()
    inline = {
        "leaflet.js": ("script", root / "leaflet/dist/leaflet.js"),
        "leaflet.css": ("style", root / "leaflet/dist/leaflet.css"),
        "leaflet.markercluster.js": ("script", root / "leaflet.markercluster/dist/leaflet.markercluster.js"),
        "MarkerCluster.css": ("style", root / "leaflet.markercluster/dist/MarkerCluster.css"),
        "MarkerCluster.Default.css": ("style", root / "leaflet.markercluster/dist/MarkerCluster.Default.css"),
    }
    # folium builds each popup with jQuery's $(html)[0]; this stands in for jQuery (not installed)
    shim = ("<script>window.$ = function (html) { var t = document.createElement('template');"
            " t.innerHTML = String(html).trim(); return [t.content.firstChild]; };</script>")
    out = []
    for line in page.replace("<head>", "<head>" + shim, 1).splitlines():
        link = re.search(r'(?:src|href)="(https?://[^"]+)"', line)
        if link and ("<script" in line or "<link" in line):
            name = link.group(1).rsplit("/", 1)[-1]
            if name in inline:
                tag, file = inline[name]
                line = f"<{tag}>{file.read_text(encoding='utf-8')}</{tag}>"
            else:
                continue  # jQuery, Bootstrap, icon fonts: not needed for the markers
        out.append(line)
    path.write_text("\n".join(out), encoding="utf-8")


def measure_peer(n: int, folder: Path, timeout_s: float) -> dict:
    path = folder / f"peer-{n}.html"
    start = time.perf_counter()
    peer_html(synthetic(n), path)
    export_s = time.perf_counter() - start
    result = {"events": n, "peer": True, "export_s": round(export_s, 2), "size_mb": round(path.stat().st_size / 2**20, 2)}
    with browser_page() as page:
        start = time.perf_counter()
        try:
            page.goto(path.as_uri(), timeout=timeout_s * 1000)
            page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=timeout_s * 1000)
            result["interactive_s"] = round(time.perf_counter() - start, 2)
        except Exception as err:  # the peer did not survive: say how far it got
            result["interactive_s"] = None
            result["failed"] = f"{type(err).__name__} after {time.perf_counter() - start:.0f} s"
        result["errors_or_requests"] = (list(page.console_errors) + list(page.outside_requests))[:3]
    return result


def measure(n: int, folder: Path) -> dict:
    events = synthetic(n)
    path = folder / f"map-{n}.html"
    start = time.perf_counter()
    size = export_events(events, "html", path)
    export_s = time.perf_counter() - start
    del events
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=300_000)
        page.wait_for_function("window.conflictmap && window.conflictmap.ready && window.conflictmap.idle",
                               timeout=300_000)  # fmt: skip
        interactive_s = time.perf_counter() - start
        first = int(page.locator("input.cm-slider").get_attribute("min"))
        last = int(page.locator("input.cm-slider").get_attribute("max"))
        steps = []
        for k in range(10):
            started = time.perf_counter()
            page.evaluate(STEP, first + 30 + k * 30)
            steps.append(time.perf_counter() - started)
        started = time.perf_counter()
        page.evaluate("conflictmap.setWindow('all')")
        page.evaluate(STEP, last)
        show_all_s = time.perf_counter() - started
        views = {}
        for view in ("hexagons", "countries", "points"):
            started = time.perf_counter()
            page.evaluate(f"conflictmap.setView('{view}')")
            views[view] = round(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        page.evaluate("conflictmap.openPopup(5)")
        page.locator(".leaflet-popup-content .cm-popup").wait_for(timeout=60_000)
        popup_ms = round(1000 * (time.perf_counter() - started))
        errors = list(page.console_errors) + list(page.outside_requests)
    return {
        "events": n, "peer": False, "export_s": round(export_s, 2), "size_mb": round(size / 2**20, 2),
        "interactive_s": round(interactive_s, 2), "scrub_step_ms": round(1000 * sum(steps) / len(steps)),
        "scrub_step_max_ms": round(1000 * max(steps)), "show_all_s": round(show_all_s, 2),
        "view_switch_ms": views, "popup_ms": popup_ms, "errors_or_requests": errors[:3],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--peer-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--peer-timeout", type=float, default=240, help="seconds before the peer counts as dead")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        export_events(synthetic(10), "html", Path(tmp) / "warm.html")  # basemap cache, imports
        for n in args.peer_sizes:
            results.append(measure_peer(n, Path(tmp), args.peer_timeout))
            print(json.dumps(results[-1]), flush=True)
        for n in args.sizes:
            results.append(measure(n, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    print()
    print("| map | events | export | file | interactive | slider step (mean) | show all | target |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        target = TARGETS.get(r["events"]) if not r["peer"] else None
        verdict = ""
        if target:
            met = [r[k] <= v for k, v in target.items()]
            verdict = "all met" if all(met) else "MISSED: " + ", ".join(
                k for k, ok in zip(target, met, strict=True) if not ok)  # fmt: skip
        interactive = f"{r['interactive_s']} s" if r.get("interactive_s") is not None else r.get("failed", "-")
        name = "Folium MarkerCluster (peer)" if r["peer"] else "conflictmap"
        step = f"{r['scrub_step_ms']} ms" if not r["peer"] else "no slider"
        show_all = f"{r['show_all_s']} s" if not r["peer"] else "-"
        print(f"| {name} | {r['events']:,} | {r['export_s']} s | {r['size_mb']} MB | {interactive} | {step} "
              f"| {show_all} | {verdict} |")  # fmt: skip


if __name__ == "__main__":
    main()
