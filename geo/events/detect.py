"""Does a sentence, a title or a headline report an incident? A learned detector.

The trigger rules (``gazetteer/event_rules.toml``) know the verbs of war ("shelled",
"captured"); reports often tell an incident with none of them: "Damaged hospital in
Izium", "Aftermath of a strike in Kramatorsk", "Russian convoy near Popasna". This model
reads every sentence: its words, word pairs and in-word character n-grams (digits masked,
so a report's date or time says nothing), and which trigger rules match it, as features
of a logistic regression. It says how likely the sentence is to report an incident, and
which word is its strongest evidence (the anchor where the event's place and negation
are read from, as a trigger's).

Two thresholds: one for a sentence of an article, one for a short report (a title, a
headline, a post, a dataset's note), where nearly every line reports something. The
weights ship with conflictmap (``gazetteer/event_detector.npz``), trained by ``python -m
geo.events.train_detect`` with figures from folds grouped by source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import wordfreq

from geo import config
from geo.events.classify import WORD_RE, TypeModel

DETECTOR_FILE = "event_detector.npz"
DIGIT_RE = re.compile(r"\d")
NAME_RE = re.compile(r"\b[A-Z][\w'’-]*")
FUNCTION_WORDS = frozenset(
    ["in", "at", "on", "near", "of", "the", "an", "to", "from", "by", "with", "and", "for", "over", "after", "before", "into", "onto", "off", "out", "up", "down", "as", "is", "was", "were", "are", "be", "been", "has", "have", "had", "its", "his", "her", "their", "this", "that", "these", "those", "there", "here", "it", "than", "then", "also", "very", "more", "most", "some", "any", "all", "no", "not"]
)
COMMON_ZIPF = 3.5  # "Russian", "Troops", "Explosion" stay; "Izium", "Kharkiv", "Albany" are names
# A short report: a title, a headline, a post, a dataset's note
REPORT_CHARS = 600
REPORT_SENTENCES = 4


def detector_text(sentence: str) -> str:
    """The sentence as the detector reads it: digits masked (16/02/2022 -> 00/00/0000), and
    every capitalised word that is no common English word masked as "Name": that a report
    names Izium or Albany says nothing of whether it tells an incident.

    >>> detector_text("16/02/2022 Damaged hospital in Izium")
    '00/00/0000 Damaged hospital in Name'
    """
    return NAME_RE.sub(_masked_name, DIGIT_RE.sub("0", sentence))


def _masked_name(match: re.Match) -> str:
    word = match.group()
    return word if _common(word.lower()) else "Name"


@lru_cache(maxsize=50_000)
def _common(word: str) -> bool:
    return wordfreq.zipf_frequency(word, "en") >= COMMON_ZIPF


def rule_features(event_types: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The trigger rules that match a sentence, as features: "rule=Battles"."""
    return tuple(sorted({f"rule={t}" for t in event_types})) or ("rule=none",)


def is_report(text: str, sentence_count: int) -> bool:
    """Is this text a short report (a title, headline, post or note) rather than an article?"""
    return len(text) <= REPORT_CHARS or sentence_count <= REPORT_SENTENCES


@dataclass
class IncidentModel:
    """A logistic regression over ``classify.features`` of the masked sentence."""

    model: TypeModel  # one label, "incident": its score is the regression's log-odds
    threshold: float  # for a sentence of an article
    report_threshold: float  # for a short report

    def probability(self, sentence: str, rule_types: tuple[str, ...] | list[str] = ()) -> float:
        score = float(self.model.scores(detector_text(sentence), rule_features(rule_types))[0])
        return 1.0 / (1.0 + np.exp(-max(-30.0, min(30.0, score))))

    def reports(self, sentence: str, rule_types=(), *, short: bool = False) -> bool:
        """Does the sentence report an incident, read as part of an article or (``short``)
        as a report of its own?"""
        return self.probability(sentence, rule_types) >= (self.report_threshold if short else self.threshold)

    def anchor(self, sentence: str) -> tuple[int, int] | None:
        """The span of the word that says most that this is an incident, or None."""
        weights = self.model.weights[:, 0]
        get = self.model.index.get
        best, best_weight = None, 0.0
        for match in WORD_RE.finditer(sentence):
            word = match.group().lower()
            if word.isdigit() or word in FUNCTION_WORDS:
                continue  # "in" is the commonest word of a monitor's title, not what happened
            k = get("w " + word)
            weight = float(weights[k]) if k is not None else 0.0
            if weight > best_weight:
                best, best_weight = match.span(), weight
        return best

    def save(self, path: Path) -> None:
        m = self.model
        np.savez_compressed(
            path,
            vocabulary=np.array(m.vocabulary),
            idf=m.idf.astype(np.float32),
            weights=m.weights.astype(np.float16),
            bias=m.bias.astype(np.float32),
            thresholds=np.array([self.threshold, self.report_threshold], dtype=np.float32),
            trained_on=np.zeros(0, dtype=np.uint32) if m.trained_on is None else m.trained_on.astype(np.uint32),
        )

    @classmethod
    def load(cls, path: Path) -> IncidentModel:
        with np.load(path, allow_pickle=False) as data:
            model = TypeModel(list(data["vocabulary"]), data["idf"], ["incident"], data["weights"], data["bias"],
                              data.get("trained_on"))  # fmt: skip
            threshold, report_threshold = (float(x) for x in data["thresholds"])
        return cls(model, threshold, report_threshold)


@lru_cache(maxsize=1)
def shipped_detector() -> IncidentModel | None:
    """The detector that ships with conflictmap, or None if its file is missing."""
    path = config.shipped(DETECTOR_FILE)
    return IncidentModel.load(path) if path.is_file() else None
