"""Comparing two sets of events: ACLED-shaped rows against extracted events, the grid search
against a brute force over every pair, and the command as a user meets it."""

from __future__ import annotations

import json
import random
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner
from geopy.distance import geodesic

from geo import errors
from geo.cli import main
from geo.events.record import Event
from geo.export import compare
from geo.export.compare import Points, compare_events, compare_origins, nearest_within
from geo.store import SQLiteStore


def event(i, day, lat, lon, *, origin="extracted", event_type="Battles", location=None, notes=None) -> Event:
    return Event(id=i, event_type=event_type, date_start=day, date_end=day, time_precision="day" if day else "undated",
                 latitude=lat, longitude=lon, location=location, notes=notes, origin=origin)  # fmt: skip


# ACLED rows as imported (notes, ACLED's coordinates for the town) ...
ACLED = [
    event(1, "2022-03-01", 49.9935, 36.2304, origin="acled:ukraine.csv", location="Kharkiv",
          notes="Russian forces shelled residential areas of Kharkiv."),
    event(2, "2022-03-02", 50.4501, 30.5234, origin="acled:ukraine.csv", location="Kyiv",
          notes="A missile hit the TV tower in Kyiv."),
    event(3, "2022-03-05", 49.8397, 24.0297, origin="acled:ukraine.csv", event_type="Protests", location="Lviv",
          notes="Residents of Lviv rallied against the invasion."),
    event(4, None, 48.0159, 37.8029, origin="acled:ukraine.csv", location="Donetsk", notes="Undated shelling."),
]  # fmt: skip
# ... and events extracted from articles, placed by the gazetteer (a district, a suburb, a later day).
EXTRACTED = [
    event(11, "2022-03-01", 49.9808, 36.2527, location="Kharkiv"),  # 2.1 km from ACLED's Kharkiv
    event(12, "2022-03-02", 49.9500, 36.3400, location="Saltivka"),  # 9.2 km, a day later: farther than 11
    event(13, "2022-03-02", 50.5218, 30.2506, location="Irpin"),  # 21 km from Kyiv
    event(14, "2022-03-07", 49.8419, 24.0315, event_type="Protests", location="Lviv"),  # 2 days after
    event(15, "2022-03-03", 46.4825, 30.7233, location="Odesa"),  # nothing in ACLED
]


def test_each_acled_event_gets_its_nearest_extracted_counterpart_or_is_listed():
    found = compare_events(ACLED, EXTRACTED, km=10, days=1, a_label="acled", b_label="extracted")
    assert [(p.event.id, p.counterpart.id, round(p.km, 1), p.days) for p in found.pairs] == [(1, 11, 2.1, 0)]
    assert [e.id for e in found.unmatched] == [2, 3]
    assert (found.a_compared, found.a_skipped, found.b_compared, found.b_matched) == (3, 1, 5, 2)
    assert [e.id for e in found.b_unmatched] == [13, 14, 15]  # 11 and 12 both have Kharkiv
    assert found.summary() == (
        "acled -> extracted, within 10 km and 1 day: 1 of 3 acled events have a extracted counterpart, "
        "2 have none.\n"
        "extracted -> acled: 2 of 5 extracted events have a acled counterpart, 3 have none.\n"
        "Not compared (no date or no place): 1 acled events."
    )
    assert found.unmatched_rows()[0] == {"id": 2, "date": "2022-03-02", "type": "Battles", "place": "Kyiv",
                                         "quote": "A missile hit the TV tower in Kyiv."}  # fmt: skip


def test_wider_limits_find_more():
    assert [e.id for e in compare_events(ACLED, EXTRACTED, km=25, days=1).unmatched] == [3]
    assert [e.id for e in compare_events(ACLED, EXTRACTED, km=10, days=2).unmatched] == [2]
    assert [e.id for e in compare_events(ACLED, EXTRACTED, km=10, days=0).unmatched] == [2, 3]
    assert compare_events(ACLED, EXTRACTED, km=1, days=1).pairs == []


def points(rows) -> Points:
    lat, lon, day = zip(*rows, strict=True)
    return Points(np.array(lat, float), np.array(lon, float), np.array(day, np.int64))


def test_across_the_date_line_and_at_the_pole():
    a = points([(0.0, 179.99, 1), (89.99, 0.0, 1), (-16.5, -179.99, 1)])
    b = points([(0.0, -179.99, 1), (89.99, 180.0, 1), (-16.5, 179.99, 1)])
    nearest, km = nearest_within(a, b, km=5, days=0)
    assert nearest.tolist() == [0, 1, 2]
    assert km[0] == pytest.approx(2.22, abs=0.01) and km[1] == pytest.approx(2.22, abs=0.01)


def brute_force(a: Points, b: Points, km: float, days: int) -> list[dict[int, float]]:
    """Every counterpart of each point of ``a``, with its geodesic distance."""
    return [{j: d for j in range(len(b)) if abs(int(a.day[i]) - int(b.day[j])) <= days
             and (d := geodesic((a.lat[i], a.lon[i]), (b.lat[j], b.lon[j])).km) <= km}
            for i in range(len(a))]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_grid_finds_what_comparing_every_pair_finds(seed, monkeypatch):
    """Crowded points (a front line: many within reach of each other) on few days; a tiny
    batch size so the search runs in many steps."""
    monkeypatch.setattr(compare, "PAIRS_AT_ONCE", 50)
    rng = random.Random(seed)

    def crowd(n):
        return points([(48.0 + rng.uniform(0, 0.4), 37.5 + rng.uniform(0, 0.6), 738000 + rng.randrange(6))
                       for _ in range(n)])  # fmt: skip

    a, b = crowd(150), crowd(120)
    nearest, km = nearest_within(a, b, km=10, days=1)
    for i, within in enumerate(brute_force(a, b, 10, 1)):
        if not within:
            assert nearest[i] == -1
            continue
        j = int(nearest[i])
        assert j in within  # a real counterpart, within 10 km on the ellipsoid and a day
        assert within[j] <= min(within.values()) + 0.06  # the nearest (the sphere and ellipsoid differ slightly)
        assert km[i] == pytest.approx(within[j], rel=0.01)


