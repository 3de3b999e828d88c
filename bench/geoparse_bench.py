"""Geoparser throughput: end-to-end parsing of the LGL texts, beside the peer geotext.

Run: ``.venv/bin/python bench/geoparse_bench.py [--corpus ../shared/eval/lgl.jsonl]``

Both run in this process on the same texts, one core; words are whitespace-separated
tokens. Start-up (opening the gazetteer, loading word frequencies) is timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "lgl.jsonl"
TARGET_WORDS_PER_S = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=3, help="best of N timed passes")
    args = parser.parse_args()
    texts = [
        json.loads(line)["text"]
        for line in args.corpus.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    words = sum(len(t.split()) for t in texts)

    start = time.perf_counter()
    from geo import Gazetteer
    from geo.parse.pipeline import Geoparser
    from geo.parse.recognise import zipf

    geoparser = Geoparser(Gazetteer.open())
    zipf("warm")
    startup = time.perf_counter() - start

    ours = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        mentions = sum(len(geoparser.parse(t)) for t in texts)
        ours.append(time.perf_counter() - start)
    rss_ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from geotext import GeoText

    GeoText("warm up")
    peer = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        peer_mentions = sum(len(GeoText(t).cities) + len(GeoText(t).countries) for t in texts)
        peer.append((time.perf_counter() - start) / 2)  # GeoText parsed twice above
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "corpus": args.corpus.name,
        "documents": len(texts),
        "words": words,
        "startup_s": round(startup, 2),
        "conflictmap_s": round(min(ours), 2),
        "conflictmap_words_per_s": round(words / min(ours)),
        "conflictmap_mentions": mentions,
        "geotext_s": round(min(peer), 2),
        "geotext_words_per_s": round(words / min(peer)),
        "geotext_mentions": peer_mentions,
        "speed_ratio_vs_geotext": round(min(peer) / min(ours), 3),
        "peak_rss_mb_after_conflictmap": round(rss_ours),
    }
    print(json.dumps(result, indent=2))
    met = result["conflictmap_words_per_s"] >= TARGET_WORDS_PER_S
    print(f"\nconflictmap {result['conflictmap_words_per_s']:,} words/s (target ≥ {TARGET_WORDS_PER_S:,}: "
          f"{'met' if met else 'MISSED'}); geotext {result['geotext_words_per_s']:,} words/s; "
          f"ratio {result['speed_ratio_vs_geotext']}")  # fmt: skip


if __name__ == "__main__":
    main()
