"""The event store: articles, events, their sources and mentions, in one SQLite file.

- Re-ingesting an article changes nothing: articles are keyed by a hash of their text.
- Reports of one event from several articles merge into one event that keeps every
  source (``geo.events.same_event`` says when two reports are one event).
- Each article is written in one transaction: a crash mid-ingest leaves the store as it
  was before that article.

The interface (ingest, events, articles, import, reresolve) is narrow enough for a
server database to stand behind it later.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.articles import Article
from geo.dates import When
from geo.errors import ConflictmapError
from geo.events import Event, EventExtractor, more_precise, same_event
from geo.places import Place

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    id TEXT PRIMARY KEY, title TEXT, source TEXT, url TEXT, published TEXT, date_origin TEXT,
    path TEXT, encoding TEXT, words INTEGER, text TEXT NOT NULL, ingested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, sub_event_type TEXT, date_start TEXT,
    date_end TEXT, time_precision TEXT NOT NULL, actor1 TEXT, actor2 TEXT, country TEXT,
    admin1 TEXT, location TEXT, latitude REAL, longitude REAL, geo_precision TEXT,
    geometry TEXT, gazetteer_id TEXT, location_reason TEXT, fatalities INTEGER, notes TEXT,
    origin TEXT NOT NULL DEFAULT 'extracted', source TEXT, source_url TEXT);
CREATE TABLE IF NOT EXISTS event_sources(
    event_id INTEGER NOT NULL REFERENCES events(id), article_id TEXT NOT NULL REFERENCES articles(id),
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    PRIMARY KEY (event_id, article_id, start));
CREATE TABLE IF NOT EXISTS event_mentions(
    event_id INTEGER NOT NULL REFERENCES events(id), article_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL, gazetteer_id TEXT);
CREATE INDEX IF NOT EXISTS events_date ON events(date_start);
CREATE INDEX IF NOT EXISTS sources_article ON event_sources(article_id);
CREATE INDEX IF NOT EXISTS mentions_event ON event_mentions(event_id);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
"""
EVENT_COLUMNS = (
    "id", "event_type", "sub_event_type", "date_start", "date_end", "time_precision", "actor1",
    "actor2", "country", "admin1", "location", "latitude", "longitude", "geo_precision", "geometry",
    "gazetteer_id", "location_reason", "fatalities", "notes", "origin", "source", "source_url",
)  # fmt: skip


class StoreError(ConflictmapError, RuntimeError):
    """The event store cannot be opened or written."""


@dataclass
class IngestResult:
    article_id: str
    new: bool
    events_added: int = 0
    events_merged: int = 0


@dataclass
class StoredEvent:
    """An event as stored, with every source that reports it."""

    id: int
    event_type: str
    sub_event_type: str | None
    date_start: str | None
    date_end: str | None
    time_precision: str
    actor1: str | None
    actor2: str | None
    country: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: str | None
    geometry: dict | None
    gazetteer_id: str | None
    location_reason: str | None
    fatalities: int | None
    notes: str | None
    origin: str
    source: str | None
    source_url: str | None
    sources: list[dict] = field(default_factory=list)

    @property
    def undated(self) -> bool:
        return self.date_start is None

    def to_record(self) -> dict:
        record = {name: getattr(self, name) for name in EVENT_COLUMNS}
        record["sources"] = self.sources
        return record