def test_a_pair_at_the_limit_is_decided_by_the_geodesic():
    """Along a meridian at 60° N a degree is longer on the ellipsoid than on the sphere: of two
    pairs the sphere puts just under 10 km apart, the geodesic keeps the one that is."""
    north = points([(60.0, 25.0, 1)])
    step = 10 / 111.412  # a degree of latitude at 60° N is 111.4 km on WGS 84, 111.2 on the sphere
    inside, outside = points([(60.0 + step * 0.998, 25.0, 1)]), points([(60.0 + step * 1.002, 25.0, 1)])
    assert geodesic((60, 25), (60 + step * 0.998, 25)).km < 10 < geodesic((60, 25), (60 + step * 1.002, 25)).km
    assert nearest_within(north, inside, km=10, days=0)[0].tolist() == [0]
    assert nearest_within(north, outside, km=10, days=0)[0].tolist() == [-1]


@pytest.mark.parametrize(
    ("km", "days", "message"),
    [(0, 1, "The distance must be a positive number of km, not 0."),
     (float("nan"), 1, "The distance must be a positive number of km, not nan."),
     (10, -1, r"The days must be 0 \(the same day\) or more, not -1."),
     (0.001, 1, "A distance of 0.001 km is too small to compare at: give 0.01 km or more.")],
)  # fmt: skip
def test_limits_out_of_range_are_named(km, days, message):
    with pytest.raises(errors.CompareError, match=message):
        compare_events(ACLED, EXTRACTED, km=km, days=days)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "events.sqlite"
    store = SQLiteStore(path)
    rows = [(f"key{e.id}", "digest", e) for e in ACLED + [e for e in EXTRACTED if e.id != 15]]
    store.add_imported_rows(rows)  # the extracted ones keep their origin: it is what they are
    return path


def test_compare_stored_origins_and_a_missing_one(store_path):
    store = SQLiteStore(store_path)
    found = compare_origins(store, "acled", "extracted", km=10, days=1)
    assert (len(found.pairs), len(found.unmatched), found.b_matched) == (1, 2, 2)
    with pytest.raises(errors.CompareError, match=r"No stored events of origin 'ucdp' to compare; the store holds "
                                                  r"acled:ukraine.csv \(4\), extracted \(4\)\. Give a dataset"):  # fmt: skip
        compare_origins(store, "ucdp", "extracted")


def run(store_path, *args):
    return CliRunner().invoke(main, ["--store", str(store_path), "compare", *args])


def test_the_command_lists_the_unmatched_in_text_csv_and_json(store_path):
    text = run(store_path, "--a", "acled", "--b", "extracted")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0] == ("acled -> extracted, within 10 km and 1 day: 1 of 3 acled events have a extracted "
                        "counterpart, 2 have none.")  # fmt: skip
    assert lines[-3:] == [
        "    id  date       type                       place                    quote",
        "     2  2022-03-02 Battles                    Kyiv                     A missile hit the TV tower in Kyiv.",
        "     3  2022-03-05 Protests                   Lviv                     Residents of Lviv rallied against "
        "the invasion.",
    ]
    ids = {e.location: e.id for e in SQLiteStore(store_path).events()}
    table = run(store_path, "--a", "extracted", "--b", "acled", "--format", "csv")
    assert table.stdout.splitlines() == ["id,date,type,place,quote", f"{ids['Irpin']},2022-03-02,Battles,Irpin,",
                                         f"{ids['Lviv']},2022-03-07,Protests,Lviv,"]  # fmt: skip
    assert table.stderr.startswith("extracted -> acled, within 10 km and 1 day: 2 of 4 extracted events")
    wider = run(store_path, "--a", "extracted", "--b", "acled", "--km", "25", "--days", "2", "--format", "csv")
    assert wider.stdout == "id,date,type,place,quote\n"
    record = json.loads(run(store_path, "--a", "acled:ukraine.csv", "--b", "extracted", "--format", "json").stdout)
    assert {k: record[k] for k in ("a_matched", "a_unmatched", "b_matched", "b_unmatched", "a_skipped")} == {
        "a_matched": 1, "a_unmatched": 2, "b_matched": 2, "b_unmatched": 2, "a_skipped": 1}  # fmt: skip
    missing = run(store_path, "--a", "acled", "--b", "gdelt")
    assert missing.exit_code == 1 and missing.output.splitlines()[-1].startswith(
        "Error: No stored events of origin 'gdelt' to compare; the store holds acled:ukraine.csv (4)")
    bad = run(store_path, "--a", "acled", "--b", "extracted", "--km", "-3")
    assert bad.exit_code == 1 and "Error: The distance must be a positive number of km, not -3.0." in bad.output


def test_events_spread_at_random_match_as_often_as_chance_says():
    """The bench's shape, smaller: 20,000 a side over a country and a year."""
    rng = np.random.default_rng(7)
    start = date(2022, 1, 1).toordinal()

    def spread(n):
        return Points(rng.uniform(44.5, 52.3, n), rng.uniform(22.2, 40.2, n), start + rng.integers(0, 365, n))

    a, b = spread(20_000), spread(20_000)
    nearest, _ = nearest_within(a, b, km=10, days=1)
    # ~5% expected: 3 days of 365, a 10 km disc of ~600,000 km² of boxes, 20,000 events
    assert 0.02 < (nearest >= 0).mean() < 0.10
