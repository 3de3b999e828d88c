"""Golden files: the geoparser's output on the sample articles in seeds/.

Rewrite them after a deliberate change, then review the diff:

    .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_path(seed: Path) -> Path:
    return GOLDEN / f"{seed.stem}.parse.json"


def parse_records(geoparser, seed: Path) -> list[dict]:
    from geo.parse.pipeline import to_record

    return [to_record(r) for r in geoparser.parse(seed.read_text(encoding="utf-8"))]


def main() -> None:
    from geo import Gazetteer
    from geo.parse.pipeline import Geoparser

    geoparser = Geoparser(Gazetteer.open())
    GOLDEN.mkdir(exist_ok=True)
    for seed in SEEDS:
        records = parse_records(geoparser, seed)
        golden_path(seed).write_text(
            json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {golden_path(seed).relative_to(ROOT)} ({len(records)} mentions)")


if __name__ == "__main__":
    main()
