"""Long texts: geoparse and extraction time by length (issue 14: linear, 1 MB in ≤ 20 s).

Run: ``.venv/bin/python bench/long_text_bench.py [KB ...]``

The text is real news: the FA-KES articles from ``../shared/eval`` one after another, cut
at each length. One process, one core; the gazetteer is opened before the timing.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

from geo.events import EventExtractor, parse_article
from geo.gazetteer import Gazetteer
from geo.parse import Geoparser

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "fakes_syria.jsonl"
TARGET_S_PER_MB = 20.0


def main() -> None:
    sizes = [int(kb) for kb in sys.argv[1:]] or [100, 300, 1000]
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    corpus = "\n\n".join(json.loads(line)["text"] for line in lines if line.strip())
    while len(corpus) < max(sizes) * 1000:
        corpus += "\n\n" + corpus
    extractor = EventExtractor(Geoparser(Gazetteer.open()))
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'KB':>6} {'parse s':>8} {'extract s':>10} {'mentions':>9} {'events':>7} {'s per MB':>9}")
    result = {}
    for kb in sizes:
        text = corpus[: kb * 1000]
        start = time.perf_counter()
        mentions = extractor.geoparser.parse(text)
        parse_s = time.perf_counter() - start
        start = time.perf_counter()
        events = extractor.extract(parse_article(text, date="2017-01-01"))
        extract_s = time.perf_counter() - start  # the whole path: it geoparses again
        result[kb] = extract_s
        print(f"{kb:>6} {parse_s:>8.2f} {extract_s:>10.2f} {len(mentions):>9} {len(events):>7} "
              f"{extract_s / (kb / 1000):>9.1f}")  # fmt: skip
    if 1000 in result:
        met = result[1000] <= TARGET_S_PER_MB
        print(f"\n1 MB extracted in {result[1000]:.1f} s (target ≤ {TARGET_S_PER_MB:.0f} s: {'met' if met else 'MISSED'})")


if __name__ == "__main__":
    main()
