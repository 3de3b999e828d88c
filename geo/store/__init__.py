"""Where events are kept: the ``Store`` protocol and its SQLite implementation.

A new backend (PostgreSQL/PostGIS) is one module implementing ``Store``, registered in
``open_store``.
"""

from __future__ import annotations

from pathlib import Path

from geo.store.base import AddResult, KeyedAddResult, Store
from geo.store.sqlite import SQLiteStore


def open_store(location: str | Path) -> Store:
    """The store at ``location``: a path to an SQLite file (the embedded default)."""
    return SQLiteStore(Path(location))


__all__ = ["AddResult", "KeyedAddResult", "SQLiteStore", "Store", "open_store"]
