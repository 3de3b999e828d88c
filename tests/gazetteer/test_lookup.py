from __future__ import annotations

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import InvalidPlaceError, PlaceNotFoundError
from geo.gazetteer.user_places import NewPlace
from tests.places_table import ROWS


@pytest.mark.parametrize("row", ROWS, ids=[r.label for r in ROWS])
def test_lookup_table(gazetteer, row):
    best = gazetteer.best(row.query, **row.hints)
    assert best is not None, f"nothing found for {row.query!r}"
    place = best.place
    assert (place.kind, place.country) == (row.kind, row.country), best
    km = geodesic((row.lat, row.lon), place.point).km
    assert km <= row.km, f"{place.name} is {km:.0f} km from the expected point"
    if row.id:
        assert place.id == row.id


def test_candidates_are_ranked_with_scores_and_reasons(gazetteer):
    candidates = gazetteer.lookup("Poland", limit=5)
    assert candidates[0].place.kind == "country"
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    assert any(c.place.country == "US" for c in candidates[1:])
    assert "country" in candidates[0].reasons
    assert candidates[0].match == "primary"


def test_exact_name_beats_alternate(gazetteer):
    best = gazetteer.best("Chornobyl")
    assert best.match == "primary" and best.place.name == "Chornobyl"


@pytest.mark.parametrize(
    "query", ["Pripyat river", "Pripyat River", "river Pripyat", "the Pripyat river", "Prypiat river"]
)
def test_pripyat_river_is_a_line_in_polesia(gazetteer, query):
    place = gazetteer.best(query).place
    assert place.kind == "river" and place.id == "ne:1159120231"
    assert place.geometry.geom_type in ("LineString", "MultiLineString")
    minx, miny, maxx, maxy = place.geometry.bounds
    assert miny >= 50.5 and maxy <= 52.5 and minx >= 23.5 and maxx <= 31


@pytest.mark.parametrize(
    ("query", "hints"),
    [
        ("the Belarus–Ukraine border", {}),
        ("Ukraine-Belarus border", {}),
        ("the Ukrainian-Belarusian border", {}),
        ("border between Belarus and Ukraine", {}),
        ("Belarus border", {"country": "UA"}),
        ("the Belarusian border", {"country": "UA"}),
    ],
)
def test_belarus_ukraine_border_is_the_shared_line(gazetteer, query, hints):
    place = gazetteer.best(query, **hints).place
    assert place.id == "border:BY-UA" and place.kind == "border"
    assert place.geometry.geom_type in ("LineString", "MultiLineString")
    assert 820 <= place.extra["length_km"] <= 900
    assert set(place.countries) == {"BY", "UA"}


def test_border_line_meets_the_pripyat_near_chernobyl(gazetteer):
    border = gazetteer.get("border:BY-UA").geometry
    river = gazetteer.best("Pripyat river").place.geometry
    crossings = getattr(border.intersection(river), "geoms", [])
    # The Pripyat rises in Ukraine, flows through Belarus and back: it crosses twice.
    assert len(crossings) == 2
    chernobyl = (51.27, 30.22)
    nearest = min(crossings, key=lambda p: geodesic((p.y, p.x), chernobyl).km)
    assert geodesic((nearest.y, nearest.x), (51.474, 29.973)).km < 1
    assert 25 < geodesic((nearest.y, nearest.x), chernobyl).km < 31


def test_poland_is_the_country_polygon(gazetteer):
    place = gazetteer.best("Poland").place
    assert place.geometry.geom_type in ("Polygon", "MultiPolygon")
    assert "Polska" in place.alternate_names or "Polen" in place.alternate_names


def test_kind_hint_prefers_the_kind(gazetteer):
    assert gazetteer.best("Kharkiv", kind="region").place.name == "Kharkiv Oblast"
    assert gazetteer.best("Kharkiv").place.kind == "city"


def test_bbox_hint_prefers_places_inside(gazetteer):
    best = gazetteer.best("Paris", bbox=(25.0, -107.0, 37.0, -93.0))
    assert best.place.country == "US" and "inside the hint box" in best.reasons


def test_unknown_names_and_empty_queries_give_nothing(gazetteer):
    assert gazetteer.lookup("Qwzxvbnmplk") == []
    assert gazetteer.lookup("") == []
    assert gazetteer.lookup("  ,;  ") == []


def test_bad_hints_are_refused_with_the_valid_options(gazetteer):
    with pytest.raises(InvalidPlaceError, match=r"Unknown kind 'volcano'\. Valid kinds: capital, city"):
        gazetteer.lookup("Etna", kind="volcano")
    with pytest.raises(InvalidPlaceError, match=r"Invalid country code 'Ukraine'"):
        gazetteer.lookup("Kyiv", country="Ukraine")


def test_get_unknown_id(gazetteer):
    with pytest.raises(PlaceNotFoundError, match="No place with id geonames:0"):
        gazetteer.get("geonames:0")


def test_reverse_finds_town_region_and_country(gazetteer):
    result = gazetteer.reverse(50.60, 30.19)
    assert result.nearest.country == "UA" and result.distance_km < 10
    assert result.region.name == "Kiev Oblast"
    assert result.country.name == "Ukraine"


def test_reverse_at_sea_has_no_country(gazetteer):
    result = gazetteer.reverse(-40.0, -120.0)
    assert result.nearest is None and result.country is None


def test_user_addition_wins_over_builtin_of_same_name(user_gazetteer):
    user_gazetteer.add_place(NewPlace(name="Moscow", kind="site", lat=50.1, lon=30.1, country="UA"))
    best = user_gazetteer.best("Moscow")
    assert best.place.id == "user:moscow" and "user addition" in best.reasons


def test_user_alias_is_found(user_gazetteer):
    user_gazetteer.add_place(
        NewPlace(name="Hostomel Airport", kind="airport", lat=50.60, lon=30.19, aliases=["Antonov Airport"])
    )
    best = user_gazetteer.best("antonov airport")
    assert best.place.name == "Hostomel Airport" and best.match == "alternate"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_query_gives_a_list_never_a_crash(gazetteer, query):
    candidates = gazetteer.lookup(query)
    assert isinstance(candidates, list)
    assert all(c.score > 0 for c in candidates)


def test_distance_is_geopys_geodesic():
    from geopy.distance import geodesic

    from geo.gazetteer.place import distance_km

    for a, b in [((50.45, 30.52), (49.98, 36.25)), ((-33.9, 151.2), (51.5, -0.1)), ((0, 0), (0, 179.9))]:
        assert distance_km(a, b) == pytest.approx(geodesic(a, b).km, rel=1e-9)


def test_reverse_counts_your_own_villages(user_gazetteer):
    user_gazetteer.add_place(NewPlace(name="New Hamlet", kind="village", lat=50.601, lon=30.191))
    result = user_gazetteer.reverse(50.60, 30.19)
    assert result.nearest.id == "user:new-hamlet" and result.distance_km < 1
    assert result.country.name == "Ukraine"
