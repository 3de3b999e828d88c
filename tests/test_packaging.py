"""Every data file the package reads from ``gazetteer/`` is mapped into the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.events.classify import MODEL_FILE
from geo.events.detect import DETECTOR_FILE

ROOT = Path(__file__).resolve().parent.parent


def test_the_models_and_tables_the_package_reads_ship_in_the_wheel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapped = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for name in (MODEL_FILE, DETECTOR_FILE, "event_locator.json", "event_rules.toml", "country_names.tsv",
                 "region_names.tsv", "naturalearth"):  # fmt: skip
        assert mapped.get(f"gazetteer/{name}") == f"geo/data/{name}", name
        assert (ROOT / "gazetteer" / name).exists(), name
