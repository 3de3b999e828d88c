"""What a shipped model was trained on, so that an evaluation can say so.

Each learned model (the incident detector, the type model, the event locator) keeps a
32-bit key of every record text it was trained on. ``conflictmap eval`` looks the texts
of the file it scores up in them: scoring a model on its own training data gives a
train-set figure, which says little about new data, and the table says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def text_key(text: str) -> int:
    """A key of a text that ignores how its white space is laid out."""
    digest = hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def keys_of(texts: Iterable[str]) -> np.ndarray:
    """The sorted, distinct keys of ``texts``, as stored beside a model's weights."""
    return np.unique(np.array([text_key(t) for t in texts], dtype=np.uint32))


def share_seen(texts: list[str], trained: np.ndarray | None) -> float:
    """The share of ``texts`` whose key is among ``trained`` (0.0 with no keys)."""
    if trained is None or not len(trained) or not texts:
        return 0.0
    keys = np.array([text_key(t) for t in texts], dtype=np.uint32)
    return float(np.isin(keys, trained).mean())
