"""Where events are placed, with the trigger given: the place rules against the learned
locator, on the 7,732 event-location sentences of ../shared/eval (issue 11).

Run: ``.venv/bin/python bench/event_location_bench.py``

The rules learn nothing, so they are scored on the whole file. The model is scored only by
5-fold cross-validation (each fold scored by a model trained on the other four; its
threshold chosen on those four too), never on sentences it was trained on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "event_location_dev.jsonl"


def main() -> None:
    print("rules (no training):")
    subprocess.run([sys.executable, "-m", "geo.cli", "eval", str(DEV), "--format", "table"], check=True)
    print("\nlearned locator, 5-fold cross-validated:")
    subprocess.run([sys.executable, "-m", "geo.events.train_locator", str(DEV), "--no-write"], check=True)


if __name__ == "__main__":
    main()
