"""The Store protocol: what any event store offers (SQLite now; PostgreSQL/PostGIS later).

A store only stores. Extraction happens before (``geo.events.ingest``); the store keeps
articles and events, merges a new report into a stored event when ``same_event`` says they
are one, and answers queries. Each ``add`` is one transaction: all of an article or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from geo.events.articles import Article
from geo.events.record import Event


@dataclass
class AddResult:
    """What one ``add`` did: was the article new, and how many events it added or merged."""

    article_id: str
    new: bool
    events_added: int = 0
    events_merged: int = 0


@dataclass
class KeyedAddResult:
    """What one batch of imported rows did: events added, updated (the dataset revised the
    row), and unchanged (kept before, as they are)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


@runtime_checkable
class Store(Protocol):
    """The narrow interface the CLI, the app and ``ingest_many`` use."""

    def add(self, article: Article, events: Iterable[Event]) -> AddResult:
        """Keep ``article`` and its ``events`` in one transaction; an article already kept
        changes nothing (``new`` is False)."""
        ...

    def replace(self, article: Article, events: Iterable[Event]) -> None:
        """Swap the events read from a kept article for ``events`` (after the gazetteer changed)."""
        ...

    def add_imported(self, events: Iterable[Event]) -> int:
        """Keep events that come from elsewhere (an ACLED file), all or nothing."""
        ...

    def add_imported_rows(self, rows: Sequence[tuple[str, str, Event]]) -> KeyedAddResult:
        """Keep imported events keyed by their dataset's id, ``(key, digest, event)`` each, in
        one transaction: a kept key with the same digest changes nothing, another digest
        updates the event."""
        ...

    def delete_events(self, *, ids: Iterable[int] | None = None, origin: str | None = None) -> list[int]:
        """Delete events by id and/or origin, with their sources; returns the ids deleted."""
        ...

    def has_article(self, article_id: str) -> bool: ...

    def article(self, article_id: str) -> Article | None: ...

    def articles(self) -> list[dict]: ...

    def events(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        event_type: str | None = None,
        country: str | None = None,
        include_undated: bool = True,
        article_id: str | None = None,
        origins: Iterable[str] = (),
        bbox: tuple[float, float, float, float] | None = None,
        ids: Iterable[int] | None = None,
    ) -> list[Event]:
        """Stored events; ``origins`` keeps those of any of these datasets (``acled`` matches
        ``acled:FILE``), whole origins, ``extracted`` or ``imported``; ``bbox`` (west, south,
        east, north) the dated events located in it; ``ids`` only these events."""
        ...

    def origins(self) -> dict[str, int]:
        """How many events each origin has (``extracted``, ``acled:ukraine.csv``...)."""
        ...

    def locations_at(self, id_prefix: str) -> list[str]:
        """Names of the places events are at, for gazetteer ids starting ``id_prefix``."""
        ...

    def revision(self) -> int:
        """A number every write raises: a cache of anything read is good while it stays."""
        ...

    def close(self) -> None: ...
