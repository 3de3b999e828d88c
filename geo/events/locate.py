"""Where an event happened, within its sentence: a learned choice among the candidates.

Candidates are the places the geoparser found and, beside them, every other capitalised
run ("the village of Hazrama", "in Chandrayangutta"): news names small places that no
gazetteer holds, and the event's place is one of those as often as not. Each candidate
gets features of its own (no pretrained weights, nothing downloaded): where it stands
from the trigger, the words before and after it, whether the gazetteer knows it and as
what, how common its first word is in English. A logistic regression scores them; the best
wins if its probability clears the threshold, else the sentence "does not say where".

The weights are a small JSON file that ships with conflictmap
(``gazetteer/event_locator.json``), trained by ``python -m geo.events.train_locator`` on
the MIT-licensed event-location data of Halterman (2019), with k-fold cross-validated
figures printed by the same script.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import wordfreq

from geo import config
from geo.parse.resolve import Resolved

RUN_RE = re.compile(
    r"(?:(?<=\s)|^|(?<=[(\"“'‘]))(?:[A-Z][\w'’.\-]*|al-\w+|el-\w+)(?:\s+(?:[A-Z][\w'’.\-]*|al-\w+|el-\s?\w+))*"
)
WORD_RE = re.compile(r"[\w'’\-]+|[^\w\s]")
BEFORE_WORDS = (
    "in", "at", "near", "of", "from", "to", "into", "on", "outside", "across", "around", "inside", "the",
    "village", "city", "town", "district", "province", "region", "north", "south", "east", "west", "northern",
    "southern", "eastern", "western", "central", "by", "and", "with", "against", "between", "toward", "towards",
    "through", "along", "over", "off", "capital", "area", "'s", "’s", ",", "(",
)  # fmt: skip
AFTER_WORDS = (
    "village", "city", "town", "district", "province", "region", "camp", "area", "neighborhood", "neighbourhood",
    "county", "state", "governorate", "refugee", "border", "river", "on", "in", "and", ",", ".", "'s", "’s", "-",
    "(", "forces", "police", "government", "officials", "army", "said",
)  # fmt: skip
KINDS = ("city", "country", "region", "line", "other")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    resolved: Resolved | None  # the geoparser's place, when it knows one here


def candidates(text: str, mentions: list[Resolved]) -> list[Candidate]:
    """The geoparser's mentions, and every capitalised run that overlaps none of them."""
    found = [Candidate(r.mention.start, r.mention.end, r) for r in mentions]
    taken = [(c.start, c.end) for c in found]
    for match in RUN_RE.finditer(text):
        start, end = match.span()
        if not any(start < b and a < end for a, b in taken):
            found.append(Candidate(start, end, None))
    return sorted(found, key=lambda c: c.start)


def _kind(resolved: Resolved | None) -> str:
    if resolved is None:
        return "none"
    kind = resolved.place.kind
    if kind in ("capital", "city", "town", "village", "settlement"):
        return "city"
    if kind in ("country", "continent"):
        return "country"
    if kind in ("region", "district"):
        return "region"
    if kind in ("river", "border", "sea", "lake"):
        return "line"
    return "other"


def _zipf(word: str) -> float:
    return wordfreq.zipf_frequency(word.lower(), "en") / 8.0