class Store:
    """Open with ``Store(path)``; every write is a transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as err:
            raise StoreError(
                f"Cannot open the event store {path}: {err}. Check the path or move the file aside."
            ) from err

    def close(self) -> None:
        self.conn.close()

    # -- writing --------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def ingest(
        self, article: Article, extractor: EventExtractor, *, _fail_after_events: int | None = None
    ) -> IngestResult:
        """Store an article and its events (merged with events already stored)."""
        if self.has_article(article.id):
            return IngestResult(article.id, new=False)
        events = extractor.extract(article)
        result = IngestResult(article.id, new=True)
        with self._transaction():
            self.conn.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article.id, article.title, article.source, article.url,
                 article.published.isoformat() if article.published else None, article.date_origin,
                 article.path, article.encoding, article.words, article.text, _now()),
            )  # fmt: skip
            for number, event in enumerate(events, 1):
                if _fail_after_events is not None and number > _fail_after_events:
                    raise StoreError(f"simulated crash after {_fail_after_events} events")
                merged = self._add_event(event)
                result.events_merged += merged
                result.events_added += not merged
        return result

    def _add_event(self, event: Event) -> bool:
        """Insert ``event``, or attach it to a stored event it matches. True if merged."""
        match = self._matching(event)
        if match is None:
            event_id = self._insert(event)
            merged = False
        else:
            event_id, stored = match
            if more_precise(event, stored) is event:
                self._update_location(event_id, event)
            merged = True
        self.conn.executemany(
            "INSERT OR IGNORE INTO event_sources VALUES (?, ?, ?, ?, ?)",
            [(event_id, event.article_id, quote, start, end) for quote, start, end in event.quotes],
        )
        self.conn.executemany(
            "INSERT INTO event_mentions VALUES (?, ?, ?, ?, ?, ?)",
            [(event_id, event.article_id, r.mention.start, r.mention.end, r.mention.text, r.place.id)
             for r in event.mentions],
        )  # fmt: skip
        return merged

    def _matching(self, event: Event) -> tuple[int, Event] | None:
        if event.undated:
            rows = self.conn.execute(
                "SELECT * FROM events WHERE event_type = ? AND date_start IS NULL AND origin = 'extracted'",
                (event.event_type,),
            ).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM events WHERE event_type = ? AND origin = 'extracted'"
                " AND date_start <= date(?, '+1 day') AND date_end >= date(?, '-1 day')",
                (event.event_type, event.when.end.isoformat(), event.when.start.isoformat()),
            ).fetchall()
        for row in rows:
            stored = _row_to_event(dict(zip(EVENT_COLUMNS, row, strict=True)))
            if same_event(event, stored):
                return row[0], stored
        return None

    def _insert(self, event: Event) -> int:
        cursor = self.conn.execute(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(EVENT_COLUMNS) - 1))})",
            (
                event.event_type, event.sub_event_type,
                event.when.start.isoformat() if event.when.start else None,
                event.when.end.isoformat() if event.when.end else None, event.when.precision,
                event.actor1, event.actor2, *_location_columns(event),
                event.fatalities, event.quote, "extracted", None, None,
            ),
        )  # fmt: skip
        return cursor.lastrowid

    def _update_location(self, event_id: int, event: Event) -> None:
        self.conn.execute(
            "UPDATE events SET country = ?, admin1 = ?, location = ?, latitude = ?, longitude = ?,"
            " geo_precision = ?, geometry = ?, gazetteer_id = ?, location_reason = ? WHERE id = ?",
            (*_location_columns(event), event_id),
        )

    def _transaction(self):
        return _Transaction(self.conn)

    # -- reading --------------------------------------------------------------------------

    def events(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        event_type: str | None = None,
        country: str | None = None,
        include_undated: bool = True,
    ) -> list[StoredEvent]:
        """Stored events, oldest first, undated last; filters combine."""
        where, args = [], []
        if date_from:
            where.append("(date_end >= ? OR date_start IS NULL)")
            args.append(date_from.isoformat())
        if date_to:
            where.append("(date_start <= ? OR date_start IS NULL)")
            args.append(date_to.isoformat())
        if not include_undated:
            where.append("date_start IS NOT NULL")
        if event_type:
            where.append("lower(event_type) = lower(?)")
            args.append(event_type)
        if country:
            where.append("(country = ? OR lower(actor1) = lower(?) OR lower(actor2) = lower(?))")
            args.extend((country.upper(), country, country))
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY date_start IS NULL, date_start, id"
        rows = self.conn.execute(sql, args).fetchall()
        sources = self._sources([r[0] for r in rows])
        return [
            StoredEvent(
                **{
                    **dict(zip(EVENT_COLUMNS, row, strict=True)),
                    "geometry": json.loads(row[14]) if row[14] else None,
                },
                sources=sources.get(row[0], []),
            )  # fmt: skip
            for row in rows
        ]

    def _sources(self, event_ids: list[int]) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = {}
        for chunk in range(0, len(event_ids), 500):
            ids = event_ids[chunk : chunk + 500]
            rows = self.conn.execute(
                f'SELECT s.event_id, s.article_id, s.quote, s.start, s."end", a.title, a.source, a.url, a.published'
                f" FROM event_sources s JOIN articles a ON a.id = s.article_id"
                f" WHERE s.event_id IN ({', '.join('?' * len(ids))}) ORDER BY a.published, a.id, s.start",
                ids,
            ).fetchall()
            for event_id, article_id, quote, start, end, title, source, url, published in rows:
                found.setdefault(event_id, []).append(
                    {
                        "article_id": article_id,
                        "title": title,
                        "publisher": source,
                        "url": url,
                        "published": published,
                        "quote": quote,
                        "start": start,
                        "end": end,
                    }  # fmt: skip
                )
        return found

    def articles(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.source, a.url, a.published, a.date_origin, a.path, a.words,"
            " (SELECT count(DISTINCT event_id) FROM event_sources s WHERE s.article_id = a.id)"
            " FROM articles a ORDER BY a.published, a.id"
        ).fetchall()
        keys = ("id", "title", "source", "url", "published", "date_origin", "path", "words", "events")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def revision(self) -> int:
        """A number that every write transaction raises: a cache of anything read from the
        store is good while it stays the same (in this process or any other)."""
        return self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]

    def names_to_reread(self, places: Iterable[Place]) -> list[str]:
        """What ``reresolve`` should look for after the user's places changed: every name of
        ``places``, and the names of events now placed at a ``user:`` place, which an edit
        may have renamed or a removal taken away."""
        names = [n for p in places for n in (p.name, *p.alternate_names)]
        rows = self.conn.execute(
            "SELECT DISTINCT location FROM events WHERE gazetteer_id LIKE 'user:%' AND location IS NOT NULL"
        ).fetchall()
        return list(dict.fromkeys(names + [name for (name,) in rows]))

    def article_text(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    # -- imported events and re-resolution -------------------------------------------------

    def add_imported(self, rows: Iterable[dict]) -> int:
        """Store events read from an ACLED-style CSV (all or nothing)."""
        count = 0
        with self._transaction():
            for row in rows:
                values = [row.get(c) for c in EVENT_COLUMNS[1:]]
                values[EVENT_COLUMNS.index("origin") - 1] = "imported"
                self.conn.execute(
                    f"INSERT INTO events ({', '.join(EVENT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(EVENT_COLUMNS) - 1))})",
                    values,
                )
                count += 1
        return count

    def reresolve(self, extractor: EventExtractor, names: Iterable[str] | None = None) -> list[dict]:
        """Re-extract the events of articles that mention any of ``names`` (all if None);
        returns what moved: [{event, quote, before, after}]."""
        from geo.articles import Article as _Article

        wanted = [n.lower() for n in names] if names is not None else None
        moved = []
        for row in self.conn.execute(
            "SELECT id, text, published, title, source, url, path FROM articles"
        ).fetchall():
            article_id, text, published, title, source, url, path = row
            if wanted is not None and not any(n in text.lower() for n in wanted):
                continue
            before = self._locations_of(article_id)
            article = _Article(text=text, title=title, source=source, url=url, path=path,
                               published=date.fromisoformat(published) if published else None)  # fmt: skip
            events = extractor.extract(article)
            with self._transaction():
                self._detach(article_id)
                for event in events:
                    self._add_event(event)
            after = self._locations_of(article_id)
            for quote, old in before.items():
                new = after.get(quote)
                if new != old:
                    moved.append({"article_id": article_id, "quote": quote, "before": old, "after": new})
        return moved

    def _locations_of(self, article_id: str) -> dict[str, tuple]:
        rows = self.conn.execute(
            "SELECT s.quote || ' [' || e.event_type || ']', e.location, e.gazetteer_id, e.latitude, e.longitude"
            " FROM event_sources s JOIN events e ON e.id = s.event_id WHERE s.article_id = ?",
            (article_id,),
        ).fetchall()
        return {quote: (location, gid, lat, lon) for quote, location, gid, lat, lon in rows}

    def _detach(self, article_id: str) -> None:
        ids = [
            r[0]
            for r in self.conn.execute(
                "SELECT event_id FROM event_sources WHERE article_id = ?", (article_id,)
            )
        ]
        self.conn.execute("DELETE FROM event_sources WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM event_mentions WHERE article_id = ?", (article_id,))
        for event_id in ids:
            if not self.conn.execute(
                "SELECT 1 FROM event_sources WHERE event_id = ?", (event_id,)
            ).fetchone():
                self.conn.execute("DELETE FROM event_mentions WHERE event_id = ?", (event_id,))
                self.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (a crash loses nothing)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _location_columns(event: Event) -> tuple:
    place = event.place
    if place is None:
        return (None, None, None, None, None, None, None, None, event.location_reason or None)
    return (
        place.country, place.admin1 if place.kind not in ("region", "country") else None,
        place.name, round(event.lat, 5), round(event.lon, 5), event.geo_precision,
        json.dumps(event.geometry) if event.geometry else None, place.id, event.location_reason,
    )  # fmt: skip


def _row_to_event(row: dict) -> Event:
    """A stored row as an Event, enough to compare it with a new report."""
    start = date.fromisoformat(row["date_start"]) if row["date_start"] else None
    end = date.fromisoformat(row["date_end"]) if row["date_end"] else None
    place = None
    if row["gazetteer_id"]:
        place = Place(id=row["gazetteer_id"], name=row["location"] or "", kind="", country=row["country"],
                      lat=row["latitude"], lon=row["longitude"])  # fmt: skip
    return Event(
        event_type=row["event_type"], sub_event_type=row["sub_event_type"] or "",
        when=When(start, end, row["time_precision"]), quote=row["notes"] or "", start=0, end=0,
        article_id="", trigger="", place=place, lat=row["latitude"], lon=row["longitude"],
        geometry=json.loads(row["geometry"]) if row["geometry"] else None,
        geo_precision=row["geo_precision"] or "country",
    )  # fmt: skip
