"""The map builder and the HTML export, checked by rendering (no browser)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import shapely

from geo.events.record import Event
from geo.export import ExportOptions, export_events
from geo.export.explore import table_rows
from geo.export.mapdata import decode_payload
from geo.export.mapview import build_map, event_payload

XSS = '<img src=x onerror="window.__xss=1"></script><script>window.__xss=2</script>'


def make_event(i, *, start="2022-02-27", end=None, quote="Shelling hit Kharkiv.", geometry=None, **extra):
    values = dict(
        id=i, event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
        date_start=start, date_end=end or start, time_precision="day" if start else "undated",
        actor1="Russia", actor2="Ukraine", country="UA", admin1=None, location="Kharkiv",
        latitude=49.98, longitude=36.25, geo_precision="exact", geometry=geometry,
        gazetteer_id="geonames:706483", location_reason="what shelled acts on", fatalities=None,
        notes=quote, origin="extracted", source=None, source_url=None,
        sources=[{"article_id": "a1", "title": "Kharkiv shelled", "publisher": "The Paper",
                  "url": "https://news.example/a1", "published": "2022-02-27"}],
    )  # fmt: skip
    values.update(extra)
    return Event(**values)


@pytest.fixture(scope="module")
def html(index_path):
    events = [
        make_event(1),
        make_event(2, start="2022-02-20", end="2022-02-26", quote="Talks went on for a week."),
        make_event(3, start=None, quote="Undated shelling."),
        make_event(4, quote=XSS, location=XSS, sources=[{"article_id": "x", "title": XSS, "publisher": XSS,
                                                          "url": "javascript:alert(1)", "published": None}]),
        make_event(5, geometry={"type": "LineString", "coordinates": [[23.6, 51.5], [31.7, 52.1]]}, geo_precision="border"),
    ]  # fmt: skip
    return build_map(events, title="Test map", index_path=index_path).get_root().render()


def _payload(html):
    return json.loads(
        re.search(r'<script type="application/json" id="cm-data">(.*?)</script>', html, re.S).group(1)
    )


def test_no_network_links(html):
    assert not re.search(r'<script[^>]+src=["\']https?:', html)
    assert not re.search(r'<link[^>]+href=["\']https?:', html)
    assert "conflictmapStart" in html and "leaflet" in html.lower()
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html


def test_article_text_cannot_break_out_of_the_data(html):
    assert "window.__xss=2</script>" not in html
    assert 'onerror="window.__xss=1"' not in html
    events = decode_payload(_payload(html))
    hostile = next(e for e in events if e["id"] == 4)
    assert hostile["quote"] == XSS and hostile["place"] == XSS  # the text itself survives, as data
    assert "url" not in hostile["sources"][0]  # no javascript: links


def test_payload_rows_intervals_and_undated(html):
    data = _payload(html)
    events = decode_payload(data)
    assert data["count"] == 5 and data["dated"] == 4
    assert [e["id"] for e in events] == [1, 2, 4, 5, 3]  # the undated one last
    interval = next(e for e in events if e["id"] == 2)
    assert (interval["start"], interval["end"]) == ("2022-02-20", "2022-02-26")  # visible over its whole week
    assert date.fromordinal(data["firstDay"]).isoformat() == "2022-02-20"
    assert date.fromordinal(data["lastDay"]).isoformat() == "2022-02-27"
    line = next(e for e in events if e["id"] == 5)
    assert data["shapes"][line["shape"]]["type"] == "LineString"


def test_region_and_country_events_carry_their_area(index_path):
    from geo.export.mapview import place_area_lookup

    ukraine = make_event(1, geo_precision="country", gazetteer_id="geonames:690791", location="Ukraine")
    also = make_event(2, geo_precision="country", gazetteer_id="geonames:690791", location="Ukraine")
    data = event_payload([ukraine, also], area_of=place_area_lookup(index_path))
    assert [d["shape"] for d in decode_payload(data)] == ["geonames:690791"] * 2
    assert list(data["shapes"]) == ["geonames:690791"]  # once, however many events
    assert data["shapes"]["geonames:690791"]["type"] in ("Polygon", "MultiPolygon")


def test_a_country_only_event_is_its_country_area_with_a_badge_near_the_others(index_path):
    """Russia's label point is in Siberia; with the other events in Ukraine, its badge sits
    inside Russia on the Ukrainian side."""
    from geo.export.mapview import place_area_lookup

    russia = make_event(1, geo_precision="country", gazetteer_id="geonames:2017370", location="Russia",
                        latitude=61.66, longitude=99.07)  # fmt: skip
    ukraine = make_event(2, geo_precision="country", gazetteer_id="geonames:690791", location="Ukraine",
                         latitude=49.0, longitude=32.0)  # fmt: skip
    data = event_payload([russia, ukraine, make_event(3), make_event(4, latitude=50.45, longitude=30.52)],
                         area_of=place_area_lookup(index_path))  # fmt: skip
    by_id = {e["id"]: e for e in decode_payload(data)}
    assert [by_id[i]["area"] is not None for i in (1, 2, 3, 4)] == [True, True, False, False]
    lat, lon = by_id[1]["area"]["lat"], by_id[1]["area"]["lon"]
    assert 45 < lat < 60 and 30 < lon < 45  # western Russia, not Siberia
    area = shapely.geometry.shape(data["shapes"]["geonames:2017370"])
    assert area.contains(shapely.Point(lon, lat))
    assert (by_id[2]["area"]["lat"], by_id[2]["area"]["lon"]) == (49.0, 32.0)  # in Ukraine: its label point
    assert table_rows([russia])[0]["precision"] == "country only"


def test_basemap_and_credits(html):
    data = _payload(html)
    assert len(data["basemap"]["country"]) > 200 and len(data["basemap"]["border"]) > 200
    assert any(c[2] == "Kyiv" for c in data["basemap"]["capital"])
    assert "GeoNames (CC BY 4.0)" in html and "Natural Earth" in html
    assert "tile.openstreetmap.org" in html  # an optional layer, off until chosen


def test_types_have_colours_in_the_legend(html):
    data = _payload(html)
    assert len(data["types"]) == len(data["colours"]) >= 8


def test_export_writes_one_file(index_path, tmp_path):
    path = tmp_path / "map.html"
    size = export_events(
        [make_event(1)], "html", path, ExportOptions(title="A <b>title</b>", index_path=index_path)
    )
    text = path.read_text(encoding="utf-8")
    assert size == path.stat().st_size and text.startswith("<!DOCTYPE html>")
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in text


def test_empty_map(index_path):
    data = event_payload([])
    assert data["firstDay"] is None and data["count"] == 0 and decode_payload(data) == []
    assert "conflictmapStart" in build_map([], index_path=index_path).get_root().render()


def test_template_markup_in_an_article_stays_text(index_path):
    """Folium and streamlit-folium run Jinja over the page: an article must not get in."""
    from geo.export.mapview import safe_json

    quote = "He wrote {{ 7*7 }} and {% if 1 %}yes{% endif %} {# note #}"
    assert json.loads(safe_json({"q": quote}))["q"] == quote
    page = build_map([make_event(1, quote=quote)], index_path=index_path).get_root().render()
    data = json.loads(page.split('id="cm-data">')[1].split("</script>")[0])
    assert decode_payload(data)[0]["quote"] == quote
