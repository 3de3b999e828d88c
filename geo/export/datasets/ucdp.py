"""UCDP's Georeferenced Event Dataset (GED) CSV. Keyed by ``id``."""

from __future__ import annotations

from geo.events.record import Event
from geo.export.datasets.base import BadRow, Converter
from geo.export.datasets.columns import Columns, check_width, getter
from geo.export.datasets.dates import parse_day
from geo.export.datasets.values import count, country_code, point, point_geometry, row_key

# UCDP GED codebook: where_prec 1 exact place .. 7 international waters or airspace;
# date_prec 1 exact day, 2 within 2-6 days, 3 the week, 4 the month, 5 longer.
UCDP_GEO = {"1": "exact", "2": "near", "3": "region", "4": "region", "5": "region", "6": "country",
            "7": "region"}  # fmt: skip
UCDP_TIME = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "interval"}
UCDP_TYPES = {"1": ("Battles", "State-based conflict"), "2": ("Battles", "Non-state conflict"),
              "3": ("Violence against civilians", "One-sided violence")}  # fmt: skip
# GDELT ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.


def looks_like(names: set[str]) -> bool:
    """A header row of UCDP GED's (its names normalised)."""
    return {"date_start", "type_of_violence"} <= names or {"where_prec", "side_a"} <= names


def make_converter(columns: Columns) -> Converter:
    """UCDP GED rows: one-sided, state-based and non-state violence with best-estimate deaths."""
    lat, lon = columns.require("lat", dataset="UCDP"), columns.require("lon", dataset="UCDP")
    get = {role: getter(columns, role, names) for role, names in {
        "id": ("id",), "date": ("date_start",), "date_end": ("date_end",), "date_prec": ("date_prec",),
        "where_prec": ("where_prec",), "violence": ("type_of_violence",), "actor1": ("side_a",),
        "actor2": ("side_b",), "fatalities": ("best",), "source": ("source_original", "source_office"),
        "text": ("source_headline", "dyad_name", "conflict_name"), "article": ("source_article",),
        "country": ("country",), "admin1": ("adm_1",), "location": ("where_coordinates", "where_description"),
    }.items()}  # fmt: skip
    day_first = columns.day_first

    def convert(cells: list) -> tuple[str, Event]:
        check_width(columns, cells)
        latitude, longitude = point(cells[lat], cells[lon])
        start = parse_day(get["date"](cells), day_first)
        end = parse_day(get["date_end"](cells), day_first) or start
        if start and end and end < start:
            raise BadRow(f"date_end {end} is before date_start {start}")
        violence = get["violence"](cells).strip()
        if violence not in UCDP_TYPES:
            raise BadRow(f"type_of_violence {violence!r} is not 1, 2 or 3")
        event_type, sub_type = UCDP_TYPES[violence]
        precision = UCDP_TIME.get(get["date_prec"](cells).strip()) or ("day" if start == end else "interval")
        notes = get["text"](cells).strip() or None
        article = get["article"](cells).strip()
        event = Event(
            event_type=event_type, sub_event_type=sub_type, date_start=start, date_end=end,
            time_precision=precision if start else "undated", actor1=get["actor1"](cells).strip() or None,
            actor2=get["actor2"](cells).strip() or None, country=country_code(get["country"](cells)),
            admin1=_before_paren(get["admin1"](cells)), location=_before_paren(get["location"](cells)),
            latitude=latitude, longitude=longitude,
            geo_precision=UCDP_GEO.get(get["where_prec"](cells).strip(), "exact"),
            geometry=point_geometry(latitude, longitude), location_reason="imported",
            fatalities=count(get["fatalities"](cells)),
            notes=f"{notes} ({article})" if notes and article else notes or article or None,
            source=get["source"](cells).strip() or None,
        )  # fmt: skip
        event_id = get["id"](cells).strip()
        return (f"ucdp:{event_id}" if event_id else row_key("ucdp", cells)), event

    return convert


def _before_paren(text: str) -> str | None:
    """UCDP writes 'Aleppo governorate' or 'Kabul town (Kabul)': the name, before any bracket."""
    return text.split("(")[0].strip() or None
