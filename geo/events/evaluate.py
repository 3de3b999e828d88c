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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import EvalFileError
from geo.events.articles import parse_article
from geo.events.classify import NOT_AN_EVENT, SUB_TYPES, event_type_of, shipped_types
from geo.events.detect import shipped_detector
from geo.events.extract import EventExtractor, choose_place
from geo.events.locate import shipped_model
from geo.events.merge import same_event
from geo.events.record import Event
from geo.events.trained import share_seen
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.names import normalise
from geo.gazetteer.place import distance_km
from geo.parse.evaluate import evaluate as evaluate_toponyms
from geo.parse.evaluate import read_documents
from geo.parse.evaluate import report_table as toponyms_table
from geo.parse.pipeline import Geoparser
from geo.parse.resolve import Resolved


@dataclass(frozen=True)
class LocationCase:
    """One annotated sentence: its text, the event's trigger, the gold location spans."""

    id: str
    text: str
    trigger: tuple[int, int]
    gold: tuple[tuple[int, int], ...]
    source: str = ""  # the corpus or publisher the sentence comes from, for grouped folds


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
            yield LocationCase(str(record.get("id", number)), str(record["text"]), trigger, gold,
                               str(record.get("source") or ""))  # fmt: skip
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


def evaluate_locations(
    cases: Iterable[LocationCase],
    extractor: EventExtractor,
    locator: Locator = rule_locator,
    *,
    limit: int | None = None,
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


# -- event types: CASE 2021 snippets with ACLED-style sub-event labels ------------------

TYPE_ORDER = (
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
    "Strategic developments", "Diplomacy", "Displacement", NOT_AN_EVENT,
)  # fmt: skip


def file_kind(path: Path) -> str:
    """What an evaluation file holds, from the keys of its first record: "location"
    (event triggers and their places), "types" (event snippets with a sub-event label),
    "articles" (whole articles with the governorate of their event) or "toponyms"."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        keys = set(json.loads(first)) if first.strip().startswith("{") else set()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "toponyms"  # the toponym reader names the problem
    if "trigger" in keys:
        return "location"
    if "label" in keys and "text" in keys:
        return "types"
    if "governorate" in keys and "text" in keys:
        return "articles"
    if {"text", "date", "lat", "lon"} <= keys:
        return "reports"
    return "toponyms"


def is_location_file(path: Path) -> bool:
    return file_kind(path) == "location"


def _records(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise EvalFileError(f"Cannot read {path}: {err}.") from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvalFileError(f"{path}, line {number}: not JSON ({err}).") from err
        missing = [k for k in required if not isinstance(record, dict) or k not in record]
        if missing:
            raise EvalFileError(f"{path}, line {number}: expected the keys {', '.join(required)}; "
                                f"missing {', '.join(missing)}.")  # fmt: skip
        yield number, record


def read_type_cases(path: Path) -> list[tuple[str, str]]:
    """(text, label) of each snippet of an event-type file."""
    return [(str(r["text"]), str(r["label"])) for _, r in _records(path, ("text", "label"))]


def evaluate_types(
    cases: Iterable[tuple[str, str]] | Path, extractor: EventExtractor, *, limit: int | None = None
) -> dict:
    """The type of the first event extracted from each snippet against its label, mapped
    to our types as ACLED's codebook groups them; no event counts as "none"."""
    if isinstance(cases, Path):
        cases = read_type_cases(cases)
    confusion: dict[str, Counter[str]] = {t: Counter() for t in TYPE_ORDER}
    right = fine_right = fine_total = count = 0
    start = time.perf_counter()
    for text, label in cases:
        if limit is not None and count >= limit:
            break
        count += 1
        gold = event_type_of(label)
        events = extractor.extract(parse_article(text))
        first = min(events, key=lambda e: e.sources[0]["start"] if e.sources else 0, default=None)
        predicted = first.event_type if first is not None else NOT_AN_EVENT
        confusion.setdefault(gold, Counter())[predicted] += 1
        right += predicted == gold
        if SUB_TYPES.get(label) is not None:
            fine_total += 1
            fine_right += first is not None and first.sub_event_type == SUB_TYPES[label][1]
    return {
        "snippets": count,
        "accuracy": round(right / count, 3) if count else 0.0,
        "sub_type_accuracy": round(fine_right / fine_total, 3) if fine_total else None,
        "confusion": {gold: dict(row) for gold, row in confusion.items() if row},
        "seconds": round(time.perf_counter() - start, 1),
    }


def types_table(name: str, report: dict) -> str:
    short = {t: t.split("/")[0].split(" ")[0][:10] for t in TYPE_ORDER}
    golds = [t for t in TYPE_ORDER if t in report["confusion"]]
    lines = [
        f"{name}: event type of the first event, {report['snippets']} snippets: accuracy {report['accuracy']:.3f}, "
        f"sub-type accuracy {report['sub_type_accuracy']}  ({report['seconds']} s)",
        "  gold \\ predicted " + " ".join(f"{short[t]:>10}" for t in TYPE_ORDER),
    ]
    for gold in golds:
        row = report["confusion"][gold]
        lines.append(f"  {short[gold]:<17} " + " ".join(f"{row.get(t, 0):>10}" for t in TYPE_ORDER))
    return "\n".join(lines)


# -- whole articles: FA-KES, each with the governorate of its event -------------------

# FA-KES governorates and the Natural Earth regions that count for each.
GOVERNORATES = {
    "aleppo": ("Aleppo",), "damascus": ("Damascus", "Rif Dimashq"), "idlib": ("Idlib",),
    "deir ezzor": ("Deir ez-Zor",), "raqqa": ("Raqqa",), "homs": ("Homs",), "hasakeh": ("Al Hasakah",),
    "hama": ("Hama",), "daraa": ("Daraa",), "lattakia": ("Latakia",), "quneitra": ("Quneitra",),
    "tartous": ("Tartus",),
}  # fmt: skip


def governorate_shapes(gazetteer: Gazetteer) -> dict[str, BaseGeometry]:
    shapes = {}
    for key, names in GOVERNORATES.items():
        parts = []
        for name in names:
            found = [c.place for c in gazetteer.lookup(name, country="SY", kind="region", limit=10)
                     if c.place.kind == "region" and c.place.country == "SY"]  # fmt: skip
            # "Damascus" names Damascus Province and (as an alternate) Rif Dimashq around it
            named = [p for p in found if normalise(p.name).startswith(normalise(name))]
            if named or found:
                parts.append((named or found)[0].geometry)
        shapes[key] = shapely.union_all(parts) if parts else None
    return shapes


def evaluate_articles(path: Path, extractor: EventExtractor, *, limit: int | None = None) -> dict:
    """The share of articles whose main event lies inside the gold governorate, the share
    placed only at the country, and events per article."""
    shapes = governorate_shapes(extractor.geoparser.gazetteer)
    inside = country_only = no_event = events_total = count = 0
    start = time.perf_counter()
    for number, record in _records(path, ("text", "governorate")):
        if limit is not None and count >= limit:
            break
        shape = shapes.get(str(record["governorate"]).lower())
        if shape is None:
            raise EvalFileError(f"{path}, line {number}: unknown governorate {record['governorate']!r} "
                                f"(known: {', '.join(GOVERNORATES)}).")  # fmt: skip
        count += 1
        article = parse_article(str(record["text"]), title=record.get("title"), date=record.get("date"))
        events = extractor.extract(article)
        events_total += len(events)
        main = extractor.main_event(article, events)
        if main is None or main.latitude is None:
            no_event += 1
            continue
        country_only += main.geo_precision == "country"
        inside += shape.covers(shapely.Point(main.longitude, main.latitude))
    return {
        "articles": count,
        "main_event_in_governorate": round(inside / count, 3) if count else 0.0,
        "main_event_country_only": round(country_only / count, 3) if count else 0.0,
        "no_located_event": round(no_event / count, 3) if count else 0.0,
        "events_per_article": round(events_total / count, 2) if count else 0.0,
        "seconds": round(time.perf_counter() - start, 1),
    }


def articles_table(name: str, report: dict) -> str:
    return (
        f"{name}: {report['articles']} articles: main event inside the gold governorate "
        f"{report['main_event_in_governorate']:.3f}; placed only at the country {report['main_event_country_only']:.3f}; "
        f"no located event {report['no_located_event']:.3f}; {report['events_per_article']} events per article "
        f"({report['seconds']} s)"
    )


# -- incident reports: titles, headlines, notes, each with its verified point ----------

NEAR_KM = 25.0
FAR_KM = 100.0
DISTINCT_KM = 10.0  # reports whose gold points are further apart are distinct incidents
DISTINCT_DAYS = 1


def evaluate_reports(path: Path, extractor: EventExtractor, *, limit: int | None = None) -> dict:
    """Short reports as a user ingests them (each with its date): the share that give an
    event; the share whose first located event lies within 25 km of the verified point
    (reports with ``where_prec`` <= 2) and within 100 km (all); the share whose first
    event's dates contain the gold date (of those with an event); events per report; and
    the share of reports merged with a distinct incident (gold points more than 10 km
    apart or dates more than a day apart) when every report goes into one map."""
    count = with_event = near = near_total = far = dated = events_total = 0
    merged_pool: dict[tuple[str, str | None], list[tuple[Event, list[dict]]]] = {}
    gold_of: list[dict] = []
    start = time.perf_counter()
    for _number, record in _records(path, ("text", "date", "lat", "lon")):
        if limit is not None and count >= limit:
            break
        count += 1
        gold_point = (float(record["lat"]), float(record["lon"]))
        gold_start = date.fromisoformat(str(record["date"])[:10])
        gold_end = date.fromisoformat(str(record.get("date_end") or record["date"])[:10])
        precise = int(record.get("where_prec") or 1) <= 2
        near_total += precise
        events = extractor.extract(parse_article(str(record["text"]), date=str(record["date"])))
        events_total += len(events)
        events.sort(key=lambda e: e.sources[0]["start"] if e.sources else 0)
        if events:
            with_event += 1
            first = events[0]
            if not first.undated:
                when = first.when
                dated += when.start <= gold_end and gold_start <= when.end
        located = next((e for e in events if e.latitude is not None), None)
        if located is not None:
            km = distance_km(gold_point, (located.latitude, located.longitude))
            near += precise and km <= NEAR_KM
            far += km <= FAR_KM
        lines = {line.strip() for line in str(record["text"]).splitlines() if line.strip()}
        gold = {"point": gold_point, "start": gold_start, "end": gold_end, "lines": lines}
        gold_of.append(gold)
        for event in events:
            _pool_merge(merged_pool, event, gold)
    merged = _merged_distinct(merged_pool)
    merged_apart = _merged_distinct(merged_pool, told_apart=True)
    return {
        "reports": count,
        "with_event": round(with_event / count, 3) if count else 0.0,
        "within_25km": round(near / near_total, 3) if near_total else None,
        "within_25km_of": near_total,
        "within_100km": round(far / count, 3) if count else 0.0,
        "date_right": round(dated / with_event, 3) if with_event else None,
        "events_per_report": round(events_total / count, 2) if count else 0.0,
        "merged_distinct": round(merged / count, 4) if count else 0.0,
        "merged_distinct_told_apart": round(merged_apart / count, 4) if count else 0.0,
        "seconds": round(time.perf_counter() - start, 1),
    }


def _pool_merge(pool: dict, event: Event, gold: dict) -> None:
    """Add ``event`` to the map the reports make, merged as the store merges (``same_event``)."""
    day = event.date_start
    keys = [(event.event_type, day)]
    if day is not None:
        d = date.fromisoformat(day)
        keys = [(event.event_type, (d + timedelta(days=k)).isoformat()) for k in range(-3, 4)]
    for key in keys:
        for kept, golds in pool.get(key, ()):
            if same_event(kept, event):
                golds.append(gold)
                return
    pool.setdefault((event.event_type, day), []).append((event, [gold]))


def _merged_distinct(pool: dict, *, told_apart: bool = False) -> int:
    """Reports whose event also holds a report of a distinct incident; with ``told_apart``,
    only a distinct incident whose report shares no line with this one (a dataset may give
    two incidents one headline, which no reader can tell apart)."""
    wrong = set()
    for entries in pool.values():
        for _event, golds in entries:
            for a in golds:
                for b in golds:
                    if a is not b and (
                        distance_km(a["point"], b["point"]) > DISTINCT_KM
                        or (b["start"] - a["end"]).days > DISTINCT_DAYS
                        or (a["start"] - b["end"]).days > DISTINCT_DAYS
                    ) and not (told_apart and a["lines"] & b["lines"]):
                        wrong.add(id(a))
    return len(wrong)


def reports_table(name: str, report: dict) -> str:
    return (
        f"{name}: {report['reports']} reports: with an event {report['with_event']:.3f}; first located event "
        f"within 25 km {report['within_25km']} (of {report['within_25km_of']} with where_prec <= 2), "
        f"within 100 km {report['within_100km']:.3f}; date right {report['date_right']}; "
        f"{report['events_per_report']} events per report; merged with a distinct incident "
        f"{report['merged_distinct']:.4f} (told in other words: {report['merged_distinct_told_apart']:.4f}) "
        f"({report['seconds']} s)"
    )


def evaluate_file(path: Path, gazetteer: Gazetteer, *, limit: int | None = None,
                  locator: str = "model") -> tuple[dict, str]:  # fmt: skip
    """One development file of any kind (``file_kind``), measured: its report and table.
    Where a shipped model was trained on the file's texts, ``report["trained_on"]`` gives
    the share for each such model and the table warns that the figure is a train-set one."""
    kind = file_kind(path)
    report, table = _evaluate_kind(kind, path, gazetteer, limit, locator)
    seen = seen_in_training(path, kind, locator, limit)
    if seen:
        report["trained_on"] = seen
        table += "\n" + trained_warning(seen)
    return report, table


def _evaluate_kind(kind: str, path: Path, gazetteer: Gazetteer, limit: int | None,
                   locator: str) -> tuple[dict, str]:  # fmt: skip
    extractor = EventExtractor(Geoparser(gazetteer))
    if kind == "location":
        report = evaluate_locations(read_location_cases(path), extractor, LOCATORS[locator], limit=limit)
        report["locator"] = locator
        return report, location_table(f"{path.name} ({locator})", report)
    if kind == "types":
        report = evaluate_types(path, extractor, limit=limit)
        return report, types_table(path.name, report)
    if kind == "articles":
        report = evaluate_articles(path, extractor, limit=limit)
        return report, articles_table(path.name, report)
    if kind == "reports":
        report = evaluate_reports(path, extractor, limit=limit)
        return report, reports_table(path.name, report)
    report = evaluate_toponyms(read_documents(path), extractor.geoparser, limit=limit)
    return report, toponyms_table(path.name, report)


def seen_in_training(path: Path, kind: str, locator: str = "model", limit: int | None = None) -> dict[str, float]:
    """For each shipped model that the measure of a ``kind`` file uses, the share of the
    file's texts it was trained on; models that saw none of them are left out."""
    models: dict[str, np.ndarray | None] = {}
    detector = shipped_detector()
    if kind in ("types", "articles", "reports") and detector is not None:
        models["the incident detector"] = detector.model.trained_on
    types = shipped_types()
    if kind == "types" and types is not None:
        models["the type model"] = types.trained_on
    if kind == "location" and locator == "model":
        models["the event locator"] = np.array(shipped_model().trained_on, dtype=np.uint32)
    if not models:
        return {}
    texts = [str(r["text"]) for _, r in islice(_records(path, ("text",)), limit)]
    shares = {name: round(share_seen(texts, keys), 3) for name, keys in models.items()}
    return {name: share for name, share in shares.items() if share > 0}


def trained_warning(seen: dict[str, float]) -> str:
    said = ", ".join(f"{name} {share:.0%}" for name, share in seen.items())
    return (f"  Warning: texts of this file were in the training data of {said}: a train-set "
            "figure, higher than new text gets. Held-out figures: BENCHMARKS.md, or python -m "
            "geo.events.train_detect / train_types / train_locator.")  # fmt: skip
