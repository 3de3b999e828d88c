"""App responsiveness: server time for one change of the date range at 10,000 and 100,000
stored events (Streamlit AppTest, no browser).

Run: ``.venv/bin/python bench/app_bench.py [--sizes 10000 100000]``

Synthetic events (as in map_bench.py) go into a temporary store; the app starts once,
then the date slider moves and the whole rerun is timed (filtering, the cached map for
the new range, the table and chart).
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
    from geo.store import Store

    store = Store(path)
    rows = []
    for e in events:
        record = e.to_record()
        record["geometry"] = json.dumps({"type": "Point", "coordinates": [e.longitude, e.latitude]})
        rows.append(record)
    store.add_imported(rows)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
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
            timings = []
            for step in range(3):
                start = time.perf_counter()
                slider.set_value((low + timedelta(days=30 * (step + 1)), high)).run()
                timings.append(time.perf_counter() - start)
            print(json.dumps({"events": n, "first_run_s": round(first, 2),
                              "slider_change_s": [round(t, 2) for t in timings],
                              "exception": bool(at.exception)}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
