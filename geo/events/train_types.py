"""Train the event-type classifier (``geo.events.classify``) and print its k-fold figures.

Run: ``.venv/bin/python -m geo.events.train_types [FILE.jsonl] [--no-write]``
(needs scikit-learn: ``pip install scikit-learn``; it is not needed at run time).

Data: the CASE 2021 event snippets with their ACLED-style sub-event labels (Haneczok et
al. 2021, shared task 2), read from ``../shared/eval/event_types_dev.jsonl`` and never
copied. Every figure printed is from 5-fold cross-validation (fixed, stratified folds: the
model scores snippets it was not trained on); then the model is fitted on all snippets and
written to ``gazetteer/event_types.npz``. Deterministic: a linear SVM with a fixed seed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from geo import config
from geo.events.classify import MODEL_FILE, TypeModel, event_type_of, features
from geo.events.evaluate import evaluate_types
from geo.events.extract import EventExtractor
from geo.events.trained import keys_of
from geo.gazetteer.lookup import Gazetteer
from geo.parse.pipeline import Geoparser

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "eval" / "event_types_dev.jsonl"
FOLDS = 5
MIN_DF = 2  # a feature seen in one snippet only says nothing of the next
C = 0.5


def tfidf_matrix(counts: list[Counter[str]], min_df: int = MIN_DF):
    """The vocabulary (features seen in at least ``min_df`` texts), the fitted tf-idf and
    the texts' tf-idf matrix."""
    df = Counter(k for c in counts for k in c)
    vocabulary = sorted(k for k, n in df.items() if n >= min_df)
    index = {k: i for i, k in enumerate(vocabulary)}
    rows, cols, values = [], [], []
    for r, c in enumerate(counts):
        for k, n in c.items():
            if k in index:
                rows.append(r)
                cols.append(index[k])
                values.append(n)
    matrix = csr_matrix((values, (rows, cols)), shape=(len(counts), len(vocabulary)), dtype=np.float64)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(matrix)
    return vocabulary, tfidf, tfidf.transform(matrix)


def fit(texts: list[str], labels: list[str]) -> TypeModel:
    vocabulary, tfidf, matrix = tfidf_matrix([features(t) for t in texts])
    svm = LinearSVC(C=C, random_state=0).fit(matrix, labels)
    return TypeModel(vocabulary, tfidf.idf_, list(svm.classes_), svm.coef_.T.copy(), svm.intercept_)


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(arguments[0]) if arguments else DEFAULT
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in records]
    labels = [r["label"] for r in records]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    geoparser = Geoparser(Gazetteer.open())
    right = right_fine = right_pipeline = 0
    for k, (train, held) in enumerate(folds.split(texts, labels)):
        model = fit([texts[i] for i in train], [labels[i] for i in train])
        hits = [model.predict(texts[i]).label for i in held]
        fold_right = sum(
            event_type_of(p) == event_type_of(labels[i]) for p, i in zip(hits, held, strict=True)
        )
        right += fold_right
        right_fine += sum(p == labels[i] for p, i in zip(hits, held, strict=True))
        # The whole extractor as a user meets it: trigger rules, negation, then the model.
        report = evaluate_types(
            [(texts[i], labels[i]) for i in held], EventExtractor(geoparser, type_model=model)
        )
        right_pipeline += round(report["accuracy"] * len(held))
        print(f"fold {k + 1}: model alone {fold_right / len(held):.3f}, extractor {report['accuracy']:.3f}")
    print(f"{FOLDS}-fold: the model alone: event type accuracy {right / len(texts):.3f}, "
          f"sub-type {right_fine / len(texts):.3f}")  # fmt: skip
    print(
        f"{FOLDS}-fold: the extractor (type of the first event): accuracy {right_pipeline / len(texts):.3f}"
    )
    if "--no-write" in sys.argv:
        return
    model = fit(texts, labels)
    model.trained_on = keys_of(texts)
    out = config.shipped(MODEL_FILE)
    model.save(out)
    print(f"wrote {out} ({len(model.vocabulary):,} features, {len(model.labels)} sub-types)")


if __name__ == "__main__":
    main()
