"""Events you can trust (issue 11): event types (5-fold) and whole articles (FA-KES).

Run: ``.venv/bin/python bench/events_bench.py`` (needs scikit-learn, a test extra)

1. Event types, on the CASE 2021 snippets of ``../shared/eval/event_types_dev.jsonl``:
   5-fold cross-validation of the classifier alone and of the whole extractor (trigger
   rules, negations, then the classifier trained on the other four folds), accuracy of
   the first event's type over our eight types and "none". The rules' first type is
   printed beside it.
2. Whole articles, ``../shared/eval/fakes_syria.jsonl`` (804 FA-KES articles): the main
   event inside the gold governorate, country-only share, events per article, and the
   extraction rate on one core.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from geo.events import train_types
from geo.events.evaluate import articles_table, evaluate_articles, evaluate_types, types_table
from geo.events.extract import EventExtractor
from geo.gazetteer import Gazetteer
from geo.parse import Geoparser

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def main() -> None:
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    sys.argv = [sys.argv[0], "--no-write"]
    train_types.main()  # prints the k-fold figures
    geoparser = Geoparser(Gazetteer.open())
    rules = evaluate_types(EVAL / "event_types_dev.jsonl", EventExtractor(geoparser, types="rules"))
    print(types_table("rules only (no model)", rules))
    report = evaluate_articles(EVAL / "fakes_syria.jsonl", EventExtractor(geoparser))
    print(articles_table("fakes_syria.jsonl", report))
    print(f"  {report['articles'] / report['seconds']:.1f} articles/s on one core (extraction and scoring)")


if __name__ == "__main__":
    main()
