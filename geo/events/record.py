"""The one event record: what happened, when, where, who, and every source that says so.

Plain data (strings, numbers, dicts, lists) so it pickles: Dask workers return it, the store
keeps it, the exports and the app read it. Field names follow ACLED where ACLED has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from geo.events.dates import When

EVENT_COLUMNS = (
    "id", "event_type", "sub_event_type", "date_start", "date_end", "time_precision", "actor1",
    "actor2", "country", "admin1", "location", "latitude", "longitude", "geo_precision", "geometry",
    "gazetteer_id", "location_reason", "fatalities", "notes", "origin", "source", "source_url",
)  # fmt: skip


# The types of event where people are hurt or killed: many distinct incidents a day in a war.
VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians")


class Source(TypedDict, total=False):
    """One article's report of an event: the quote and where it sits in the article."""

    article_id: str
    quote: str
    start: int  # character offsets of the quote in the article's text
    end: int
    title: str | None
    publisher: str | None
    url: str | None
    published: str | None  # YYYY-MM-DD
    language: str | None  # ISO 639-1 code of the article's language
    fatalities: int | None  # the toll this source states, if any (the event keeps the highest)


class MentionRef(TypedDict):
    """A place named in the sentence an event was read from."""

    article_id: str
    start: int
    end: int
    surface: str
    gazetteer_id: str | None


@dataclass
class Event:
    """One event. ``id`` is None until a store keeps it; ``sources`` lists every report."""

    event_type: str
    sub_event_type: str | None = None
    date_start: str | None = None  # YYYY-MM-DD; None for undated events
    date_end: str | None = None
    time_precision: str = "undated"  # day, week, month, interval, reported, undated
    actor1: str | None = None
    actor2: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str | None = None  # exact, near, region, border, river, country
    geometry: dict | None = None  # GeoJSON
    gazetteer_id: str | None = None
    location_reason: str | None = None
    fatalities: int | None = None
    notes: str | None = None  # the quote that says so
    origin: str = "extracted"  # or "imported"
    source: str | None = None  # for imported events: the publisher named by the row
    source_url: str | None = None
    id: int | None = None
    sources: list[Source] = field(default_factory=list)
    mentions: list[MentionRef] = field(default_factory=list)
    trigger: str = ""  # the words that made it an event (not stored)

    @property
    def undated(self) -> bool:
        return self.date_start is None

    @property
    def when(self) -> When:
        if self.date_start is None:
            return When(None, None, "undated")
        start = date.fromisoformat(self.date_start)
        end = date.fromisoformat(self.date_end) if self.date_end else start
        return When(start, end, self.time_precision)

    @property
    def article_id(self) -> str | None:
        """The article this event was first read from."""
        return self.sources[0]["article_id"] if self.sources else None

    @property
    def quotes(self) -> list[tuple[str, int, int]]:
        return [(s["quote"], s["start"], s["end"]) for s in self.sources]

    def to_record(self) -> dict:
        """The stored columns and the sources, as JSON-ready data."""
        record = {name: getattr(self, name) for name in EVENT_COLUMNS}
        record["sources"] = [dict(s) for s in self.sources]
        return record

    def copy_location(self, other: Event) -> None:
        """Put this event where ``other`` is (same place, geometry and precision)."""
        for name in LOCATION_FIELDS:
            setattr(self, name, getattr(other, name))


LOCATION_FIELDS = (
    "country", "admin1", "location", "latitude", "longitude", "geo_precision", "geometry",
    "gazetteer_id", "location_reason",
)  # fmt: skip


def event_from_record(record: dict) -> Event:
    """The inverse of ``Event.to_record`` (unknown keys are refused by the dataclass)."""
    return Event(**{**record, "sources": [Source(**s) for s in record.get("sources", [])]})


__all__ = ["EVENT_COLUMNS", "Event", "MentionRef", "Source", "event_from_record"]
