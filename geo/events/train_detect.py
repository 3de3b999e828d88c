"""Train the incident detector (``geo.events.detect``) and print figures from grouped folds.

Run: ``.venv/bin/python -m geo.events.train_detect [EVAL_DIR] [--no-write]`` (needs
scikit-learn, a test extra; it is not needed at run time).

Data, read from ``../shared/eval/`` and never copied:
- incidents: the CIR monitor titles (sightings of troops and equipment included: a
  monitor maps them as strategic developments), the UCDP headlines of reports told in one
  line of more than three words (each line reports lethal violence), the CASE 2021 event
  snippets labelled with a conflict sub-type, and the event-location sentences (each tells
  the event of its trigger; those whose trigger is a verb of saying or being are left out);
- no incident: the CASE snippets of crime, disasters and attributions, and the sentences of
  the news articles (LGL, GeoWebNews, FA-KES) that no trigger rule matches and that count
  no dead: statements, analysis, background.

Every figure printed comes from models that did not see the data scored. Leave one dataset
out: the share of each dataset's texts taken as incidents by a model trained on the others
(what a new monitor or a new style meets). The two thresholds (a sentence of an article, a
short report) are chosen on those held-out scores: the article threshold is the lowest that
takes at most ARTICLE_FALSE_RATE of the quiet news sentences (LGL, GeoWebNews), the report
threshold the highest that keeps REPORT_RECALL of each held-out report set. Then the model is fitted on everything and
written to ``gazetteer/event_detector.npz``. Deterministic: liblinear with a fixed seed,
sampling with a fixed seed.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from geo import config
from geo.events.boilerplate import boilerplate_spans
from geo.events.classify import SUB_TYPES, TypeModel, features
from geo.events.detect import DETECTOR_FILE, IncidentModel, detector_text, rule_features
from geo.events.extract import FATALITIES_RE, KILLED_RE, EventExtractor, sentences
from geo.events.train_types import tfidf_matrix
from geo.events.trained import keys_of

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "eval"
SAYING = {"said", "says", "told", "is", "was", "were", "are", "be", "been", "reported", "claimed", "came",
          "took", "say", "called", "stated", "announced"}  # fmt: skip
NEGATIVES_PER_SET = 4000  # sentences of each news corpus with no incident
MIN_DF = 3
C = 1.0
# Of each held-out report set: nearly every line of a monitor's feed tells something. At 0.95
# (threshold 0.07) the detector also took 72% of the quiet news sentences of LGL; at 0.93 (0.12), 48%.
REPORT_RECALL = 0.93
ARTICLE_FALSE_RATE = 0.03  # of the held-out sentences of news about other things (LGL, GeoWebNews)
QUIET_SETS = ("lgl", "gwn")
REPORT_SETS = ("cir", "ucdp")


@dataclass(frozen=True)
class Example:
    text: str
    rule_types: tuple[str, ...]
    incident: bool
    group: str  # the dataset
    origin: str = ""  # the record the text comes from, when it is not the text itself


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def examples(eval_dir: Path) -> list[Example]:
    """The training examples of every dataset in ``eval_dir`` (see the module docstring)."""
    rules = EventExtractor(geoparser=None)  # only its trigger rules are used

    def typed(text: str) -> tuple[str, ...]:
        return tuple(rule.event_type for rule, _ in rules._triggers(text))

    found: list[Example] = []
    for r in _read(eval_dir / "cir_reports_dev.jsonl"):
        found.append(Example(r["text"], typed(r["text"]), True, "cir"))
    for r in _read(eval_dir / "ucdp_ukraine.jsonl"):
        if "\n" not in r["text"] and len(r["text"].split()) > 3:
            found.append(Example(r["text"], typed(r["text"]), True, "ucdp"))
    for r in _read(eval_dir / "event_types_dev.jsonl"):
        found.append(Example(r["text"], typed(r["text"]), SUB_TYPES.get(r["label"]) is not None, "case"))
    for r in _read(eval_dir / "event_location_dev.jsonl"):
        if r["trigger"]["text"].lower() not in SAYING:
            found.append(Example(r["text"], typed(r["text"]), True, "evloc"))
    for name, group in (("lgl.jsonl", "lgl"), ("gwn.jsonl", "gwn"), ("fakes_syria.jsonl", "fakes")):
        quiet = []
        for r in _read(eval_dir / name):
            text = r["text"]
            skipped = boilerplate_spans(text)
            for start, end in sentences(text):
                sentence = text[start:end].strip()
                if len(sentence.split()) < 4 or any(a <= start < b for a, b in skipped):
                    continue
                if rules._any_trigger.search(sentence) or FATALITIES_RE.search(sentence) or KILLED_RE.search(
                    sentence
                ):
                    continue
                quiet.append((sentence, text))
        random.Random(0).shuffle(quiet)
        found += [Example(s, ("none",), False, group, text) for s, text in quiet[:NEGATIVES_PER_SET]]
    return found


def fit(items: list[Example]) -> TypeModel:
    counts = [features(detector_text(e.text), rule_features(e.rule_types)) for e in items]
    vocabulary, tfidf, matrix = tfidf_matrix(counts, MIN_DF)
    labels = np.array([e.incident for e in items])
    model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=0)
    model.fit(matrix, labels)
    return TypeModel(vocabulary, tfidf.idf_, ["incident"], model.coef_.T.copy(), model.intercept_)


def held_out(items: list[Example]) -> dict[str, tuple[TypeModel, np.ndarray]]:
    """For each dataset, the model trained on the other datasets and its probabilities of
    the dataset's texts."""
    by_group: dict[str, list[Example]] = defaultdict(list)
    for e in items:
        by_group[e.group].append(e)
    found = {}
    for group, held in by_group.items():
        model = fit([e for e in items if e.group != group])
        detector = IncidentModel(model, 0.5, 0.5)
        found[group] = model, np.array([detector.probability(e.text, e.rule_types) for e in held])
    return found


