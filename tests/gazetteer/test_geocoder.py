"""geopy's geocoder contract, checked the way geopy checks its own providers."""

from __future__ import annotations

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer.geocoder import Gazetteer


class GeocoderContract:
    """What every geopy geocoder must do; subclasses provide ``make_geocoder``."""

    def make_geocoder(self, gazetteer) -> Geocoder:
        raise NotImplementedError

    @pytest.fixture
    def geocoder(self, gazetteer):
        return self.make_geocoder(gazetteer)

    def test_is_a_geopy_geocoder(self, geocoder):
        assert isinstance(geocoder, Geocoder)

    def test_exactly_one_gives_a_location(self, geocoder):
        location = geocoder.geocode("Kyiv")
        assert isinstance(location, Location)
        assert location.latitude == pytest.approx(50.45, abs=0.05)
        assert location.longitude == pytest.approx(30.52, abs=0.05)

    def test_many_gives_a_list(self, geocoder):
        locations = geocoder.geocode("Springfield", exactly_one=False, limit=4)
        assert isinstance(locations, list) and len(locations) == 4
        assert all(isinstance(loc, Location) for loc in locations)

    def test_nothing_found_is_none_not_an_empty_list(self, geocoder):
        assert geocoder.geocode("Qwzxvbnmplk") is None
        assert geocoder.geocode("Qwzxvbnmplk", exactly_one=False) is None

    def test_reverse(self, geocoder):
        location = geocoder.reverse((50.60, 30.19))
        assert isinstance(location, Location)
        assert "Ukraine" in location.address

    def test_rate_limiter_works_unchanged(self, geocoder):
        geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
        assert geocode("Gomel").raw["country"] == "BY"


class TestGazetteer(GeocoderContract):
    def make_geocoder(self, gazetteer):
        return Gazetteer(gazetteer)

    def test_raw_holds_the_place_record(self, geocoder):
        raw = geocoder.geocode("Pripyat river").raw
        assert raw["id"] == "ne:1159120231" and raw["kind"] == "river"
        assert raw["geometry"]["type"] in ("LineString", "MultiLineString")
        assert raw["score"] > 0 and raw["reasons"]

    def test_hints_pass_through(self, geocoder):
        assert geocoder.geocode("Paris", country="US").raw["country"] == "US"
        assert geocoder.geocode("Kharkiv", kind="region").raw["kind"] == "region"
        near = geocoder.geocode("Springfield", near=(40.0, -89.0))
        assert near.raw["admin1"] == "Illinois"
        inside = geocoder.geocode("Paris", bbox=[(25, -107), (37, -93)])
        assert inside.raw["country"] == "US"

    def test_reverse_raw_has_nearest_region_country(self, geocoder):
        raw = geocoder.reverse("50.60, 30.19").raw
        assert raw["nearest"]["country"] == "UA" and raw["distance_km"] < 10
        assert raw["region"]["name"] == "Kiev Oblast" and raw["country"]["name"] == "Ukraine"

    def test_reverse_in_the_ocean_is_none(self, geocoder):
        assert geocoder.reverse((-40.0, -120.0)) is None


class RecordingGeocoder(Geocoder):
    """An offline stand-in for an online geocoder: records what it was asked."""

    def __init__(self):
        super().__init__()
        self.asked = []

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.asked.append(query)
        return Location("Somewhere far", (1.0, 2.0), {"from": "fallback"})


def test_fallback_is_asked_only_when_nothing_matches(gazetteer):
    fallback = RecordingGeocoder()
    geocoder = Gazetteer(gazetteer, fallback=fallback)
    assert geocoder.geocode("Kyiv").raw["id"] == "geonames:703448"
    assert fallback.asked == []
    assert geocoder.geocode("Qwzxvbnmplk").raw == {"from": "fallback"}
    assert fallback.asked == ["Qwzxvbnmplk"]


def test_no_fallback_by_default(gazetteer):
    assert Gazetteer(gazetteer).fallback is None