def features(
    text: str, trigger: tuple[int, int], candidate: Candidate, rank: int, count: int
) -> dict[str, float]:
    """The candidate's features, by name (a sparse row)."""
    before_words = WORD_RE.findall(text[max(0, candidate.start - 60) : candidate.start].lower())
    after_words = WORD_RE.findall(text[candidate.end : candidate.end + 40].lower())
    words = text[candidate.start : candidate.end].split()
    after = candidate.start >= trigger[1]
    gap = text[trigger[1] : candidate.start] if after else text[candidate.end : trigger[0]]
    gap_words = len(WORD_RE.findall(gap))
    row: dict[str, float] = {
        "bias": 1.0,
        "after_trigger": float(after),
        "gap_log": math.log1p(gap_words),
        "adjacent": float(gap_words <= 3),
        "gap_comma": float("," in gap),
        "gap_clause": float(any(mark in gap for mark in (";", ":", " — ", " – ", " said ", " says "))),
        "rank": min(rank, 4) / 4.0,
        "nearest": float(rank == 0),
        "count_log": math.log1p(count),
        "words": min(len(words), 5) / 5.0,
        "first_zipf": _zipf(words[0]) if words else 0.0,
        "sentence_start": float(candidate.start == 0 or not text[: candidate.start].strip(" \"“'‘(")),
        "known": float(candidate.resolved is not None),
        "location_role": float(candidate.resolved is not None and candidate.resolved.role == "location"),
        f"kind={_kind(candidate.resolved)}": 1.0,
        "quoted": float(text[: candidate.start].count("“") > text[: candidate.start].count("”")
                        or text[: candidate.start].count('"') % 2 == 1),
    }  # fmt: skip
    if before_words:
        last = before_words[-1]
        row[f"before={last if last in BEFORE_WORDS else 'other'}"] = 1.0
        if len(before_words) >= 2 and before_words[-1] == "of":
            second = before_words[-2]
            row[f"x_of={second if second in BEFORE_WORDS else 'other'}"] = 1.0
    else:
        row["before=none"] = 1.0
    if after_words:
        first = after_words[0]
        row[f"after={first if first in AFTER_WORDS else 'other'}"] = 1.0
    for name in ("after_trigger", "adjacent", "nearest", "known"):
        for other in ("known", "first_zipf", "sentence_start"):
            if name != other:
                row[f"{name}*{other}"] = row[name] * row[other]
    return row


@dataclass(frozen=True)
class LocatorModel:
    """A logistic regression over named features, and the threshold below which a
    sentence is taken not to say where."""

    weights: dict[str, float]
    threshold: float
    trained_on: tuple[int, ...] = ()  # keys of the training sentences (geo.events.trained)

    def probability(self, row: dict[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * value for name, value in row.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def choose(
        self, text: str, mentions: list[Resolved], trigger: tuple[int, int]
    ) -> tuple[Candidate, float, list[tuple[Candidate, float]]] | None:
        """The chosen candidate, its probability and every candidate's, or None."""
        scored = score_candidates(self, text, mentions, trigger)
        if not scored or scored[0][1] < self.threshold:
            return None
        return scored[0][0], scored[0][1], scored

    def to_json(self) -> str:
        data = {"threshold": self.threshold, "weights": self.weights}
        text = json.dumps(data, indent=1, sort_keys=True)
        # the keys on one line at the end, so the weights stay readable
        return text[:-2] + ',\n "trained_on": ' + json.dumps(list(self.trained_on)) + "\n}"

    @classmethod
    def from_file(cls, path: Path) -> LocatorModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["threshold"]),
                   tuple(int(k) for k in data.get("trained_on", ())))  # fmt: skip


def score_candidates(
    model: LocatorModel, text: str, mentions: list[Resolved], trigger: tuple[int, int]
) -> list[tuple[Candidate, float]]:
    """Every candidate other than the trigger itself, best first."""
    found = [c for c in candidates(text, mentions) if not (c.start < trigger[1] and trigger[0] < c.end)]
    by_distance = sorted(found, key=lambda c: min(abs(c.start - trigger[1]), abs(trigger[0] - c.end)))
    rank = {id(c): i for i, c in enumerate(by_distance)}
    scored = [(c, model.probability(features(text, trigger, c, rank[id(c)], len(found)))) for c in found]
    return sorted(scored, key=lambda pair: -pair[1])


@lru_cache(maxsize=1)
def shipped_model() -> LocatorModel:
    """The model that ships with conflictmap."""
    return LocatorModel.from_file(config.shipped("event_locator.json"))
