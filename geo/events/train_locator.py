"""Train the event locator (``geo.events.locate``) and print its k-fold figures.

Run: ``.venv/bin/python -m geo.events.train_locator [FILE.jsonl] [--no-write]``
(needs scikit-learn: ``pip install scikit-learn``; it is not needed at run time).

Data: the event-location sentences of Halterman, "Geolocating Political Events in Text"
(2019), MIT licence, read from ``../shared/eval`` and never copied. Every figure printed is
from cross-validation (the model scores sentences it was not trained on): 5 interleaved
folds, then grouped folds that hold out one source at a time (a publisher or corpus the
model never saw, as new data is), each beside the place rules on the same sentences; then
the model is fitted on all sentences and written to ``gazetteer/event_locator.json``.
Deterministic: fixed folds, a solver without randomness.
"""

from __future__ import annotations

import sys
from pathlib import Path

from geo import config
from geo.events.evaluate import LocationCase, read_location_cases, rule_locator
from geo.events.locate import LocatorModel, candidates, features
from geo.events.trained import keys_of
from geo.gazetteer.lookup import Gazetteer
from geo.parse.pipeline import Geoparser
from geo.parse.resolve import Resolved

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "eval" / "event_location_dev.jsonl"
FOLDS = 5
C = 1.0
MIN_GROUP = 100  # sources with fewer sentences are held out together, as "other"


def rows_of(case: LocationCase, mentions: list[Resolved]) -> list[tuple[dict[str, float], int, tuple[int, int]]]:
    found = [
        c
        for c in candidates(case.text, mentions)
        if not (c.start < case.trigger[1] and case.trigger[0] < c.end)
    ]
    by_distance = sorted(
        found, key=lambda c: min(abs(c.start - case.trigger[1]), abs(case.trigger[0] - c.end))
    )
    rank = {id(c): i for i, c in enumerate(by_distance)}
    return [
        (features(case.text, case.trigger, c, rank[id(c)], len(found)),
         int(any(c.start < g[1] and g[0] < c.end for g in case.gold)), (c.start, c.end))
        for c in found
    ]  # fmt: skip


def fit(rows: list[tuple[dict[str, float], int, tuple[int, int]]]) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([r[0] for r in rows])
    labels = [r[1] for r in rows]
    model = LogisticRegression(C=C, max_iter=2000, solver="lbfgs", fit_intercept=False)
    model.fit(matrix, labels)
    return {
        name: round(float(w), 5) for name, w in zip(vectorizer.feature_names_, model.coef_[0], strict=True)
    }


def score(cases, case_rows, weights: dict[str, float], threshold: float) -> dict:
    model = LocatorModel(weights, threshold)
    tp = fp = fn = none_right = none_total = 0
    for case, rows in zip(cases, case_rows, strict=True):
        best = max(((model.probability(r[0]), r[2]) for r in rows), default=None)
        predicted = best[1] if best and best[0] >= threshold else None
        hit = predicted is not None and any(predicted[0] < g[1] and g[0] < predicted[1] for g in case.gold)
        tp += hit
        fp += predicted is not None and not hit
        fn += bool(case.gold) and not hit
        none_total += not case.gold
        none_right += not case.gold and predicted is None
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "not_stated": none_right / none_total if none_total else 0.0}  # fmt: skip


def best_threshold(cases, case_rows, weights) -> float:
    return max((t / 100 for t in range(10, 80, 2)), key=lambda t: score(cases, case_rows, weights, t)["f1"])


def grouped_folds(cases: list[LocationCase]) -> dict[str, list[int]]:
    """Leave one source out: the indices of each source's sentences (small sources together)."""
    sizes: dict[str, int] = {}
    for case in cases:
        sizes[case.source] = sizes.get(case.source, 0) + 1
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        name = case.source if case.source and sizes[case.source] >= MIN_GROUP else "other"
        groups.setdefault(name, []).append(i)
    return groups


def cross_validate(cases, case_rows, folds: dict[str, list[int]], rule_rows) -> dict[str, float]:
    """Mean figures of the model over held-out folds, each beside the rules' on the same fold."""
    totals = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "not_stated": 0.0, "rules_f1": 0.0}
    for name, held in folds.items():
        held_set = set(held)
        train_rows = [rows for i, rows in enumerate(case_rows) if i not in held_set]
        weights = fit([r for rows in train_rows for r in rows])
        train_cases = [c for i, c in enumerate(cases) if i not in held_set]
        threshold = best_threshold(train_cases, train_rows, weights)  # chosen on the training folds only
        figures = score([cases[i] for i in held], [case_rows[i] for i in held], weights, threshold)
        figures["rules_f1"] = rules_f1([cases[i] for i in held], [rule_rows[i] for i in held])
        print(f"  {name} ({len(held)}): threshold {threshold:.2f}  "
              + "  ".join(f"{n} {v:.3f}" for n, v in figures.items()))  # fmt: skip
        for key in totals:
            totals[key] += figures[key] / len(folds)
    return totals


def rules_f1(cases, predictions) -> float:
    tp = fp = fn = 0
    for case, predicted in zip(cases, predictions, strict=True):
        hit = predicted is not None and any(predicted[0] < g[1] and g[0] < predicted[1] for g in case.gold)
        tp += hit
        fp += predicted is not None and not hit
        fn += bool(case.gold) and not hit
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    write = "--no-write" not in sys.argv
    path = Path(arguments[0]) if arguments else DEFAULT
    geoparser = Geoparser(Gazetteer.open())
    cases = list(read_location_cases(path))
    parsed = [geoparser.parse(case.text) for case in cases]
    case_rows = [rows_of(case, mentions) for case, mentions in zip(cases, parsed, strict=True)]
    rule_rows = [rule_locator(c.text, m, c.trigger) for c, m in zip(cases, parsed, strict=True)]
    interleaved = {f"fold {k + 1}": list(range(k, len(cases), FOLDS)) for k in range(FOLDS)}  # fixed
    print(f"{FOLDS} interleaved folds:")
    totals = cross_validate(cases, case_rows, interleaved, rule_rows)
    print(f"{FOLDS}-fold mean: " + "  ".join(f"{n} {v:.3f}" for n, v in totals.items()))
    groups = grouped_folds(cases)
    if len(groups) > 1:
        print("one source held out at a time:")
        totals = cross_validate(cases, case_rows, groups, rule_rows)
        print(f"grouped mean ({len(groups)} sources): " + "  ".join(f"{n} {v:.3f}" for n, v in totals.items()))
    if not write:
        return
    weights = fit([r for rows in case_rows for r in rows])
    threshold = best_threshold(cases, case_rows, weights)
    out = config.shipped("event_locator.json")
    trained_on = tuple(int(k) for k in keys_of(c.text for c in cases))
    out.write_text(LocatorModel(weights, threshold, trained_on).to_json() + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(weights)} weights, threshold {threshold:.2f})")


if __name__ == "__main__":
    main()
