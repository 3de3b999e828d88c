"""Import throughput: a synthetic ACLED-style CSV of N rows into a fresh event store.

Run: ``.venv/bin/python bench/import_bench.py [--rows 100000 1000000] [--repeat]``

Each size writes a CSV in a temporary folder (today's ACLED columns, dates as ACLED's
spreadsheets write them, 5-Aug-24, one bad row in 10,000 so the reporting path is timed
too) and imports it through ``import_file``, the call ``conflictmap import FILE`` makes:
detect the encoding and format, parse every row, key it, and keep it in batches of 5,000.
``--repeat`` times importing the same file again (every row unchanged). The aim is
1,000,000 rows in 60 s or less.
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from geo.export.datasets import import_file
from geo.store import SQLiteStore

TARGET_S_PER_MILLION = 60.0
COLUMNS = (  # noqa: SIM905 (ACLED's header line as it is)
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
).split(",")
TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Riots", "Mob violence"),
         ("Strategic developments", "Looting/property destruction")]  # fmt: skip
PLACES = [("Kharkiv", "Kharkivska", 49.9935, 36.2304), ("Donetsk", "Donetska", 48.0159, 37.8029),
          ("Aleppo", "Aleppo", 36.2021, 37.1343), ("Mogadishu", "Banadir", 2.0371, 45.3438),
          ("Bamako", "Bamako", 12.6392, -8.0029), ("Kabul", "Kabul", 34.5553, 69.2075)]  # fmt: skip


def write_csv(path: Path, rows: int, seed: int = 13) -> int:
    """``rows`` ACLED-style rows (one in 10,000 with a latitude out of range); returns the bad count."""
    rng = random.Random(seed)
    start = date(2018, 1, 1)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for n in range(rows):
            day = start + timedelta(days=rng.randrange(2500))
            event_type, sub_type = rng.choice(TYPES)
            location, admin1, lat, lon = rng.choice(PLACES)
            lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3)
            if n % 10_000 == 9_999:
                lat, bad = 123.0, bad + 1
            writer.writerow([
                f"BEN{n}", f"{day.day}-{day.strftime('%b')}-{day.strftime('%y')}", day.year, rng.choice("123"),
                "Political violence", event_type, sub_type, "Military Forces of Somewhere (2000-)", "", "State forces",
                "Rebels", "", "Rebel group", "State forces-Rebel group", "", 804, "Europe", "Ukraine", admin1,
                f"{location}skyi", "", location, f"{lat:.4f}", f"{lon:.4f}", rng.choice("123"), "Local news",
                "Subnational", f"On {day.isoformat()}, {sub_type.lower()} near {location}; reports vary.",
                rng.choice("0000123"), "", 1723500000,
            ])  # fmt: skip
    return bad


def bench(rows: int, folder: Path, repeat: bool) -> dict:
    csv_path = folder / f"acled_{rows}.csv"
    started = time.perf_counter()
    expected_bad = write_csv(csv_path, rows)
    written_s = time.perf_counter() - started
    store = SQLiteStore(folder / f"events_{rows}.sqlite")
    started = time.perf_counter()
    report = import_file(csv_path, store)
    import_s = time.perf_counter() - started
    assert (report.added, report.bad) == (rows - expected_bad, expected_bad), report.summary()
    result = {"rows": rows, "mb": csv_path.stat().st_size / 2**20, "write_s": written_s, "import_s": import_s,
              "rows_per_s": rows / import_s, "summary": report.summary()}  # fmt: skip
    if repeat:
        started = time.perf_counter()
        again = import_file(csv_path, store)
        result["reimport_s"] = time.perf_counter() - started
        assert (again.added, again.unchanged) == (0, rows - expected_bad), again.summary()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", action="store_true", help="Also time importing the same file again.")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        for rows in args.rows:
            r = bench(rows, Path(tmp), args.repeat)
            again = f", again (all unchanged) {r['reimport_s']:.1f} s" if "reimport_s" in r else ""
            print(f"{r['rows']:>9,} rows ({r['mb']:.0f} MB, written in {r['write_s']:.1f} s): imported in "
                  f"{r['import_s']:.1f} s, {r['rows_per_s']:,.0f} rows/s{again}")  # fmt: skip
            print(f"          {r['summary'].split(': ', 1)[1]}")
            per_million = r["import_s"] * 1_000_000 / rows
            ok = ok and per_million <= TARGET_S_PER_MILLION
    print(f"Target: 1,000,000 rows in <= {TARGET_S_PER_MILLION:.0f} s: {'met' if ok else 'NOT met'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