def choose_thresholds(items: list[Example], scores: dict[str, np.ndarray],
                      report_sets: tuple[str, ...] = REPORT_SETS) -> tuple[float, float]:  # fmt: skip
    """The article threshold (the lowest that takes at most ARTICLE_FALSE_RATE of the
    sentences of each quiet news set) and the report threshold (the highest keeping
    REPORT_RECALL of each of ``report_sets``), on held-out probabilities."""
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.01)]
    article = min((t for t in grid if all((scores[g] >= t).mean() <= ARTICLE_FALSE_RATE for g in QUIET_SETS)),
                  default=grid[-1])  # fmt: skip
    report = max((t for t in grid if all((scores[g] >= t).mean() >= REPORT_RECALL for g in report_sets)),
                 default=grid[0])  # fmt: skip
    return article, report


def held_out_detector(items: list[Example], models: dict, group: str) -> IncidentModel:
    """The detector a dataset meets as new data: trained on the other datasets, its report
    threshold chosen without it."""
    scores = {g: s for g, (_m, s) in models.items()}
    others = tuple(g for g in REPORT_SETS if g != group) or REPORT_SETS
    return IncidentModel(models[group][0], *choose_thresholds(items, scores, others))


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    eval_dir = Path(arguments[0]) if arguments else DEFAULT
    items = examples(eval_dir)
    print(f"{len(items)} examples; leave one dataset out:")
    models = held_out(items)
    scores = {g: s for g, (_m, s) in models.items()}
    article, report = choose_thresholds(items, scores)
    print(f"thresholds: a sentence of an article {article}, a short report {report}")
    for g, s in scores.items():
        truth = np.array([e.incident for e in items if e.group == g])
        rates = []
        for t in (article, report):
            taken = s >= t
            rates += [taken[truth].mean() if truth.any() else float("nan"),
                      taken[~truth].mean() if (~truth).any() else float("nan")]  # fmt: skip
        print(f"  {g:<6} {len(s):>5} texts: incidents taken {rates[0]:.3f} (article) {rates[2]:.3f} (report); "
              f"non-incidents taken {rates[1]:.3f} (article) {rates[3]:.3f} (report)")  # fmt: skip
    if "--no-write" in sys.argv:
        return
    detector = IncidentModel(fit(items), article, report)
    detector.model.trained_on = keys_of(e.origin or e.text for e in items)
    out = config.shipped(DETECTOR_FILE)
    detector.save(out)
    print(f"wrote {out} ({len(detector.model.vocabulary):,} features, {out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
