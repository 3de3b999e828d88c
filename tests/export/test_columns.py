"""EventColumns gives what the Event-based helpers give, for every kind of filter."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from geo.events.record import Event
from geo.export.columns import EventColumns
from geo.export.explore import EventFilter, counts_by_day, facets, filter_events
from geo.export.mapdata import (
    columns_payload,
    decode_payload,
    event_payload,
    payload_bytes,
    read_payload_bytes,
)
from geo.store import SQLiteStore


@pytest.fixture
def stored(tmp_path):
    rng = random.Random(3)
    store = SQLiteStore(tmp_path / "events.sqlite")
    rows = []
    for i in range(300):
        start = date(2022, 3, 1) + timedelta(days=rng.randrange(40))
        dated = i % 17 != 0
        event = Event(event_type=rng.choice(["Battles", "Protests", "Riots"]), date_start=start.isoformat() if dated else None,
                      date_end=(start + timedelta(days=rng.choice([0, 0, 2]))).isoformat() if dated else None,
                      time_precision="day" if dated else "unknown", actor1=rng.choice([None, "Russia", "Ukraine"]),
                      country=rng.choice(["UA", "RU", None]), location=f"Place {i % 9}",
                      latitude=None if i % 23 == 0 else 48 + rng.random(), longitude=None if i % 23 == 0 else 30 + rng.random(),
                      geo_precision=rng.choice(["exact", "near", "region"]), fatalities=rng.choice([None, 1, 3]),
                      notes=rng.choice(["Shelling in Kyiv", "Протест у Львові", "A riot_with 100% turnout"]),
                      origin=rng.choice(["acled:a.csv", "acled:b.csv", "ucdp:ged.csv"]))  # fmt: skip
        rows.append((f"k{i}", str(i), event))
    store.add_imported_rows(rows)
    yield store
    store.close()


FILTERS = [
    EventFilter(),
    EventFilter(date_from=date(2022, 3, 10), date_to=date(2022, 3, 20)),
    EventFilter(date_from=date(2022, 3, 10), include_undated=False),
    EventFilter(types=("Battles", "Riots"), countries=("UA",)),
    EventFilter(actors=("Russia",), precisions=("near",)),
    EventFilter(origins=("acled",)),
    EventFilter(origins=("ucdp:ged.csv", "acled:b.csv")),
    EventFilter(text="kyiv"),
    EventFilter(text="львові"),
    EventFilter(text="_with 100%"),
    EventFilter(text="place 3"),
]


@pytest.mark.parametrize("event_filter", FILTERS, ids=lambda f: str(f.to_query()) or "everything")
def test_mask_is_the_filter(stored, event_filter):
    events = stored.events()
    columns = EventColumns.read(stored.conn)
    keep = columns.mask(event_filter, stored.conn)
    shown = filter_events(events, event_filter)
    assert columns.ids[keep].tolist() == [e.id for e in shown]
    assert columns.counts_by_day(keep) == counts_by_day(shown)
    assert columns.metrics(keep)["Fatalities"] == sum(e.fatalities or 0 for e in shown)
    assert columns.metrics(keep)["Undated"] == sum(e.date_start is None for e in shown)


def test_facets_and_payload_match_the_events(stored):
    events = stored.events()
    columns = EventColumns.read(stored.conn)
    assert columns.facets() == facets(events)
    assert decode_payload(columns_payload(columns)) == decode_payload(event_payload(events, details=False))


def test_the_apps_payload_file_holds_the_same_events(stored):
    """The app's file (one gzip stream: the tables' JSON, then the column planes) reads
    back as the export's base64 payload does."""
    columns = EventColumns.read(stored.conn)
    from_file = read_payload_bytes(payload_bytes(columns_payload(columns, planes=True)))
    assert isinstance(from_file["columns"], bytes)
    assert decode_payload(from_file) == decode_payload(columns_payload(columns))
    assert len(decode_payload(from_file)) == sum(1 for e in stored.events() if e.latitude is not None)
