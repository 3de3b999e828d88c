"""Ingest throughput: serial, and on a local Dask cluster, through ``ingest_many``.

Run: ``.venv/bin/python bench/ingest_bench.py [--corpus FILE.jsonl ...] [--workers 2]``

The corpus is real news: by default the LGL, GeoWebNews and FA-KES texts from
``../shared/eval`` (read there, written to a temporary JSON Lines file of articles with a
date and a source). Each run ingests the whole file into a fresh store through the whole
path: read, geoparse, extract events, merge, write (one transaction per article), the same
call the CLI makes (``conflictmap ingest FILE.jsonl [--workers N]``). Both runs start cold
(a new process, so the gazetteer is opened inside the timing, as a user meets it) and end
with the same events, which the benchmark checks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
DEFAULT = [EVAL / "lgl.jsonl", EVAL / "gwn.jsonl", EVAL / "fakes_syria.jsonl"]
TARGET_SPEEDUP = 1.7


def write_corpus(corpora: list[Path], out: Path) -> tuple[int, int]:
    """Every text of ``corpora`` as one article per line; returns (articles, words)."""
    articles = words = 0
    with out.open("w", encoding="utf-8") as handle:
        for corpus in corpora:
            for line in corpus.read_text(encoding="utf-8").split("\n"):
                if not line.strip():
                    continue
                record = json.loads(line)
                text = record.get("text") or record.get("article") or ""
                if not text.strip():
                    continue
                handle.write(json.dumps({"text": text, "date": "2015-01-01", "source": corpus.stem}) + "\n")
                articles += 1
                words += len(text.split())
    return articles, words


def run_once(corpus: Path, store: Path, workers: int) -> dict:
    """One cold ingest in a new process; returns its timing and what it stored."""
    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "start = time.perf_counter()\n"
        "from geo import config\n"
        "from geo.events.ingest import ExtractorSpec, ingest_many\n"
        "from geo.store import SQLiteStore\n"
        "store = SQLiteStore(Path(sys.argv[2]))\n"
        "spec = ExtractorSpec(config.index_path(), config.data_dir())\n"
        "first = []\n"
        "def progress(done, total, label):\n"
        "    if not first:\n"
        "        first.append(time.perf_counter() - start)\n"
        "report = ingest_many([Path(sys.argv[1])], store, spec, workers=int(sys.argv[3]), progress=progress)\n"
        "elapsed = time.perf_counter() - start\n"
        "events = [(e.id, e.event_type, e.date_start, e.gazetteer_id, len(e.sources)) for e in store.events()]\n"
        "print(json.dumps({'seconds': elapsed, 'first': first[0], 'new': report.new, 'failures': len(report.failures),\n"
        "                  'events': events}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(store), str(workers)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, nargs="+", default=DEFAULT)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "articles.jsonl"
        articles, words = write_corpus(args.corpus, corpus)
        serial = run_once(corpus, Path(tmp) / "serial.sqlite", 1)
        parallel = run_once(corpus, Path(tmp) / "parallel.sqlite", args.workers)
    speedup = serial["seconds"] / parallel["seconds"]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "corpus": [p.name for p in args.corpus],
        "articles": articles,
        "words": words,
        "serial_s": round(serial["seconds"], 1),
        "serial_articles_per_s": round(articles / serial["seconds"], 1),
        f"workers_{args.workers}_s": round(parallel["seconds"], 1),
        f"workers_{args.workers}_articles_per_s": round(articles / parallel["seconds"], 1),
        "speedup": round(speedup, 2),
        # from the first stored article to the last: what the cluster adds once it runs
        "serial_first_article_s": round(serial["first"], 1),
        f"workers_{args.workers}_first_article_s": round(parallel["first"], 1),
        "steady_speedup": round((serial["seconds"] - serial["first"]) / (parallel["seconds"] - parallel["first"]), 2),
        "events": len(serial["events"]),
        "same_events_and_ids": serial["events"] == parallel["events"],
        "failures": [serial["failures"], parallel["failures"]],
    }
    print(json.dumps(result, indent=2))
    met = speedup >= TARGET_SPEEDUP and result["same_events_and_ids"]
    print(f"\n{args.workers} workers: {speedup:.2f}x the serial articles/s "
          f"(target ≥ {TARGET_SPEEDUP}x with identical results: {'met' if met else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
