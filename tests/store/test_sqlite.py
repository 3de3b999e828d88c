"""The SQLite store: merging is exact after SQL narrows the rows; threads share one store."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geo.store.sqlite as sqlite_store
from geo.errors import StoreError
from geo.events.articles import parse_article
from geo.events.record import Event
from geo.store import SQLiteStore, Store

KINDS = st.sampled_from(["exact", "near", "border", "country"])


@st.composite
def events(draw) -> Event:
    lat = draw(st.floats(-85, 85))
    lon = draw(st.floats(-179.9, 179.9))
    precision = draw(KINDS)
    line = precision == "border" and draw(st.booleans())
    geometry = (
        {"type": "LineString", "coordinates": [[lon, lat], [lon + draw(st.floats(-2, 2)), lat + 1]]}
        if line else {"type": "Point", "coordinates": [lon, lat]}
    )  # fmt: skip
    day = draw(st.integers(1, 3))
    return Event(
        event_type="Battles", sub_event_type="Armed clash", date_start=f"2022-03-0{day}",
        date_end=f"2022-03-0{day}", time_precision="day", latitude=lat, longitude=lon,
        geo_precision=precision, geometry=geometry, gazetteer_id=f"p:{draw(st.integers(0, 5))}",
        location="x", notes="q",
    )  # fmt: skip


def _near(event: Event, dlat: float, dlon: float) -> Event:
    return Event(**{**event.__dict__, "latitude": event.latitude + dlat, "longitude": event.longitude + dlon,
                    "geometry": None, "gazetteer_id": "p:near", "sources": [], "mentions": []})  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), min_size=1, max_size=12), st.floats(-0.6, 0.6), st.floats(-0.9, 0.9))
def test_narrowed_matching_finds_what_comparing_every_row_finds(tmp_path_factory, stored, dlat, dlon):
    folder = tmp_path_factory.mktemp("narrow")
    store = SQLiteStore(folder / "events.sqlite")
    with store._transaction():
        for event in stored:
            store._insert(event)
    probes = [*stored, _near(stored[0], dlat, dlon)]
    narrowed = [store._matching(p) for p in probes]
    original = sqlite_store._could_be_same_place
    sqlite_store._could_be_same_place = lambda event, km=50.0: ("1", [])
    try:
        every_row = [store._matching(p) for p in probes]
    finally:
        sqlite_store._could_be_same_place = original
    assert [e and e.id for e in narrowed] == [e and e.id for e in every_row]
    store.close()


def test_the_sqlite_store_is_a_store(tmp_path):
    assert isinstance(SQLiteStore(tmp_path / "events.sqlite"), Store)


def test_threads_sharing_one_store_lose_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "events.sqlite")
    articles = [parse_article(f"Report {n}: shelling in Kharkiv.", date="2022-03-01") for n in range(12)]
    event = Event(event_type="Battles", date_start="2022-03-01", date_end="2022-03-01", time_precision="day",
                  location="Kharkiv", gazetteer_id="geonames:706483", latitude=49.98, longitude=36.25,
                  geo_precision="exact", notes="Shelling in Kharkiv.")  # fmt: skip
    errors = []

    def add(article):
        try:
            store.add(
                article,
                [
                    Event(
                        **{
                            **event.__dict__,
                            "sources": [
                                {
                                    "article_id": article.id,
                                    "quote": article.text,
                                    "start": 0,
                                    "end": len(article.text),
                                }
                            ],
                        }
                    )
                ],
            )
        except Exception as err:  # noqa: BLE001 (any failure is the finding)
            errors.append(err)

    threads = [threading.Thread(target=add, args=(a,)) for a in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.articles()) == 12
    (merged,) = store.events()  # one battle in Kharkiv that day, reported twelve times
    assert len(merged.sources) == 12


def test_a_foreign_database_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "mine.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine(x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"mine.sqlite is an SQLite database but not a conflictmap event store \(its "
                                         r"tables: mine\). Choose another --store; it was not changed."):  # fmt: skip
        SQLiteStore(path)
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")] == ["mine"]


def _seeded(path):
    store = SQLiteStore(path)
    article = parse_article("Shelling hit Kharkiv on Monday. " * 400, date="2022-03-08")
    store.add(article, [Event(event_type="Battles", date_start="2022-03-07", date_end="2022-03-07",
                              time_precision="day", sources=[{"article_id": article.id, "quote": "x", "start": 0,
                                                              "end": 1}])])  # fmt: skip
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def test_a_damaged_store_says_so_and_what_to_do(tmp_path):
    path = tmp_path / "events.sqlite"
    _seeded(path)
    with path.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(b"\x13" * 4096)
    with pytest.raises(
        StoreError, match=r"events.sqlite cannot be read: .*malformed.* Move it aside and ingest again"
    ):
        SQLiteStore(path).events()


def test_a_store_we_cannot_write_opens_read_only(tmp_path, monkeypatch):
    path = tmp_path / "events.sqlite"
    _seeded(path)
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    store = SQLiteStore(path)
    assert store.read_only and len(store.events()) == 1 and len(store.articles()) == 1
    with pytest.raises(StoreError, match="is read-only here: it can be listed and exported, not changed"):
        store.delete_events(origin="extracted")


def test_events_of_an_origin_are_found_through_its_index(tmp_path):
    store = SQLiteStore(tmp_path / "events.sqlite")
    rows = [(f"k{n}", "d", Event(event_type="Battles", date_start="2022-03-07", date_end="2022-03-07",
                                 time_precision="day", latitude=50.0, longitude=36.0, origin=origin))
            for n, origin in enumerate(["acled:a.csv", "acled:b.csv", "acledx:c.csv", "ucdp:ged.csv"])]  # fmt: skip
    store.add_imported_rows(rows)

    def origins(*wanted):
        return sorted(e.origin for e in store.events(origins=wanted))

    assert origins("acled") == ["acled:a.csv", "acled:b.csv"]
    assert origins("acled:b.csv", "ucdp") == ["acled:b.csv", "ucdp:ged.csv"]
    assert origins("imported") == ["acled:a.csv", "acled:b.csv", "acledx:c.csv", "ucdp:ged.csv"]
    assert origins("extracted") == [] and origins() == origins("imported")
    assert store.origins() == {"acled:a.csv": 1, "acled:b.csv": 1, "acledx:c.csv": 1, "ucdp:ged.csv": 1}
    sql, args = sqlite_store.origin_condition("acled")
    plan = " ".join(
        r[-1] for r in store.conn.execute(f"EXPLAIN QUERY PLAN SELECT id FROM events WHERE {sql}", args)
    )
    assert "events_origin" in plan


def _imported(
    i: int, lat: float | None, lon: float | None, start: str | None, end: str | None = None
) -> Event:
    return Event(event_type="Battles", date_start=start, date_end=end or start,
                 time_precision="day" if start else "undated", latitude=lat, longitude=lon,
                 geo_precision="exact" if lat is not None else None, location=f"p{i}", notes="q",
                 origin="acled:test.csv")  # fmt: skip


BOXES = st.tuples(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90))
DAYS = st.integers(0, 20).map(lambda d: date(2022, 3, 1) + timedelta(days=d))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.floats(-89, 89), st.floats(-180, 180), DAYS, st.integers(0, 5)), max_size=30),
    box=BOXES, window=st.tuples(DAYS, st.integers(0, 7)),
)  # fmt: skip
def test_a_week_in_a_box_is_what_checking_every_event_finds(tmp_path_factory, rows, box, window):
    """The R-tree of when and where, at any box (across the date line when west > east)."""
    store = SQLiteStore(tmp_path_factory.mktemp("where") / "events.sqlite")
    west, south, east, north = box
    south, north = min(south, north), max(south, north)
    events = [_imported(i, lat, lon, start.isoformat(), (start + timedelta(days=span)).isoformat())
              for i, (lat, lon, start, span) in enumerate(rows)]  # fmt: skip
    events += [_imported(98, None, None, "2022-03-02"), _imported(99, 50.0, 30.0, None)]  # unlocated, undated
    store.add_imported(events)
    first, last = window[0], window[0] + timedelta(days=window[1])

    def inside(e: Event) -> bool:
        if e.date_start is None or e.latitude is None:
            return False
        lon_in = west <= e.longitude <= east if west <= east else (e.longitude >= west or e.longitude <= east)
        return (south <= e.latitude <= north and lon_in
                and e.date_start <= last.isoformat() and e.date_end >= first.isoformat())  # fmt: skip

    found = store.events(date_from=first, date_to=last, bbox=(west, south, east, north))
    assert sorted(e.location for e in found) == sorted(e.location for e in store.events() if inside(e))
    store.close()


def test_a_week_in_a_box_reads_the_when_where_index_also_in_an_older_store(tmp_path):
    path = tmp_path / "events.sqlite"
    store = SQLiteStore(path)
    store.add_imported([_imported(1, 50.45, 30.52, "2022-03-01"), _imported(2, 49.99, 36.23, "2022-03-02")])
    store.close()
    conn = sqlite3.connect(path)  # as an older version left it
    conn.executescript("DROP INDEX events_when_where; DROP INDEX events_span;"
                       " CREATE INDEX events_date ON events(date_start);")  # fmt: skip
    conn.close()
    store = SQLiteStore(path)
    indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"events_when_where", "events_span"} <= indexes and "events_date" not in indexes
    found = store.events(date_from=date(2022, 3, 1), date_to=date(2022, 3, 7), bbox=(30, 50, 31, 51))
    assert [e.location for e in found] == ["p1"]
    args: list = []
    condition = sqlite_store._where_condition((30, 50, 31, 51), date(2022, 3, 1), date(2022, 3, 7), args, 0.0)
    plan = " ".join(
        str(r)
        for r in store.conn.execute(f"EXPLAIN QUERY PLAN SELECT id FROM events WHERE {condition}", args)
    )
    assert "events_when_where" in plan


def test_a_store_in_a_place_that_cannot_hold_one_is_not_called_damaged(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(StoreError, match=r"cannot be opened: .* Check that its folder exists") as caught:
        SQLiteStore(tmp_path / "a-file" / "events.sqlite")
    assert "Move it aside" not in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-90, 90), lon=st.floats(-180, 180), bearing=st.floats(0, 360), km=st.floats(0, 49.9))
def test_the_cheap_distance_test_never_refuses_points_within_reach(lat, lon, bearing, km):
    """Also near the poles, where the shortest way may cross one."""
    from geopy.distance import geodesic

    from geo.events.merge import _roughly_within

    there = geodesic(kilometers=km).destination((lat, lon), bearing)
    a = Event(event_type="Battles", latitude=lat, longitude=lon)
    b = Event(event_type="Battles", latitude=there.latitude, longitude=there.longitude)
    assert _roughly_within(a, b, 50.0)
