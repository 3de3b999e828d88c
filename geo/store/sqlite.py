"""The event store: articles, events, their sources and mentions, in one SQLite file.

- Re-ingesting an article changes nothing: articles are keyed by a hash of their text.
- Reports of one event from several articles merge into one event that keeps every
  source (``geo.events.extract.same_event`` says when two reports are one event).
- Each article is written in one transaction: a crash mid-ingest leaves the store as it
  was before that article.

The interface (ingest, events, articles, import, reresolve) is narrow enough for a
server database to stand behind it later.
"""

from __future__ import annotations

import functools
import json
import math
import operator
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from geo.errors import StoreError
from geo.events.articles import Article
from geo.events.merge import MERGE_KM, more_precise, most_fatalities, same_event
from geo.events.record import EVENT_COLUMNS, LOCATION_FIELDS, Event, Source
from geo.gazetteer.build import read_only_uri
from geo.store.base import AddResult, KeyedAddResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    id TEXT PRIMARY KEY, title TEXT, source TEXT, url TEXT, published TEXT, date_origin TEXT,
    path TEXT, encoding TEXT, words INTEGER, text TEXT NOT NULL, ingested_at TEXT NOT NULL, language TEXT);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, sub_event_type TEXT, date_start TEXT,
    date_end TEXT, time_precision TEXT NOT NULL, actor1 TEXT, actor2 TEXT, country TEXT,
    admin1 TEXT, location TEXT, latitude REAL, longitude REAL, geo_precision TEXT,
    geometry TEXT, gazetteer_id TEXT, location_reason TEXT, fatalities INTEGER, notes TEXT,
    origin TEXT NOT NULL DEFAULT 'extracted', source TEXT, source_url TEXT);
CREATE TABLE IF NOT EXISTS event_sources(
    event_id INTEGER NOT NULL REFERENCES events(id), article_id TEXT NOT NULL REFERENCES articles(id),
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, fatalities INTEGER,
    PRIMARY KEY (event_id, article_id, start));
CREATE TABLE IF NOT EXISTS event_mentions(
    event_id INTEGER NOT NULL REFERENCES events(id), article_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL, gazetteer_id TEXT);
