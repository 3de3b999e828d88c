"""Evaluate the geoparser on annotated news (the JSON Lines format of ../shared/eval).

One article per line: ``{"id", "text", "toponyms": [{"start", "end", "surface", "lat",
"lon", "geonameid"}]}``; toponyms with null coordinates are annotated but not geocoded
and count neither for nor against.

Metrics, as in the literature (Gritta et al. 2018):
- resolution with gold spans given: accuracy@161 km, median and mean error (km), and
  AUC of the log-error curve (lower is better);
- end to end: precision, recall and F1 of predicted spans that overlap a geocoded gold
  span, and accuracy@161 km over all geocoded gold spans.

An error is 0 when the resolved place is the gold GeoNames id itself (gazetteers put a
country's or region's point in different places) or when the gold point lies on the
predicted line or area; ``strict`` figures use point distance only, as published systems
that return points are measured. The population baseline picks the most populous gazetteer match for each gold span.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from geo.errors import EvalFileError
from geo.gazetteer.place import POPULATED_KINDS, Place, distance_km
from geo.parse.pipeline import Geoparser
from geo.parse.recognise import Mention
from geo.parse.resolve import Resolved, resolve_mentions

ACCURACY_KM = 161.0
MAX_ERROR_KM = 20039.0  # half the Earth's circumference: the error of a miss
ON_GEOMETRY_DEGREES = 0.1  # about 10 km: the gold point lies on the predicted (simplified) geometry


@dataclass
class Gold:
    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    geonameid: int | None

    @property
    def geocoded(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class Document:
    id: str
    text: str
    gold: list[Gold]


def read_documents(path: Path) -> Iterator[Document]:
    """Read and check an evaluation file, one article per line."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 is text
    except OSError as err:
        raise EvalFileError(f"Cannot read {path}: {err.strerror}.") from err
    except UnicodeDecodeError as err:
        raise EvalFileError(f"{path} is not UTF-8 text: {err}.") from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            gold = [
                Gold(
                    int(t["start"]),
                    int(t["end"]),
                    str(t["surface"]),
                    t.get("lat"),
                    t.get("lon"),
                    t.get("geonameid"),
                )  # fmt: skip
                for t in record.get("toponyms", [])
            ]
        except json.JSONDecodeError as err:
            raise EvalFileError(f"{path}, line {number}: not valid JSON ({err.msg}).") from err
        except (KeyError, TypeError, ValueError) as err:
            raise EvalFileError(
                f'{path}, line {number}: expected an object with "text" and "toponyms" '
                f'[{{"start", "end", "surface", "lat", "lon"}}] ({err!r}).'
            ) from err
        if not isinstance(text, str):
            raise EvalFileError(f'{path}, line {number}: "text" must be a string.')
        for g in gold:
            numbers = [v for v in (g.lat, g.lon) if v is not None]
            if (g.lat is None) != (g.lon is None) or any(
                isinstance(v, bool) or not isinstance(v, int | float) for v in numbers
            ):
                raise EvalFileError(
                    f"{path}, line {number}: toponym {g.surface!r} needs numeric lat and lon, or both null."
                )
            if g.start >= g.end:
                raise EvalFileError(
                    f"{path}, line {number}: toponym {g.surface!r} has an empty span {g.start}-{g.end}."
                )
            if not (0 <= g.start < g.end <= len(text)):
                raise EvalFileError(
                    f"{path}, line {number}: toponym {g.surface!r} has span {g.start}-{g.end} "
                    f"outside the text ({len(text)} characters)."
                )
        yield Document(str(record.get("id", number)), text, gold)


def error_km(gold: Gold, place: Place | None, point: tuple[float, float] | None, *, strict: bool) -> float:
    """Distance from the gold point to the prediction. Unless ``strict``: 0 for the gold
    GeoNames id itself, and 0 when the gold point lies on the predicted line or area
    (a river, a region, a country), since the prediction is that geometry."""
    if place is None or point is None:
        return MAX_ERROR_KM
    if not strict:
        if gold.geonameid and place.id == f"geonames:{gold.geonameid}":
            return 0.0
        shape = place.geometry
        on_shape = shape.distance(shapely.Point(gold.lon, gold.lat)) <= ON_GEOMETRY_DEGREES
        if place.kind not in POPULATED_KINDS and shape.geom_type != "Point" and on_shape:
            return 0.0
    return distance_km((gold.lat, gold.lon), point)


def auc(errors: list[float]) -> float:
    """Area under the curve of sorted, log-scaled errors, in [0, 1] (lower is better)."""
    if not errors:
        return float("nan")
    scaled = sorted(math.log(1 + e) / math.log(1 + MAX_ERROR_KM) for e in errors)
    if len(scaled) == 1:
        return scaled[0]
    width = 1 / (len(scaled) - 1)
    return sum((a + b) / 2 * width for a, b in zip(scaled, scaled[1:], strict=False))


