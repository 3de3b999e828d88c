"""The map's payload: columns of numbers and compressed popup text, read back exactly."""

from __future__ import annotations

import base64
import gzip
import json

import numpy as np
import pytest

from geo.export.mapdata import (
    CHUNK,
    COLUMNS,
    DRAW_COLUMNS,
    decode_columns,
    decode_payload,
    encode_columns,
    event_mask,
    event_payload,
    payload_ids,
)
from tests.export.test_mapview import make_event


def test_columns_round_trip_through_byte_planes():
    rng = np.random.default_rng(1)
    n = 1000
    columns = {name: rng.integers(0, 2**15 if dtype != "u1" else 255, n) for name, dtype in COLUMNS}
    columns["lat"] = rng.integers(-9_000_000, 9_000_000, n)  # negative and wide values survive
    text, layout = encode_columns(columns)
    back = decode_columns(text, layout, n)
    for name, _ in COLUMNS:
        assert np.array_equal(back[name], columns[name]), name
    raw = gzip.decompress(base64.b64decode(text))
    assert len(raw) == sum(n * np.dtype(dtype).itemsize for _, dtype, _ in layout)


def test_counts_and_indexes_go_in_the_narrowest_type_that_holds_them():
    n = 300
    columns = {name: np.zeros(n, dtype=np.int64) for name, _ in COLUMNS}
    columns["type"][:] = 7
    columns["place"][-1] = 70_000
    columns["start"][-1] = 300
    columns["id"][:] = -5  # signed columns keep their type
    _, layout = encode_columns(columns)
    widths = {name: dtype for name, dtype, _ in layout}
    assert (widths["type"], widths["start"], widths["place"], widths["id"], widths["lat"]) == ("u1", "u2", "u4", "i4", "i4")
    assert [name for name, *_ in layout[:DRAW_COLUMNS]] == ["lat", "lon", "area", "start", "span", "type", "precision",
                                                            "origin"]  # what a drawing needs comes first


def test_a_byte_plane_layout_is_what_javascript_reads():
    """Plane k of a column holds byte k of every value, little-endian."""
    columns = {name: np.zeros(2, dtype=np.int64) for name, _ in COLUMNS}
    columns["lat"] = np.array([0x01020304, 0x0A0B0C0D])
    text, layout = encode_columns(columns)
    raw = gzip.decompress(base64.b64decode(text))
    name, dtype, offset = layout[0]
    assert (name, dtype, offset) == ("lat", "i4", 0)
    assert list(raw[0:8]) == [0x04, 0x0D, 0x03, 0x0C, 0x02, 0x0B, 0x01, 0x0A]


def _many(n):
    return [make_event(i + 1, start=f"2022-0{1 + i % 9}-1{i % 10}", latitude=44.5 + (i % 700) / 100,
                       longitude=22.2 + (i % 1700) / 100, quote=f"Quote {i}", origin="acled:a.csv" if i % 3 else "extracted",
                       location=f"Place {i % 7}", country="UA" if i % 2 else "RU", fatalities=i % 5 or None)
            for i in range(n)]  # fmt: skip


@pytest.mark.parametrize("n", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5000], ids=lambda n: f"{n} events")
def test_every_event_comes_back(n):
    events = _many(n)
    data = event_payload(events)
    back = decode_payload(data)
    assert len(back) == n == data["count"] == data["dated"]
    assert len(data["details"]) == -(-n // CHUNK)
    for event, row in zip(events, back, strict=True):
        assert row["id"] == event.id and row["type"] == event.event_type
        assert row["start"] == event.date_start and row["end"] == event.date_end
        assert abs(row["lat"] - event.latitude) < 1e-5 and abs(row["lon"] - event.longitude) < 1e-5
        assert row["place"] == event.location and row["country"] == event.country
        assert row["origin"] == event.origin and row["quote"] == event.notes
        assert row["fatalities"] == event.fatalities and row["sources"][0]["title"] == "Kharkiv shelled"


def test_origins_are_a_table_for_the_layers():
    data = event_payload(_many(10))
    assert data["origins"] == ["extracted", "acled:a.csv"]
    assert [r["origin"] for r in decode_payload(data)][:3] == ["extracted", "acled:a.csv", "acled:a.csv"]


def test_without_details_the_payload_has_no_popup_text():
    data = event_payload(_many(10), details=False)
    assert data["details"] == [] and "Quote" not in json.dumps(data)
    assert [r["id"] for r in decode_payload(data)] == list(range(1, 11))


def test_ids_and_the_mask_of_a_filter():
    events = _many(20)
    data = event_payload(events)
    ids = payload_ids(data)
    assert list(ids) == [e.id for e in events]
    bits = np.unpackbits(np.frombuffer(gzip.decompress(base64.b64decode(event_mask(ids, [2, 5, 20]))), np.uint8),
                         bitorder="little")  # fmt: skip
    assert [i for i in range(20) if bits[i]] == [1, 4, 19]


def test_a_million_events_fit_the_file_budget():
    """Columns only (no popup text): a few bytes an event, far under the 60 MB page budget."""
    n = 1_000_000
    rng = np.random.default_rng(2)
    columns = {name: np.zeros(n, dtype=np.int64) for name, _ in COLUMNS}
    columns["lat"] = rng.integers(4_450_000, 5_230_000, n)
    columns["lon"] = rng.integers(2_220_000, 4_020_000, n)
    columns["start"] = rng.integers(0, 365, n)
    columns["type"] = rng.integers(0, 8, n)
    columns["place"] = rng.integers(0, 50_000, n)
    columns["id"] = np.ones(n, dtype=np.int64)
    text, _ = encode_columns(columns)
    assert len(text) < 20 * 2**20