DROP INDEX IF EXISTS events_date;  -- (date_start) alone: the index below begins with it
-- A week in a box out of millions: the days, then the point, read from the index alone;
-- and the longest span of any event, so a query knows how far back a start may lie.
CREATE INDEX IF NOT EXISTS events_when_where ON events(date_start, longitude, latitude);
CREATE INDEX IF NOT EXISTS events_span ON events(julianday(date_end) - julianday(date_start));
CREATE INDEX IF NOT EXISTS events_origin ON events(origin);
CREATE INDEX IF NOT EXISTS sources_article ON event_sources(article_id);
CREATE INDEX IF NOT EXISTS mentions_event ON event_mentions(event_id);
CREATE TABLE IF NOT EXISTS imported_keys(
    key TEXT PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE, digest TEXT NOT NULL)
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS imported_keys_event ON imported_keys(event_id);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
-- which store this is (caches of it are named by it: a store made again is another store)
INSERT OR IGNORE INTO meta VALUES ('store_id', abs(random()));
"""


IMPORT_CACHE_KIB = 256 * 1024  # SQLite's page cache while importing (grows only as pages are read)


class SQLiteStore:
    """The embedded store: ``SQLiteStore(path)``. Implements ``geo.store.Store``."""

    def __init__(self, path: Path, *, timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s
        self._local = threading.local()
        # A store we may not write is opened read-only: it can still be listed and exported.
        self.read_only = self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        )
        try:
            if not self.read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._check_foreign()
            if not self.read_only:
                self.conn.executescript(SCHEMA)
                self._upgrade()
        except (OSError, sqlite3.DatabaseError) as err:
            raise self._damaged(err) from err

    def _upgrade(self) -> None:
        """Columns added since a store was made (its data stays as it is)."""
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(articles)")}
        if "language" not in columns:
            self.conn.execute("ALTER TABLE articles ADD COLUMN language TEXT")
        if "fatalities" not in {r[1] for r in self.conn.execute("PRAGMA table_info(event_sources)")}:
            self.conn.execute("ALTER TABLE event_sources ADD COLUMN fatalities INTEGER")  # each source's own toll
        # GeoJSON ids were keyed alone (geojson:1), so two files' features with id 1 were one
        # event (issue 21): a feature's key names its file now (geojson@a.geojson:1).
        self.conn.execute(
            "UPDATE imported_keys SET key = 'geojson@' || substr((SELECT origin FROM events WHERE id = event_id), 9)"
            " || ':' || substr(key, 9) WHERE key >= 'geojson:' AND key < 'geojson;' AND substr(key, 9, 1) != '#'"
            " AND (SELECT origin FROM events WHERE id = event_id) LIKE 'geojson:%'"
        )

    def _check_foreign(self) -> None:
        """Refuse an SQLite file that is not a store (rather than add our tables to it)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and not {"articles", "events", "meta"} <= tables:
            raise StoreError(
                f"{self.path} is an SQLite database but not a conflictmap event store (its tables: "
                f"{', '.join(sorted(tables))}). Choose another --store; it was not changed."
            )

    def _damaged(self, err: Exception) -> StoreError:
        """The error to raise when SQLite fails: what an integrity check says, and what to do."""
        problem = str(err)
        if isinstance(err, OSError) or "unable to open" in problem:
            return StoreError(f"The event store {self.path} cannot be opened: {problem}. Check that its folder "
                              "exists and that you may read and write it, or name another with --store.")  # fmt: skip
        if isinstance(err, sqlite3.OperationalError) and "locked" in problem:
            return StoreError(f"The event store {self.path} is busy: another writer held it for "
                              f"{self.timeout_s:.0f} s. Try again.")  # fmt: skip
        try:
            check = [r[0] for r in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError:
            check = None  # too damaged to check
        if check in ([], ["ok"]):
            return StoreError(f"The event store {self.path} could not be read or written: {problem}.")
        if check:
            problem = f"{err}; the integrity check says: {'; '.join(' '.join(c.split()) for c in check)}"
        return StoreError(
            f"The event store {self.path} cannot be read: {problem}. Move it aside and ingest again, or "
            "restore a copy (its articles are plain text in the articles table)."
        )

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.read_only:
                conn = sqlite3.connect(read_only_uri(self.path), uri=True, isolation_level=None,
                                       timeout=self.timeout_s)  # fmt: skip
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.timeout_s)
                conn.execute("PRAGMA journal_mode=WAL")
                # WAL with NORMAL: a commit survives a crash of the process, and the file is
                # never corrupted; only a power cut can lose the last commits.
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- writing --------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add(
        self, article: Article, events: Iterable[Event], *, _fail_after_events: int | None = None
    ) -> AddResult:
        """Keep an article and its events (merged with events already kept)."""
        result = AddResult(article.id, new=True)
        with self._transaction():
            if self.has_article(article.id):  # checked inside the lock: two writers, one winner
                return AddResult(article.id, new=False)
            self.conn.execute(
                "INSERT INTO articles (id, title, source, url, published, date_origin, path, encoding, words,"
                " text, ingested_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article.id, article.title, article.source, article.url,
                 article.published.isoformat() if article.published else None, article.date_origin,
                 article.path, article.encoding, article.words, article.text, _now(), article.language),
            )  # fmt: skip
            for number, event in enumerate(events, 1):
                if _fail_after_events is not None and number > _fail_after_events:
                    raise StoreError(f"simulated crash after {_fail_after_events} events")
                merged = self._add_event(event)
                result.events_merged += merged
                result.events_added += not merged
        return result

    def replace(self, article: Article, events: Iterable[Event]) -> None:
        """Swap the events read from a kept article for ``events``, in one transaction."""
        with self._transaction():
            self._detach(article.id)
            for event in events:
                self._add_event(event)

    def add_imported(self, events: Iterable[Event]) -> int:
        """Keep events read from elsewhere (an ACLED-style CSV), all or nothing."""
        count = 0
        with self._transaction():
            for event in events:
                event.origin = "imported"
                self._insert(event)
                count += 1
        return count

    def add_imported_rows(self, rows: Sequence[tuple[str, str, Event]]) -> KeyedAddResult:
        """Keep a batch of imported events, each ``(key, digest, event)``, in one transaction.

        ``key`` is the row's identity in its dataset (``acled:UKR1234``), ``digest`` a hash
        of what the event says. A key not kept before adds the event; a kept key with the
        same digest changes nothing, so importing a file twice adds nothing; a kept key with
        another digest (the dataset revised the row) updates the event in place."""
        result = KeyedAddResult()
        columns = EVENT_COLUMNS[1:]
        geometry_at = columns.index("geometry")
        values_of = operator.attrgetter(*columns)
        # A million rows write to three indexes at random places: with SQLite's default 2 MB
        # page cache each batch reads them back from disk (1M rows: 86 s, and 48 s with this).
        self.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        with self._transaction():
            known = {
                key: (event_id, digest)
                for key, event_id, digest in self.conn.execute(
                    "SELECT k.key, k.event_id, k.digest FROM imported_keys k"
                    " WHERE k.key IN (SELECT value FROM json_each(?))",
                    (json.dumps([key for key, _, _ in rows]),),
                )
            }
            next_id = self.conn.execute("SELECT IFNULL(max(id), 0) + 1 FROM events").fetchone()[0]
            inserts, updates, keys = [], [], []
            for key, digest, event in rows:
                values = list(values_of(event))
                values[geometry_at] = _geometry_json(event.geometry)
                seen = known.get(key)
                if seen is None:
                    event.id, next_id = next_id, next_id + 1
                    inserts.append((event.id, *values))
                    keys.append((key, event.id, digest))
                    result.added += 1
                elif seen[1] == digest:
                    event.id = seen[0]
                    result.unchanged += 1
                    continue
                else:
                    event.id = seen[0]
                    updates.append((*values, event.id))
                    keys.append((key, event.id, digest))
                    result.updated += 1
                known[key] = (event.id, digest)
            self.conn.executemany(
                f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                inserts,
            )
            self.conn.executemany(
                f"UPDATE events SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?", updates
            )
            self.conn.executemany("INSERT OR REPLACE INTO imported_keys VALUES (?, ?, ?)", keys)
        return result

    def delete_events(self, *, ids: Iterable[int] | None = None, origin: str | None = None) -> list[int]:
        """Delete events (with their sources and mentions) by id, by origin, or both
        (an id of another origin is not deleted); returns the ids deleted. The origin
        ``imported`` means every imported event, whatever dataset and file it came from."""
        where, args = [], []
        if ids is not None:
            ids = [i for i in ids if -(2**63) <= i < 2**63]  # an id beyond SQLite's integers names no event
            where.append(f"id IN ({', '.join('?' * len(ids))})")
            args += ids
        if origin == "imported":
            where.append("origin != 'extracted'")
        elif origin is not None:
            where.append("origin = ?")
            args.append(origin)
        if not where:
            raise StoreError("Say which events to delete: ids, an origin, or both.")
        with self._transaction():
            found = [
                r[0] for r in self.conn.execute(f"SELECT id FROM events WHERE {' AND '.join(where)}", args)
            ]
            for chunk in range(0, len(found), 500):
                part = found[chunk : chunk + 500]
                marks = ", ".join("?" * len(part))
                for table in ("event_sources", "event_mentions"):
                    self.conn.execute(f"DELETE FROM {table} WHERE event_id IN ({marks})", part)
                self.conn.execute(f"DELETE FROM events WHERE id IN ({marks})", part)
        return found

    def _add_event(self, event: Event) -> bool:
        """Insert ``event``, or attach it to a stored event it matches. True if merged."""
        match = self._matching(event)
        if match is None:
            event_id = self._insert(event)
            merged = False
        else:
            if more_precise(event, match) is event:
                self._update_location(match.id, event)
            toll = most_fatalities(match.fatalities, event.fatalities)
            if toll != match.fatalities:  # a merge never loses a toll: the highest, and each source's own
                self.conn.execute("UPDATE events SET fatalities = ? WHERE id = ?", (toll, match.id))
            event_id, merged = match.id, True
        self.conn.executemany(
            'INSERT OR IGNORE INTO event_sources (event_id, article_id, quote, start, "end", fatalities) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(event_id, s["article_id"], s["quote"], s["start"], s["end"], s.get("fatalities"))
             for s in event.sources],
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO event_mentions VALUES (?, ?, ?, ?, ?, ?)",
            [(event_id, m["article_id"], m["start"], m["end"], m["surface"], m["gazetteer_id"])
             for m in event.mentions],
        )  # fmt: skip
        return merged

    def _matching(self, event: Event) -> Event | None:
        """The first stored event ``same_event`` calls one with ``event``. SQL narrows the
        rows to those that could be (same type and days, then same place, nearby, or a line
        or area that could touch it), so a busy day does not mean comparing with every event."""
        where = ["event_type = ?", "origin = 'extracted'"]
        args: list = [event.event_type]
        if event.undated:
            where.append("date_start IS NULL")
        else:
            where.append("date_start <= date(?, '+1 day') AND date_end >= date(?, '-1 day')")
            args += [event.date_end or event.date_start, event.date_start]
        place, place_args = _could_be_same_place(event)
        rows = self.conn.execute(
            f"SELECT * FROM events WHERE {' AND '.join(where)} AND ({place} OR notes = ?) ORDER BY id",
            [*args, *place_args, event.notes],
        ).fetchall()
        for row in rows:
            stored = _row_to_event(row, keep_geometry_text=True)
            if same_event(event, stored):
                return stored
        return None

    def _insert(self, event: Event) -> int:
        values = [getattr(event, c) for c in EVENT_COLUMNS[1:]]
        values[EVENT_COLUMNS.index("geometry") - 1] = json.dumps(event.geometry) if event.geometry else None
        cursor = self.conn.execute(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(EVENT_COLUMNS) - 1))})",
            values,
        )
        return cursor.lastrowid

    def _update_location(self, event_id: int, event: Event) -> None:
        values = [getattr(event, name) for name in LOCATION_FIELDS]
        values[LOCATION_FIELDS.index("geometry")] = json.dumps(event.geometry) if event.geometry else None
        self.conn.execute(
            f"UPDATE events SET {', '.join(f'{name} = ?' for name in LOCATION_FIELDS)} WHERE id = ?",
            (*values, event_id),
        )

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

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn, self)

    # -- reading --------------------------------------------------------------------------

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
        """Stored events, oldest first, undated last; filters combine. ``ids``: only these
        events (a page of a table, one event's details). ``origins``: any of
        these (``origin_condition``). ``bbox`` (west, south, east, north; west > east crosses
        the date line) keeps the dated events located in it (``_where_condition``)."""
        where, args = [], []
        if bbox is not None:
            longest = self.conn.execute(
                "SELECT max(julianday(date_end) - julianday(date_start)) FROM events"
            ).fetchone()
            where.append(_where_condition(bbox, date_from, date_to, args, longest[0] or 0.0))
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
        if article_id:
            where.append("id IN (SELECT event_id FROM event_sources WHERE article_id = ?)")
            args.append(article_id)
        if ids is not None:
            where.append("id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps([int(i) for i in ids]))
        origins = [o for o in origins if o]
        if origins:
            conditions = [origin_condition(o) for o in origins]
            where.append("(" + " OR ".join(c for c, _ in conditions) + ")")
            args.extend(a for _, values in conditions for a in values)
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY date_start IS NULL, date_start, id"
        rows = self.conn.execute(sql, args).fetchall()
        sources = self._sources([r[0] for r in rows])
        events = [_row_to_event(row) for row in rows]
        for event in events:
            event.sources = sources.get(event.id, [])
        return events

    def _sources(self, event_ids: list[int]) -> dict[int, list[Source]]:
        found: dict[int, list[Source]] = {}
        for chunk in range(0, len(event_ids), 500):
            ids = event_ids[chunk : chunk + 500]
            rows = self.conn.execute(
                f'SELECT s.event_id, s.article_id, s.quote, s.start, s."end", a.title, a.source, a.url, a.published,'
                f" a.language, s.fatalities FROM event_sources s JOIN articles a ON a.id = s.article_id"
                f" WHERE s.event_id IN ({', '.join('?' * len(ids))}) ORDER BY a.published, a.id, s.start",
                ids,
            ).fetchall()
            for event_id, article_id, quote, start, end, title, source, url, published, language, toll in rows:
                found.setdefault(event_id, []).append(
                    Source(article_id=article_id, title=title, publisher=source, url=url, published=published,
                           quote=quote, start=start, end=end, language=language, fatalities=toll)
                )  # fmt: skip
        return found

    def articles(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.source, a.url, a.published, a.date_origin, a.path, a.words, a.language,"
            " (SELECT count(DISTINCT event_id) FROM event_sources s WHERE s.article_id = a.id)"
            " FROM articles a ORDER BY a.published, a.id"
        ).fetchall()
        keys = (
            "id",
            "title",
            "source",
            "url",
            "published",
            "date_origin",
            "path",
            "words",
            "language",
            "events",
        )
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def article(self, article_id: str) -> Article | None:
        """A kept article, as it was read (text and metadata)."""
        row = self.conn.execute(
            "SELECT text, title, source, url, published, date_origin, path, encoding, language FROM articles"
            " WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        text, title, source, url, published, date_origin, path, encoding, language = row
        return Article(text=text, title=title, source=source, url=url, date_origin=date_origin, path=path,
                       encoding=encoding, published=date.fromisoformat(published) if published else None,
                       language=language)  # fmt: skip

    def article_text(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def revision(self) -> int:
        """A number that every write transaction raises: a cache of anything read from the
        store is good while it stays the same (in this process or any other)."""
        return self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]

    def origins(self) -> dict[str, int]:
        """How many events each origin has (``extracted``, ``acled:ukraine.csv``...)."""
        return dict(self.conn.execute("SELECT origin, count(*) FROM events GROUP BY origin ORDER BY origin"))

    def locations_at(self, id_prefix: str) -> list[str]:
        """The names of the places events are at, for places whose id starts ``id_prefix``."""
        rows = self.conn.execute(
            "SELECT DISTINCT location FROM events WHERE gazetteer_id LIKE ? AND location IS NOT NULL",
            (id_prefix.replace("%", "") + "%",),
        ).fetchall()
        return [name for (name,) in rows]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (a crash loses nothing)."""

    def __init__(self, conn: sqlite3.Connection, store: SQLiteStore) -> None:
        self.conn = conn
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        if self.store.read_only:
            raise StoreError(f"The event store {self.store.path} is read-only here: it can be listed and "
                             "exported, not changed. Copy it somewhere you can write.")  # fmt: skip
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _where_condition(bbox: tuple[float, float, float, float], date_from: date | None, date_to: date | None,
                     args: list, longest_span: float) -> str:  # fmt: skip
    """The SQL keeping the dated events located in ``bbox``: a range of the index on
    (date_start, longitude, latitude), from ``longest_span`` days before ``date_from``."""
    west, south, east, north = bbox
    parts = ["date_start IS NOT NULL", "latitude BETWEEN ? AND ?"]
    args.extend((south, north))
    if date_from is not None:
        parts.append("date_start >= ?")
        args.append((date_from - timedelta(days=math.ceil(longest_span))).isoformat())
    if date_to is not None:
        parts.append("date_start <= ?")
        args.append(date_to.isoformat())
    if west <= east:
        parts.append("longitude BETWEEN ? AND ?")
        args.extend((west, east))
    else:  # across the date line
        parts.append("(longitude >= ? OR longitude <= ?)")
        args.extend((west, east))
    return " AND ".join(parts)


def origin_condition(wanted: str) -> tuple[str, list[str]]:
    """SQL for events of an origin: a dataset (``acled`` is every ``acled:FILE``), a whole
    origin (``acled:ukraine.csv``), ``extracted``, or ``imported`` (every origin but extracted).
    A range, not LIKE, so the ``events_origin`` index serves it."""
    if wanted == "imported":
        return "origin != 'extracted'", []
    return "(origin = ? OR (origin >= ? AND origin < ?))", [wanted, f"{wanted}:", f"{wanted};"]


def _geometry_json(geometry: dict | None) -> str | None:
    """``json.dumps(geometry)``, written directly for a plain point (a million rows' worth of
    imported points spend seconds in the JSON encoder otherwise)."""
    if not geometry:
        return None
    if len(geometry) == 2 and geometry.get("type") == "Point":
        coordinates = geometry.get("coordinates")
        if type(coordinates) is list and len(coordinates) == 2:
            lon, lat = coordinates
            if type(lon) is float and type(lat) is float:
                return f'{{"type": "Point", "coordinates": [{lon!r}, {lat!r}]}}'
    return json.dumps(geometry)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _could_be_same_place(event: Event, km: float = MERGE_KM) -> tuple[str, list]:
    """An SQL condition on stored rows that every event ``same_event`` could match passes."""
    if event.gazetteer_id is None:
        return "gazetteer_id IS NULL", []
    if event.geo_precision == "country":
        return "gazetteer_id = ?", [event.gazetteer_id]
    lines = (
        "geometry IS NOT NULL"
        if _is_line_or_area(event.geometry)
        else "json_extract(geometry, '$.type') != 'Point'"
    )
    located = "IFNULL(geo_precision, '') != 'country'"
    if event.latitude is not None and event.longitude is not None:
        dlat = km / 110.574 * 1.01
        nearer_pole = abs(event.latitude) + dlat
        if nearer_pole < 89.0:
            dlon = km / (111.32 * math.cos(math.radians(nearer_pole))) * 1.01
            if abs(event.longitude) + dlon < 180.0:  # the box does not cross the date line
                near = "(latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?)"
                return (
                    f"gazetteer_id = ? OR ({located} AND ({near} OR {lines}))",
                    [event.gazetteer_id, event.latitude - dlat, event.latitude + dlat,
                     event.longitude - dlon, event.longitude + dlon],
                )  # fmt: skip
    # near a pole or the date line: every located row (same_event decides)
    return f"gazetteer_id = ? OR ({located} AND gazetteer_id IS NOT NULL)", [event.gazetteer_id]


def _is_line_or_area(geometry: dict | None) -> bool:
    return bool(geometry) and geometry.get("type") != "Point"


def _row_to_event(row: tuple, *, keep_geometry_text: bool = False) -> Event:
    values = dict(zip(EVENT_COLUMNS, row, strict=True))
    text = values["geometry"]
    values["geometry"] = json.loads(text) if text else None
    event = Event(**values)
    if text and keep_geometry_text:
        event.__dict__["_geometry_json"] = text  # merge.shape_of parses it once, in C
    return event


def _guarded(method):
    """SQLite's errors become a StoreError that says what to do (``_damaged``)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as err:
            raise self._damaged(err) from err
        except OverflowError as err:  # a number beyond SQLite's 64-bit integers: nothing was written
            raise StoreError(f"A number is too large for the event store ({err}); nothing of this batch "
                             "was kept. Check the counts and ids given.") from err  # fmt: skip

    return wrapper


for _name in ("add", "replace", "add_imported", "add_imported_rows", "delete_events", "events", "origins",
              "articles", "article", "article_text", "has_article", "revision", "locations_at"):  # fmt: skip
    setattr(SQLiteStore, _name, _guarded(getattr(SQLiteStore, _name)))
