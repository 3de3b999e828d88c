"""A week in a box out of a million stored events (issue 13).

Run: ``.venv/bin/python bench/store_query_bench.py [--events 1000000]``

A fresh store gets N synthetic imported events (2022, Ukraine's bounding box, 1 in 10 over
several days), written as ``conflictmap import`` writes them (``add_imported_rows``, 5,000
a batch), so the upkeep of its indexes is timed too. Then 20 queries of one week in a box of
about 1° x 1° at random places and weeks, through ``SQLiteStore.events(date_from,
date_to, bbox)``: whole events out, with their sources. The peer is the same question
asked plainly in SQL (start on or before the week's end, end on or after its start, in
the box), which cannot bound the start from below, returning the same ids, in the same
run. The aim is 50 ms or less at a million events.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from geo.events.record import Event
from geo.store import SQLiteStore

TARGET_MS = 50.0
WEST, SOUTH, EAST, NORTH = 22.0, 44.5, 40.0, 52.5  # Ukraine's bounding box
BATCH = 5_000


def synthetic(rng: random.Random, i: int) -> tuple[str, str, Event]:
    start = date(2022, 1, 1) + timedelta(days=rng.randrange(365))
    end = start + timedelta(days=rng.choice((0,) * 9 + (rng.randrange(1, 6),)))
    event = Event(event_type="Battles", sub_event_type="Armed clash", date_start=start.isoformat(),
                  date_end=end.isoformat(), time_precision="day", latitude=round(rng.uniform(SOUTH, NORTH), 5),
                  longitude=round(rng.uniform(WEST, EAST), 5), geo_precision="exact", location=f"place {i}",
                  notes="Shelling was reported.", origin="bench:synthetic.csv")  # fmt: skip
    return f"bench:{i}", str(i), event


def peer(store: SQLiteStore, first: date, last: date, box: tuple[float, float, float, float]) -> list[int]:
    west, south, east, north = box
    rows = store.conn.execute(
        "SELECT id FROM events WHERE date_start <= ? AND date_end >= ?"
        " AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ? ORDER BY date_start, id",
        (last.isoformat(), first.isoformat(), south, north, west, east),
    ).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "events.sqlite")
        started = time.perf_counter()
        for first in range(0, args.events, BATCH):
            store.add_imported_rows([synthetic(rng, i) for i in range(first, min(first + BATCH, args.events))])
        print(f"{args.events:,} events written in {time.perf_counter() - started:.1f} s (with the index of when and where)")
        ours, theirs, sizes = [], [], []
        for _ in range(20):
            first = date(2022, 1, 1) + timedelta(days=rng.randrange(358))
            last = first + timedelta(days=6)
            lon, lat = rng.uniform(WEST, EAST - 1), rng.uniform(SOUTH, NORTH - 1)
            box = (lon, lat, lon + 1.0, lat + 1.0)
            t = time.perf_counter()
            found = store.events(date_from=first, date_to=last, bbox=box)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            expected = peer(store, first, last, box)
            theirs.append((time.perf_counter() - t) * 1000)
            assert [e.id for e in found] == expected, "the indexed query must find what the plain query finds"
            sizes.append(len(found))
        median = statistics.median(ours)
        print(f"one week in a 1° box: median {median:.1f} ms, max {max(ours):.1f} ms, "
              f"{statistics.median(sizes):.0f} events found (whole events with sources)")  # fmt: skip
        print(f"peer, the plain SQL query (ids only): median {statistics.median(theirs):.1f} ms, "
              f"max {max(theirs):.1f} ms")  # fmt: skip
        print(f"Target: ≤ {TARGET_MS:.0f} ms at a million events: {'met' if median <= TARGET_MS else 'MISSED'}.")
        store.close()


if __name__ == "__main__":
    main()
