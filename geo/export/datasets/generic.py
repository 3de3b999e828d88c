"""Any table of geolocated incidents: a CSV (keyed by a hash of the row) or a GeoJSON
FeatureCollection's features (keyed by the file's name and the feature's ``id``, else a
hash of the feature). A GeoJSON ``id`` is only unique within its file (QGIS numbers every
layer's features 1, 2, 3...), so two files with ``id = 1`` are two events."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from shapely.geometry import shape

from geo.events.record import Event
from geo.export.acled import GEO_FROM_ACLED as ACLED_GEO
from geo.export.datasets.base import BadRow, Converter
from geo.export.datasets.columns import Columns, check_width, getter
from geo.export.datasets.dates import parse_day
from geo.export.datasets.values import count, country_code, point, point_geometry, row_key
from geo.gazetteer.place import point_inside

KNOWN_TYPES = {t.lower(): t for t in ("Battles", "Explosions/Remote violence", "Violence against civilians",
                                      "Protests", "Riots", "Strategic developments", "Diplomacy",
                                      "Displacement")}  # fmt: skip
GENERIC_TYPE = "Other"


def make_converter(columns: Columns, dataset: str = "csv") -> Converter:
    """Rows of any table of geolocated incidents (a CSV, or GeoJSON features' properties)."""
    geometry_column = columns.geometry
    if geometry_column:  # GeoJSON: the geometry, else latitude/longitude properties
        lat, lon = columns.find("lat"), columns.find("lon")
    else:
        lat, lon = columns.require("lat"), columns.require("lon")
    date_at = columns.find("date")
    if date_at is None:
        date_at = columns.by_content("date")
    text_at = columns.find("text")
    if text_at is None:
        text_at = columns.by_content("text")
    get = {role: getter(columns, role) for role in (
        "id", "date_end", "type", "sub_type", "location", "admin1", "country", "fatalities", "actor1",
        "actor2", "source", "url", "geo_precision")}  # fmt: skip
    day_first = columns.day_first
    file_name = Path(columns.file).name

    def cell(cells: list, index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def convert(cells: list) -> tuple[str, Event]:
        geometry = None
        if geometry_column:
            feature = cells[-1]
            cells = cells[:-1]
            geometry, latitude, longitude = _feature_place(feature, cell(cells, lat), cell(cells, lon))
        else:
            check_width(columns, cells)
            latitude, longitude = point(cells[lat], cells[lon])
        start = parse_day(cell(cells, date_at), day_first)
        end = parse_day(get["date_end"](cells), day_first) or start
        if start and end and end < start:
            raise BadRow(f"the end date {end} is before the start {start}")
        kind = get["type"](cells).strip()
        precision = get["geo_precision"](cells).strip().lower()
        event = Event(
            event_type=KNOWN_TYPES.get(kind.lower(), kind) or GENERIC_TYPE,
            sub_event_type=get["sub_type"](cells).strip() or None, date_start=start, date_end=end,
            time_precision=("day" if start == end else "interval") if start else "undated",
            actor1=get["actor1"](cells).strip() or None, actor2=get["actor2"](cells).strip() or None,
            country=_any_country(get["country"](cells)),
            admin1=get["admin1"](cells).strip() or None, location=get["location"](cells).strip() or None,
            latitude=latitude, longitude=longitude,
            geo_precision=ACLED_GEO.get(precision) or (precision if precision in _PRECISIONS else "exact"),
            geometry=geometry or point_geometry(latitude, longitude), location_reason="imported",
            fatalities=count(get["fatalities"](cells)), notes=cell(cells, text_at).strip() or None,
            source=get["source"](cells).strip() or None, source_url=get["url"](cells).strip() or None,
        )  # fmt: skip
        event_id = get["id"](cells).strip()
        key = geojson_key(file_name, event_id) if event_id and dataset == "geojson" else None
        return key or row_key(dataset, [*cells, geometry] if geometry_column else cells), event

    return convert


def geojson_key(file_name: str, feature_id: str) -> str:
    """The key of a GeoJSON feature with an id: the id counts only within its file."""
    return f"geojson@{file_name}:{feature_id}"


_PRECISIONS = ("exact", "near", "region", "border", "river", "country")


def _any_country(value: str) -> str | None:
    """A country written as a name or an ISO code (UA, UKR, 804)."""
    value = value.strip()
    return country_code(value, value if len(value) <= 3 else "")


def _feature_place(feature: object, lat_text: str, lon_text: str) -> tuple[dict | None, float, float]:
    """A GeoJSON feature's geometry and the point to show it at (a line or area's
    representative point), or the latitude/longitude properties when it has no geometry."""
    if not isinstance(feature, dict):
        raise BadRow("not a GeoJSON feature (an object with a geometry)")
    geometry = feature.get("geometry")
    if geometry is None:
        if lat_text.strip() or lon_text.strip():
            latitude, longitude = point(lat_text, lon_text)
            return None, latitude, longitude
        raise BadRow("no geometry and no latitude/longitude properties")
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise BadRow("the geometry is not a GeoJSON geometry object")
    if geometry["type"] == "Point":
        try:
            lon, lat = geometry["coordinates"][:2]
        except (KeyError, TypeError, ValueError):
            raise BadRow("the Point has no [longitude, latitude] coordinates") from None
        latitude, longitude = point(str(lat), str(lon))
        return geometry, latitude, longitude
    try:
        inside = point_inside(shape(geometry))
    except Exception as err:  # shapely raises several kinds for malformed coordinates
        raise BadRow(f"the {geometry['type']} geometry cannot be read ({err})") from None
    if inside.is_empty:
        raise BadRow(f"the {geometry['type']} geometry is empty")
    latitude, longitude = point(str(inside.y), str(inside.x))
    return geometry, latitude, longitude


make_geojson_converter = partial(make_converter, dataset="geojson")
