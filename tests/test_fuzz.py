"""Property tests over what users and other tools hand us: imported CSV rows, article
files, JSON Lines feeds and app URLs. Any input gives a result or one of our errors with a
message, never another exception and never a half-stored article. Bounded: a few seconds."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.errors import CsvError
from geo.events.ingest import RawArticle, ingest_many
from geo.export.acled import read_csv
from geo.export.explore import EventFilter, MapView
from geo.store import SQLiteStore
from tests.hostile import read_by

FIELD = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2022-03-01", "soon", "9999-12-31", "0001-01-01", "1e309", "nan", "-91", "²",
                     '{"type": "Point"}', "not json", "[1, 2]", "2022-02-30"]),
)  # fmt: skip
COLUMNS = ["event_date", "event_type", "latitude", "longitude", "date_start", "date_end", "geometry",
           "fatalities", "time_precision", "geo_precision", "notes"]  # fmt: skip
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(st.lists(st.fixed_dictionaries({c: FIELD for c in COLUMNS}), min_size=1, max_size=4))
def test_any_csv_rows_give_events_or_a_named_line(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    try:
        events = read_csv(buffer.getvalue(), name="rows.csv")
    except CsvError as err:
        assert str(err).startswith("rows.csv") and "line" in str(err)
        return
    for event in events:  # what is kept is valid: dates that parse, geometry that is GeoJSON
        assert -90 <= event.latitude <= 90 and -180 <= event.longitude <= 180
        assert isinstance(event.geometry, dict) and "type" in event.geometry
        assert (event.date_start is None) == (event.date_end is None)
        assert event.date_start is None or event.date_start <= event.date_end


def _with_the_hostile_articles(test):
    """The corpus's articles (``tests/hostile.py``) are examples every run tries first."""
    for case in read_by("articles"):
        test = example(data=case.data, kind="html" if case.name.endswith(".html") else "text")(test)
    return test


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)), st.sampled_from(["text", "html"]))
@_with_the_hostile_articles
def test_any_article_is_stored_whole_or_reported(tmp_path_factory, geoparser, data, kind):
    from geo.events.extract import EventExtractor

    store = SQLiteStore(tmp_path_factory.mktemp("fuzz") / "events.sqlite")
    report = ingest_many([RawArticle(data, "input", kind)], store, EventExtractor(geoparser))
    assert report.new + len(report.failures) == 1
    assert len(store.articles()) == report.new
    assert all(f.startswith("input") for f in report.failures)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=60), st.builds(json.dumps, st.dictionaries(
    st.sampled_from(["text", "title", "date", "source", "url", "kind"]), st.one_of(st.text(max_size=40),
    st.integers(), st.none(), st.lists(st.integers(), max_size=2))))), max_size=5))  # fmt: skip
def test_any_json_lines_feed_never_stops_the_ingest(tmp_path_factory, geoparser, lines):
    from geo.events.extract import EventExtractor

    folder = tmp_path_factory.mktemp("feed")
    feed = folder / "feed.jsonl"
    feed.write_text("\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")
    store = SQLiteStore(folder / "events.sqlite")
    report = ingest_many([feed], store, EventExtractor(geoparser))
    non_empty = [line for line in lines if line.replace("\n", " ").strip()]
    assert report.new + report.seen + len(report.failures) == len(non_empty)


@QUICK
@given(st.dictionaries(st.sampled_from(["from", "to", "type", "actor", "country", "precision", "origin", "q", "undated",
                                        "event", "at"]), st.text(max_size=30)))  # fmt: skip
def test_any_url_gives_a_filter_and_names_what_it_dropped(query):
    event_filter = EventFilter.from_query(query)
    assert isinstance(event_filter.problems, tuple)
    EventFilter.from_query(event_filter.to_query())  # what it writes back, it reads
    view = MapView.from_query(query.get("at"))
    assert view is None or (-90 <= view.lat <= 90 and -180 <= view.lon <= 180 and 0 <= view.zoom <= 20)


SMALL_DATASETS = [case for case in read_by("events") if len(case.data) < 10_000]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SMALL_DATASETS), st.integers(min_value=0), st.binary(max_size=8), st.booleans())
def test_any_damaged_event_file_imports_or_is_named(tmp_path_factory, case, at, junk, cut):
    """A corpus event file cut short or with bytes slipped in: rows or one of our errors."""
    from geo.errors import ConflictmapError
    from geo.export.datasets.importer import import_file

    data = case.data
    at %= len(data) + 1
    damaged = data[:at] if cut else data[:at] + junk + data[at:]
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / case.name
    path.write_bytes(damaged)
    store = SQLiteStore(folder / "events.sqlite")
    try:
        report = import_file(path, store)
    except ConflictmapError as err:
        assert case.name in str(err)
        assert store.events() == []
        return
    assert len(store.events()) == report.added <= report.rows
