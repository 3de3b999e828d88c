"""Evaluate where events are placed, on annotated news (the formats of ../shared/eval).

Event location with the trigger given (``event_location_dev.jsonl``, Halterman 2019): one
sentence per line, ``{"id", "text", "trigger": {"start", "end", "text"}, "locations":
[{"start", "end", "text"}]}``; ``locations`` is empty when the sentence does not say where.

Scoring, one event per sentence: a predicted place that overlaps a gold span is a true
positive; any other predicted place is a false positive (also when gold has none); a
sentence with a gold location and no overlapping prediction is a false negative. "Not
stated" accuracy is the share of sentences without a gold location for which nothing is
predicted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.errors import EvalFileError
from geo.events.extract import EventExtractor, choose_place
from geo.events.locate import shipped_model
from geo.parse.resolve import Resolved


@dataclass(frozen=True)
class LocationCase:
    """One annotated sentence: its text, the event's trigger, the gold location spans."""

    id: str
    text: str
    trigger: tuple[int, int]
    gold: tuple[tuple[int, int], ...]


def read_location_cases(path: Path) -> Iterator[LocationCase]:
    """The cases of an event-location file; EvalFileError names a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise EvalFileError(f"Cannot read {path}: {err}.") from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            trigger = (int(record["trigger"]["start"]), int(record["trigger"]["end"]))
            gold = tuple((int(g["start"]), int(g["end"])) for g in record["locations"])
            yield LocationCase(str(record.get("id", number)), str(record["text"]), trigger, gold)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise EvalFileError(
                f"{path}, line {number}: expected {{'text', 'trigger': {{'start', 'end'}}, 'locations': [...]}} ({err})."
            ) from err


Locator = Callable[[str, list[Resolved], tuple[int, int]], tuple[int, int] | None]


def rule_locator(text: str, mentions: list[Resolved], trigger: tuple[int, int]) -> tuple[int, int] | None:
    """The span the extractor's rules choose for the trigger's event, or None."""
    found = choose_place(text, (0, len(text)), mentions, trigger)
    return (found[0].mention.start, found[0].mention.end) if found else None


def model_locator(text: str, mentions: list[Resolved], trigger: tuple[int, int]) -> tuple[int, int] | None:
    """The span the learned locator (``geo.events.locate``) chooses, or None."""
    picked = shipped_model().choose(text, mentions, trigger)
    return (picked[0].start, picked[0].end) if picked else None


LOCATORS: dict[str, Locator] = {"rules": rule_locator, "model": model_locator}


def is_location_file(path: Path) -> bool:
    """Does ``path`` hold event-location cases (a "trigger" in its first record)?"""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        return '"trigger"' in first
    except (OSError, UnicodeDecodeError):
        return False


def evaluate_locations(
    cases: Iterable[LocationCase], extractor: EventExtractor, locator: Locator = rule_locator, *, limit: int | None = None
) -> dict:
    tp = fp = fn = none_right = none_total = 0
    count = 0
    start = time.perf_counter()
    for case in cases:
        if limit is not None and count >= limit:
            break
        count += 1
        mentions = extractor.geoparser.parse(case.text)
        predicted = locator(case.text, mentions, case.trigger)
        hit = predicted is not None and any(_overlaps(predicted, g) for g in case.gold)
        tp += hit
        fp += predicted is not None and not hit
        fn += bool(case.gold) and not hit
        if not case.gold:
            none_total += 1
            none_right += predicted is None
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "sentences": count,
        "with_location": count - none_total,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "not_stated_accuracy": round(none_right / none_total, 3) if none_total else None,
        "seconds": round(time.perf_counter() - start, 1),
    }


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def location_table(name: str, report: dict) -> str:
    return (
        f"{name}: event location with the trigger given, {report['sentences']} sentences "
        f"({report['with_location']} with a location)\n"
        f"  precision {report['precision']:.3f}  recall {report['recall']:.3f}  F1 {report['f1']:.3f}  "
        f"'not stated' accuracy {report['not_stated_accuracy']}  ({report['seconds']} s)"
    )
