"""Filtering stored events and its URL round trip."""

from __future__ import annotations

from datetime import date

import pytest

from geo.export.explore import EventFilter, counts_by_day, facets, filter_events, highlight
from tests.export.test_mapview import make_event

EVENTS = [
    make_event(1, start="2022-02-24", quote="Invasion launched."),
    make_event(
        2, start="2022-02-27", event_type="Diplomacy", location="Gomel", country="BY", actor1="Ukraine"
    ),
    make_event(
        3, start="2022-02-20", end="2022-02-26", quote="A week of drills in Belarus.", geo_precision="country"
    ),
    make_event(4, start=None, quote="Undated shelling."),
]


def ids(event_filter):
    return [e.id for e in filter_events(EVENTS, event_filter)]


def test_filters_combine():
    assert ids(EventFilter()) == [1, 2, 3, 4]
    assert ids(EventFilter(date_from=date(2022, 2, 25))) == [2, 3, 4]  # the interval overlaps
    assert ids(EventFilter(date_to=date(2022, 2, 23), include_undated=False)) == [3]
    assert ids(EventFilter(types=("Diplomacy",))) == [2]
    assert ids(EventFilter(countries=("BY",), actors=("Ukraine",))) == [2]
    assert ids(EventFilter(precisions=("country",))) == [3]
    assert ids(EventFilter(text="DRILLS")) == [3]


def test_url_round_trip_and_bad_values():
    wanted = EventFilter(
        date_from=date(2022, 2, 24), types=("Battles", "Diplomacy"), text="Gomel", include_undated=False
    )
    assert EventFilter.from_query(wanted.to_query()) == wanted
    odd = EventFilter.from_query({"from": "24/02/2022", "type": "Battles"})
    assert odd.date_from is None and odd.types == ("Battles",)
    assert odd.problems == ("Ignored from='24/02/2022': dates are YYYY-MM-DD.",)


def test_facets_and_counts():
    offered = facets(EVENTS)
    assert offered.first == date(2022, 2, 20) and offered.last == date(2022, 2, 27)
    assert "Diplomacy" in offered.types and "BY" in offered.countries
    assert ("2022-02-27", "Diplomacy", 1) in counts_by_day(EVENTS)


def test_highlight_escapes_the_article():
    text = "Before <script>x</script> the quote here, after."
    marked = highlight(text, text.index("the quote"), text.index(", after"))
    assert "<mark>the quote here</mark>" in marked and "&lt;script&gt;" in marked and "<script>" not in marked


def test_playback_steps_a_day_and_starts_again():
    from geo.export.explore import next_window

    first, last = date(2022, 2, 1), date(2022, 3, 31)
    assert next_window((first, last), first, last) == (first, date(2022, 2, 7))  # all days: a week
    assert next_window((date(2022, 2, 3), date(2022, 2, 9)), first, last) == (
        date(2022, 2, 4),
        date(2022, 2, 10),
    )
    assert next_window((date(2022, 3, 25), last), first, last) == (first, date(2022, 2, 7))
    short_last = date(2022, 2, 4)  # a short span steps one day at a time
    assert next_window((first, short_last), first, short_last) == (first, first)


def test_clicked_marker_and_map_view_values():
    from geo.export.explore import MapView, clicked_event_id

    assert clicked_event_id("Battles · 2022-02-24 (day) · Kharkiv · #12") == 12
    assert clicked_event_id("Kharkiv #3 street") is None and clicked_event_id(None) is None
    view = MapView(50.45, 30.52, 7)
    assert MapView.from_query(view.to_query()) == view
    for bad in ("", "50,30", "a,b,c", "95,30,7", "50,30,99", None):
        assert MapView.from_query(bad) is None


def test_the_search_finds_quotes_in_any_script_and_case():
    events = [
        make_event(1, quote="Російські війська обстріляли Харків."),
        make_event(2, quote="Российские войска обстреляли Харьков."),
        make_event(3, quote="Russian forces shelled Kharkiv."),
    ]
    found = lambda text: [e.id for e in filter_events(events, EventFilter(text=text))]  # noqa: E731
    assert (found("ХАРКІВ"), found("харьков"), found("SHELLED"), found("обстр")) == ([1], [2], [3], [1, 2])


ORIGINS = [
    make_event(11, origin="acled:ukraine.csv"),
    make_event(12, origin="acled:syria.csv"),
    make_event(13, origin="ucdp:ged.csv"),
    make_event(14, origin="extracted"),
    make_event(15, origin="imported"),  # what the first importer wrote
    make_event(16, origin="acledx:other.csv"),  # a prefix of another name is not that dataset
]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [(("acled",), [11, 12]), (("acled:syria.csv",), [12]), (("extracted", "ucdp"), [13, 14]),
     (("imported",), [11, 12, 13, 15, 16]), (("acl",), []), ((), [11, 12, 13, 14, 15, 16])],
    ids=["dataset", "one file", "two datasets", "every imported", "no partial names", "any"],
)  # fmt: skip
def test_origins_filter_by_dataset_or_file(wanted, expected):
    assert [e.id for e in filter_events(ORIGINS, EventFilter(origins=wanted))] == expected


def test_origins_go_to_and_from_the_url_and_are_offered_by_dataset():
    wanted = EventFilter(origins=("acled", "ucdp:ged.csv"))
    assert wanted.to_query() == {"origin": "acled|ucdp:ged.csv"}
    assert EventFilter.from_query(wanted.to_query()) == wanted
    assert facets(ORIGINS).origins == ("acled", "acledx", "extracted", "imported", "ucdp",
                                       "acled:syria.csv", "acled:ukraine.csv")  # fmt: skip


def test_counts_over_time_are_by_week_over_a_long_span():
    from geo.export.explore import counts_over_time

    days = [("2022-02-24", "Battles", 2), ("2022-02-27", "Battles", 1), ("2022-02-27", "Protests", 4)]
    assert counts_over_time(days) == ("day", days)  # a short span stays by day
    year = days + [("2023-01-02", "Battles", 5)]
    unit, weeks = counts_over_time(year)
    assert unit == "week"
    # 24 Feb 2022 was a Thursday: its week starts on Monday the 21st, as Sunday the 27th's does
    assert weeks == [("2022-02-21", "Battles", 3), ("2022-02-21", "Protests", 4), ("2023-01-02", "Battles", 5)]
    assert sum(n for *_, n in weeks) == sum(n for *_, n in year)
    assert counts_over_time([]) == ("day", [])
