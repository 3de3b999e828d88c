"""What kind of event a sentence reports: a learned classifier over ACLED's sub-event types.

The trigger rules (``gazetteer/event_rules.toml``) say *that* a sentence may report an
event; this says *which* event, the way ACLED's codebook defines them: shelling that kills
civilians is Explosions/Remote violence, not Violence against civilians; an arrest, an
agreement or a new headquarters is a Strategic development; a flood, a fire or a robbery
is no conflict event at all.

Features are our own, nothing downloaded: lower-cased words and word pairs, and character
n-grams (2 to 6) within words, weighted by tf-idf. A linear model (a support vector
machine) scores ACLED's sub-event types; the best one wins. The weights ship with
conflictmap (``gazetteer/event_types.npz``), trained by ``python -m
geo.events.train_types`` on the CASE 2021 event snippets (Haneczok et al. 2021), with its
5-fold cross-validated accuracy printed by the same script.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from geo import config

WORD_RE = re.compile(r"\b\w\w+\b")
CHAR_NGRAMS = (2, 6)
MODEL_FILE = "event_types.npz"
CHAR_CACHE = 200_000  # words whose n-gram indices are kept

# ACLED's codebook: each CASE 2021 sub-type, its event type and its sub-event type name.
# None: not a conflict event (crime, disasters, and ATTRIB, a statement about who did it).
SUB_TYPES: dict[str, tuple[str, str] | None] = {
    "AIR_STRIKE": ("Explosions/Remote violence", "Air/drone strike"),
    "ART_MISS_ATTACK": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "REM_EXPLOS": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "GRENADE": ("Explosions/Remote violence", "Grenade"),
    "SUIC_BOMB": ("Explosions/Remote violence", "Suicide bomb"),
    "CHEM_WEAP": ("Explosions/Remote violence", "Chemical weapon"),
    "ARMED_CLASH": ("Battles", "Armed clash"),
    "GOV_REGAINS_TERIT": ("Battles", "Government regains territory"),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("Battles", "Non-state actor overtakes territory"),
    "ATTACK": ("Violence against civilians", "Attack"),
    "ABDUCT_DISSAP": ("Violence against civilians", "Abduction/forced disappearance"),
    "SEX_VIOL": ("Violence against civilians", "Sexual violence"),
    "PEACE_PROTEST": ("Protests", "Peaceful protest"),
    "PROTEST_WITH_INTER": ("Protests", "Protest with intervention"),
    "FORCE_AGAINST_PROTEST": ("Protests", "Excessive force against protesters"),
    "VIOL_DEMONSTR": ("Riots", "Violent demonstration"),
    "MOB_VIOL": ("Riots", "Mob violence"),
    "AGREEMENT": ("Strategic developments", "Agreement"),
    "ARREST": ("Strategic developments", "Arrests"),
    "CHANGE_TO_GROUP_ACT": ("Strategic developments", "Change to group/activity"),
    "DISR_WEAP": ("Strategic developments", "Disrupted weapons use"),
    "HQ_ESTABLISHED": ("Strategic developments", "Headquarters or base established"),
    "NON_VIOL_TERRIT_TRANSFER": ("Strategic developments", "Non-violent transfer of territory"),
    "PROPERTY_DISTRUCT": ("Strategic developments", "Looting/property destruction"),
    "OTHER": ("Strategic developments", "Other"),
    "DIPLO": ("Diplomacy", "Talks and negotiations"),
    "ORG_CRIME": None,
    "NATURAL_DISASTER": None,
    "MAN_MADE_DISASTER": None,
    "ATTRIB": None,
}
NOT_AN_EVENT = "none"
NONE_LABELS = frozenset(label for label, types in SUB_TYPES.items() if types is None)


def event_type_of(label: str) -> str:
    """The event type of a sub-type label, or "none" for what is not a conflict event."""
    found = SUB_TYPES.get(label)
    return found[0] if found else NOT_AN_EVENT


def features(text: str, extra: tuple[str, ...] = ()) -> Counter[str]:
    """Counts of the words, word pairs and in-word character n-grams of ``text``, and the
    ``extra`` features named (what the trigger rules say of it, for example)."""
    lowered = text.lower()
    words = WORD_RE.findall(lowered)
    grams = list(extra) + ["w " + w for w in words]
    grams += [f"w {a} {b}" for a, b in zip(words, words[1:], strict=False)]
    for word in lowered.split():
        grams += _char_grams(word)
    return Counter(grams)


@lru_cache(maxsize=100_000)
def _char_grams(word: str) -> tuple[str, ...]:
    """The character n-grams of one word, padded with a space each side (as scikit-learn's
    "char_wb" analyser makes them)."""
    padded = f" {word} "
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for n in range(low, high + 1):
        if len(padded) < n:
            break
        grams += ["c" + padded[i : i + n] for i in range(len(padded) - n + 1)]
    return tuple(grams)


@dataclass(frozen=True)
class Prediction:
    label: str  # a CASE 2021 / ACLED sub-type, e.g. ART_MISS_ATTACK
    score: float  # the margin of the linear model
    runner_up: str
    runner_up_score: float

    @property
    def event_type(self) -> str:
        return event_type_of(self.label)

    @property
    def sub_event_type(self) -> str | None:
        found = SUB_TYPES.get(self.label)
        return found[1] if found else None

    @property
    def is_event(self) -> bool:
        return SUB_TYPES.get(self.label) is not None


class TypeModel:
    """tf-idf features, a linear score per sub-type; ``predict(text)``."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, labels: list[str], weights: np.ndarray,
                 bias: np.ndarray, trained_on: np.ndarray | None = None) -> None:  # fmt: skip
        self.trained_on = trained_on  # keys of the training texts (geo.events.trained)
        self.index = {name: i for i, name in enumerate(vocabulary)}
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float64)
        self.labels = labels
        self.weights = weights.astype(np.float32)  # (features, labels)
        self.bias = bias.astype(np.float64)
        self.event_types = {event_type_of(label) for label in labels} - {NOT_AN_EVENT}
        self._chars: dict[str, np.ndarray] = {}  # each word's known character n-grams

    def vector(self, text: str, extra: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Feature indices and their tf-idf values, L2-normalised: the ``features`` of the
        text that the model knows, with each word's character n-grams looked up once."""
        lowered = text.lower()
        words = WORD_RE.findall(lowered)
        get = self.index.get
        found = [get(name) for name in extra] + [get("w " + w) for w in words]
        found += [get(f"w {a} {b}") for a, b in zip(words, words[1:], strict=False)]
        parts = [np.array([i for i in found if i is not None], dtype=np.int64)]
        parts += [self._char_indices(token) for token in lowered.split()]
        every = np.concatenate(parts)
        if not len(every):
            return every, np.zeros(0)
        idx, counts = np.unique(every, return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[idx]
        return idx, values / np.linalg.norm(values)

    def _char_indices(self, token: str) -> np.ndarray:
        found = self._chars.get(token)
        if found is None:
            get = self.index.get
            found = np.array(
                [i for i in (get(g) for g in _char_grams(token)) if i is not None], dtype=np.int64
            )
            if len(self._chars) < CHAR_CACHE:
                self._chars[token] = found
        return found

    def scores(self, text: str, extra: tuple[str, ...] = ()) -> np.ndarray:
        idx, values = self.vector(text, extra)
        return values @ self.weights[idx].astype(np.float64) + self.bias

    def predict(self, text: str, allowed: Callable[[str], bool] | None = None) -> Prediction | None:
        """The best sub-type (among those ``allowed`` says yes to), with the runner-up."""
        return self.best(self.scores(text), allowed)

    def best(self, scores: np.ndarray, allowed: Callable[[str], bool] | None = None) -> Prediction | None:
        """``predict`` for scores already computed."""
        order = [int(k) for k in np.argsort(-scores, kind="stable")]
        if allowed is not None:
            order = [k for k in order if allowed(self.labels[k])]
        if not order:
            return None
        best = order[0]
        second = order[1] if len(order) > 1 else best
        return Prediction(self.labels[best], float(scores[best]), self.labels[second], float(scores[second]))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            vocabulary=np.array(self.vocabulary),
            idf=self.idf.astype(np.float32),
            labels=np.array(self.labels),
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            trained_on=_keys(self.trained_on),
        )

    @classmethod
    def load(cls, path: Path) -> TypeModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(list(data["vocabulary"]), data["idf"], list(data["labels"]), data["weights"], data["bias"],
                       data.get("trained_on"))  # fmt: skip


def _keys(trained_on: np.ndarray | None) -> np.ndarray:
    return np.zeros(0, dtype=np.uint32) if trained_on is None else trained_on.astype(np.uint32)


@lru_cache(maxsize=1)
def shipped_types() -> TypeModel | None:
    """The model that ships with conflictmap, or None if its file is missing."""
    path = config.shipped(MODEL_FILE)
    return TypeModel.load(path) if path.is_file() else None
