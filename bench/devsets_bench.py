"""Every development set in one go, one table (issue 20): a gain on one set that costs
another shows here.

Run: ``.venv/bin/python bench/devsets_bench.py [--locator reports|rules|model]`` (scikit-learn, a
test extra, trains the held-out models).

No figure is a train-set figure. The incident detector is trained on these sets, so each
set is scored by a detector trained without it (leave one dataset out; the report
threshold chosen without it too); the event types by 5-fold cross-validation (the type
model and the detector both trained without the held fold). The place rules and the
geoparser learn nothing from these sets.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from geo.events import train_detect, train_types
from geo.events.detect import IncidentModel
from geo.events.evaluate import (
    evaluate_articles,
    evaluate_locations,
    evaluate_reports,
    evaluate_types,
    read_location_cases,
    read_type_cases,
)
from geo.events.extract import EventExtractor
from geo.gazetteer import Gazetteer
from geo.parse import Geoparser
from geo.parse.evaluate import evaluate, read_documents

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def type_folds(geoparser, items, thresholds, locator) -> dict:
    """The whole extractor's event type accuracy on the CASE snippets, 5-fold."""
    cases = read_type_cases(EVAL / "event_types_dev.jsonl")
    texts, labels = [t for t, _ in cases], [label for _, label in cases]
    right = 0
    for train, held in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels):
        held_texts = {texts[i] for i in held}
        model = train_types.fit([texts[i] for i in train], [labels[i] for i in train])
        kept = [e for e in items if not (e.group == "case" and e.text in held_texts)]
        detector = IncidentModel(train_detect.fit(kept), *thresholds)
        extractor = EventExtractor(geoparser, type_model=model, detector=detector, locator=locator)
        report = evaluate_types([cases[i] for i in held], extractor)
        right += round(report["accuracy"] * len(held))
    return {"snippets": len(cases), "accuracy": round(right / len(cases), 3)}


def main() -> None:
    locator = sys.argv[sys.argv.index("--locator") + 1] if "--locator" in sys.argv else "reports"
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, locator {locator}")
    started = time.perf_counter()
    items = train_detect.examples(EVAL)
    models = train_detect.held_out(items)
    thresholds = train_detect.choose_thresholds(items, {g: s for g, (_m, s) in models.items()})
    geoparser = Geoparser(Gazetteer.open())
    rows: list[tuple[str, str, object]] = []

    def extractor_without(group: str) -> EventExtractor:
        detector = train_detect.held_out_detector(items, models, group)
        return EventExtractor(geoparser, detector=detector, locator=locator)

    for name, group in (("cir_reports_dev.jsonl", "cir"), ("ucdp_ukraine.jsonl", "ucdp")):
        r = evaluate_reports(EVAL / name, extractor_without(group))
        rows += [(name, "reports with an event", r["with_event"]),
                 (name, "first located event within 25 km (where_prec <= 2)", r["within_25km"]),
                 (name, "first located event within 100 km", r["within_100km"]),
                 (name, "date right (of those with an event)", r["date_right"]),
                 (name, "events per report", r["events_per_report"]),
                 (name, "reports merged with a distinct incident", r["merged_distinct"]),
                 (name, "... whose report shares no line with it", r["merged_distinct_told_apart"])]  # fmt: skip
    r = evaluate_locations(read_location_cases(EVAL / "event_location_dev.jsonl"), EventExtractor(geoparser))
    rows += [("event_location_dev.jsonl", "event location F1, trigger given (place rules)", r["f1"])]
    r = type_folds(geoparser, items, thresholds, locator)
    rows += [("event_types_dev.jsonl", "event type accuracy, whole extractor (5-fold)", r["accuracy"])]
    r = evaluate_articles(EVAL / "fakes_syria.jsonl", extractor_without("fakes"))
    rows += [("fakes_syria.jsonl", "main event inside the gold governorate", r["main_event_in_governorate"]),
             ("fakes_syria.jsonl", "events per article", r["events_per_article"])]  # fmt: skip
    for name in ("lgl.jsonl", "gwn.jsonl"):
        r = evaluate(read_documents(EVAL / name), geoparser)
        rows += [(name, "end to end F1 / accuracy@161 km", f"{r['end_to_end']['f1']:.3f} / "
                                                            f"{r['end_to_end']['accuracy_161']:.3f}")]  # fmt: skip
    width = max(len(a) + len(b) for a, b, _ in rows) + 3
    for name, measure, value in rows:
        print(f"{name:<26} {measure:<{width - 26}} {value}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
