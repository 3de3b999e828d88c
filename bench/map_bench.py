"""Map scale: export time, file size and time to interactive for 1,000 to 100,000 events.

Run: ``.venv/bin/python bench/map_bench.py [--sizes 1000 10000 100000]``

Synthetic events spread over a year (2022) and over Ukraine's bounding box, with short
quotes and one source each. The export includes the offline basemap. Time to interactive
is from navigation until the page reports ready and idle (every marker built and
clustered) in headless Chromium with no network; a scrub step is one move of the time
slider until the clusters are rebuilt.
"""

from __future__ import annotations

import argparse
import json
import random
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

TARGETS = {10_000: {"export_s": 5.0, "size_mb": 15.0, "interactive_s": 3.0}}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        export_events(synthetic(10), "html", Path(tmp) / "warm.html")  # basemap cache, imports
        for n in args.sizes:
            events = synthetic(n)
            path = Path(tmp) / f"map-{n}.html"
            start = time.perf_counter()
            size = export_events(events, "html", path)
            export_s = time.perf_counter() - start
            with browser_page() as page:
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function("window.conflictmap && window.conflictmap.ready && window.conflictmap.idle",
                                       timeout=300_000)  # fmt: skip
                interactive_s = time.perf_counter() - start
                first = int(page.locator("input.cm-slider").get_attribute("min"))
                steps = []
                for k in range(10):
                    started = time.perf_counter()
                    page.evaluate(f"conflictmap.setCursor({first + 30 + k * 30})")
                    page.wait_for_function("window.conflictmap.idle", timeout=60_000)
                    steps.append(time.perf_counter() - started)
                started = time.perf_counter()
                page.evaluate(f"conflictmap.setWindow('all'); conflictmap.setCursor({first + 400})")
                page.wait_for_function("window.conflictmap.idle", timeout=300_000)
                show_all_s = time.perf_counter() - started
                errors = list(page.console_errors) + list(page.outside_requests)
            results.append({
                "events": n, "export_s": round(export_s, 2), "size_mb": round(size / 2**20, 2),
                "interactive_s": round(interactive_s, 2), "scrub_step_ms": round(1000 * sum(steps) / len(steps)),
                "scrub_step_max_ms": round(1000 * max(steps)), "show_all_s": round(show_all_s, 2),
                "errors_or_requests": errors[:3],
            })  # fmt: skip
            print(json.dumps(results[-1]), flush=True)
    print()
    print(
        f"{'events':>8} {'export s':>9} {'size MB':>8} {'interactive s':>14} {'scrub ms':>9} {'all s':>6}  targets"
    )
    for r in results:
        target = TARGETS.get(r["events"])
        verdict = ""
        if target:
            met = [r[k] <= v for k, v in target.items()]
            verdict = (
                "all met"
                if all(met)
                else "MISSED: " + ", ".join(k for k, ok in zip(target, met, strict=True) if not ok)
            )
        print(f"{r['events']:>8} {r['export_s']:>9} {r['size_mb']:>8} {r['interactive_s']:>14} {r['scrub_step_ms']:>9}"
              f" {r['show_all_s']:>6}  {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
