"""Comparing two sets of events: N synthetic events against N, within 10 km and 1 day.

Run: ``.venv/bin/python bench/compare_bench.py [--events 100000] [--km 10] [--days 1]``

Two layouts, each timed through ``compare_events`` (the call ``conflictmap compare`` makes
once the events are loaded: both directions, every event of A with its nearest in B):

- **spread**: events at random over Ukraine's bounding box and two years;
- **front line**: events as ACLED's Ukraine data has them, most of them along a 1,000 km
  front on few places, many a day at each: the grid's worst case, thousands of candidates
  per event.

B is A moved by up to 15 km and 2 days, with a quarter of B new, so there is a mix of
matched and unmatched events. The aim is seconds for 100,000 against 100,000.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date

import numpy as np

from geo.events.record import Event
from geo.export.compare import compare_events

TARGET_S = 10.0  # for 100,000 against 100,000
START = date(2022, 2, 24).toordinal()


def spread(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return rng.uniform(44.4, 52.4, n), rng.uniform(22.1, 40.2, n), START + rng.integers(0, 730, n)


def front_line(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Most events at 300 towns along a line from Kharkiv to Kherson, a few anywhere."""
    towns = 300
    along = rng.uniform(0, 1, towns)
    town_lat, town_lon = 50.0 - 3.4 * along + rng.normal(0, 0.15, towns), 36.2 + 1.6 * np.sin(3 * along)
    town = rng.integers(0, towns, n)
    lat = town_lat[town] + rng.normal(0, 0.03, n)
    lon = town_lon[town] + rng.normal(0, 0.03, n)
    anywhere = rng.uniform(0, 1, n) < 0.1
    lat[anywhere], lon[anywhere], _ = spread(rng, int(anywhere.sum()))
    return lat, lon, START + rng.integers(0, 365, n)


def events(lat, lon, day, origin: str, first_id: int) -> list[Event]:
    return [
        Event(id=first_id + i, event_type="Battles", date_start=date.fromordinal(int(d)).isoformat(),
              date_end=date.fromordinal(int(d)).isoformat(), time_precision="day", latitude=float(y),
              longitude=float(x), origin=origin)
        for i, (y, x, d) in enumerate(zip(lat, lon, day, strict=True))
    ]  # fmt: skip


def moved(rng: np.random.Generator, lat, lon, day, layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """B: A's events moved up to ~15 km and 2 days, a quarter of them replaced by new ones."""
    n = len(lat)
    lat = lat + rng.uniform(-0.135, 0.135, n)
    lon = lon + rng.uniform(-0.2, 0.2, n)
    day = day + rng.integers(-2, 3, n)
    new = rng.uniform(0, 1, n) < 0.25
    lat[new], lon[new], day[new] = layout(rng, int(new.sum()))
    return lat, lon, day


def bench(layout, n: int, km: float, days: int) -> dict:
    rng = np.random.default_rng(13)
    a_points = layout(rng, n)
    b_points = moved(rng, *a_points, layout)
    a, b = events(*a_points, "acled:bench.csv", 1), events(*b_points, "extracted", n + 1)
    started = time.perf_counter()
    found = compare_events(a, b, km=km, days=days, a_label="acled", b_label="extracted")
    seconds = time.perf_counter() - started
    return {"layout": layout.__name__.replace("_", " "), "n": n, "seconds": seconds, "found": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--km", type=float, default=10.0)
    parser.add_argument("--days", type=int, default=1)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, NumPy {np.__version__} on {platform.machine()}, "
          f"{platform.system()}")  # fmt: skip
    ok = True
    for n in args.events:
        for layout in (spread, front_line):
            r = bench(layout, n, args.km, args.days)
            found = r["found"]
            print(f"{r['layout']:>10}: {n:,} against {n:,} within {args.km:g} km and {args.days} day(s) in "
                  f"{r['seconds']:.2f} s; acled matched {len(found.pairs):,}, unmatched {len(found.unmatched):,}; "
                  f"extracted matched {found.b_matched:,}, unmatched {len(found.b_unmatched):,}")  # fmt: skip
            ok = ok and r["seconds"] * (100_000 / n) <= TARGET_S
    print(f"Target: 100,000 against 100,000 in <= {TARGET_S:.0f} s: {'met' if ok else 'NOT met'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