def summarise(errors: list[float]) -> dict:
    if not errors:
        return {"n": 0}
    return {
        "n": len(errors),
        "accuracy_161": round(sum(e <= ACCURACY_KM for e in errors) / len(errors), 4),
        "median_km": round(statistics.median(errors), 1),
        "mean_km": round(statistics.fmean(errors), 1),
        "auc": round(auc(errors), 4),
    }


@dataclass
class _Tally:
    resolution: list[float] = field(default_factory=list)
    resolution_strict: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    predicted: int = 0
    true_predictions: int = 0
    neutral_predictions: int = 0
    found_gold: int = 0
    words: int = 0


def evaluate(documents: Iterable[Document], parser: Geoparser, *, limit: int | None = None) -> dict:
    """Run both evaluations over ``documents``; returns a JSON-ready report."""
    tally = _Tally()
    started = time.perf_counter()
    docs = 0
    for document in documents:
        if limit is not None and docs >= limit:
            break
        docs += 1
        tally.words += len(document.text.split())
        _resolution(document, parser, tally)
        _end_to_end(document, parser, tally)
    precision = tally.true_predictions / max(1, tally.predicted - tally.neutral_predictions)
    geocoded = len(tally.e2e)
    recall = tally.found_gold / max(1, geocoded)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": docs,
        "words": tally.words,
        "gold_geocoded": geocoded,
        "resolution": summarise(tally.resolution),
        "resolution_strict": summarise(tally.resolution_strict),
        "population_baseline": summarise(tally.baseline),
        "end_to_end": {
            "predicted": tally.predicted,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "accuracy_161": round(sum(e <= ACCURACY_KM for e in tally.e2e) / max(1, geocoded), 4),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def _resolution(document: Document, parser: Geoparser, tally: _Tally) -> None:
    """Resolve the gold spans themselves, with each other as context."""
    mentions = [Mention(g.start, g.end, document.text[g.start : g.end]) for g in document.gold]
    resolved = {
        (r.mention.start, r.mention.end): r
        for r in resolve_mentions(mentions, parser.gazetteer, keep_all=True)
    }
    for gold in document.gold:
        if not gold.geocoded:
            continue
        item = resolved.get((gold.start, gold.end))
        place, point = (item.place, item.point) if item else (None, None)
        tally.resolution.append(error_km(gold, place, point, strict=False))
        tally.resolution_strict.append(error_km(gold, place, point, strict=True))
        baseline = _most_populous(parser, gold.surface)
        tally.baseline.append(error_km(gold, baseline, baseline.point if baseline else None, strict=False))


def _most_populous(parser: Geoparser, surface: str) -> Place | None:
    candidates = parser.gazetteer.lookup(surface, limit=None)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.place.population or 0, c.score)).place


def _end_to_end(document: Document, parser: Geoparser, tally: _Tally) -> None:
    predictions: list[Resolved] = parser.parse(document.text)
    tally.predicted += len(predictions)
    geocoded = [g for g in document.gold if g.geocoded]
    for prediction in predictions:
        overlapping = [g for g in document.gold if _overlap(prediction, g)]
        if any(g.geocoded for g in overlapping):
            tally.true_predictions += 1
        elif overlapping:
            tally.neutral_predictions += 1
    for gold in geocoded:
        hits = [p for p in predictions if _overlap(p, gold)]
        if hits:
            tally.found_gold += 1
        errors = [error_km(gold, p.place, p.point, strict=False) for p in hits]
        tally.e2e.append(min(errors) if errors else MAX_ERROR_KM)


def _overlap(prediction: Resolved, gold: Gold) -> bool:
    return prediction.mention.start < gold.end and gold.start < prediction.mention.end


def report_table(name: str, report: dict) -> str:
    """The report as a readable table."""
    lines = [f"{name}: {report['documents']} documents, {report['words']:,} words, "
             f"{report['gold_geocoded']} geocoded gold toponyms, {report['seconds']} s"]  # fmt: skip
    lines.append(f"{'resolution (gold spans)':<34}{'acc@161':>8}{'median km':>11}{'mean km':>10}{'AUC':>8}")
    for label, key in (("conflictmap", "resolution"), ("conflictmap, strict points", "resolution_strict"),
                       ("population baseline", "population_baseline")):  # fmt: skip
        r = report[key]
        if not r.get("n"):
            lines.append(f"  {label:<32}{'n/a: no geocoded gold toponyms':>37}")
            continue
        lines.append(
            f"  {label:<32}{r['accuracy_161']:>8.3f}{r['median_km']:>11.1f}{r['mean_km']:>10.1f}{r['auc']:>8.3f}"
        )
    e = report["end_to_end"]
    lines.append(f"{'end to end':<34}{'P':>8}{'R':>8}{'F1':>8}{'acc@161':>9}")
    lines.append(
        f"  {'conflictmap':<32}{e['precision']:>8.3f}{e['recall']:>8.3f}{e['f1']:>8.3f}{e['accuracy_161']:>9.3f}"
    )
    return "\n".join(lines)
