"""Ingest throughput: the LGL texts into a fresh event store, and its size per 1,000 events.

Run: ``.venv/bin/python bench/ingest_bench.py [--corpus ../shared/eval/lgl.jsonl]``

Each text is ingested as an article dated 2010-01-01 (LGL carries no dates), through the
whole path: read, geoparse, extract events, merge, write (one transaction per article).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "lgl.jsonl"
TARGET_ARTICLES_PER_S = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    args = parser.parse_args()
    texts = [
        json.loads(line)["text"]
        for line in args.corpus.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]

    from geo import Gazetteer
    from geo.events.articles import parse_article
    from geo.events.extract import EventExtractor
    from geo.parse.pipeline import Geoparser
    from geo.store import SQLiteStore

    extractor = EventExtractor(Geoparser(Gazetteer.open()))
    extractor.extract(parse_article("Warm up in Kyiv.", date="2010-01-01"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.sqlite"
        store = SQLiteStore(path)
        words = 0
        start = time.perf_counter()
        for text in texts:
            article = parse_article(text, date="2010-01-01", source="LGL")
            words += article.words
            ingest_one(store, article, extractor)
        elapsed = time.perf_counter() - start
        events = store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        size = path.stat().st_size
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "articles": len(texts),
        "words": words,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(texts) / elapsed, 1),
        "words_per_s": round(words / elapsed),
        "events": events,
        "store_mb": round(size / 2**20, 2),
        "store_mb_per_1000_events": round(size / 2**20 / max(events, 1) * 1000, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))
    met = result["articles_per_s"] >= TARGET_ARTICLES_PER_S
    print(
        f"\n{result['articles_per_s']} articles/s (target ≥ {TARGET_ARTICLES_PER_S}: {'met' if met else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
