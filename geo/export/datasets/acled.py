"""ACLED, every generation of its columns (legacy upper case, 2020, today's), and our own
CSV export. Keyed by ``event_id_cnty``."""

from __future__ import annotations

from geo.errors import CsvError
from geo.events.record import Event
from geo.export.acled import GEO_FROM_ACLED as ACLED_GEO
from geo.export.acled import TIME_FROM_ACLED as ACLED_TIME
from geo.export.acled import parse_geometry, unescape_spreadsheet
from geo.export.datasets.base import BadRow, Converter
from geo.export.datasets.columns import Columns, check_width, index_of
from geo.export.datasets.dates import parse_day
from geo.export.datasets.values import count, country_code, point, row_key

# ACLED's types before 2019, as today's (the old name stays as the sub-event type).
ACLED_LEGACY_TYPES = {
    "riots/protests": "Protests", "battle-no change of territory": "Battles",
    "battle-government regains territory": "Battles", "battle-non-state actor overtakes territory": "Battles",
    "remote violence": "Explosions/Remote violence", "strategic development": "Strategic developments",
    "non-violent transfer of territory": "Strategic developments",
    "headquarters or base established": "Strategic developments",
}  # fmt: skip


def looks_like(names: set[str]) -> bool:
    """A header row of ACLED's, of any generation (its names normalised)."""
    return "event_id_cnty" in names or {"event_date", "event_type"} <= names


def make_converter(columns: Columns) -> Converter:
    """ACLED rows of any generation (and our own CSV export, which adds columns)."""
    missing = [
        n for n, role in (("latitude", "lat"), ("longitude", "lon")) if columns.find(role, (n,)) is None
    ]
    if missing:
        raise CsvError(f"{columns.file} lacks the column(s) {', '.join(missing)}; found: "
                       f"{', '.join(columns.header)}. Name them with --lat COLUMN --lon COLUMN.")  # fmt: skip
    lat, lon = columns.index["lat"], columns.index["lon"]
    # Each role's column, or -1: the empty cell appended to every row (the fast path for a
    # million rows: one index per field, no call).
    at = {role: index_of(columns, role, names) for role, names in {
        "id": ("event_id_cnty",), "date": ("event_date",), "type": ("event_type",),
        "sub_type": ("sub_event_type",), "actor1": ("actor1",), "actor2": ("actor2",), "iso": ("iso",),
        "iso3": ("iso3",), "country": ("country",), "admin1": ("admin1",), "location": ("location",),
        "geo_precision": ("geo_precision",), "time_precision": ("time_precision",), "source": ("source",),
        "text": ("notes",), "fatalities": ("fatalities",), "date_start": ("date_start",),
        "date_end": ("date_end",), "geometry": ("geometry",), "gazetteer_id": ("gazetteer_id",),
        "location_reason": ("location_reason",), "url": ("source_url",),
    }.items()}  # fmt: skip
    (id_at, date_at, type_at, sub_at, actor1_at, actor2_at, iso_at, iso3_at, country_at, admin1_at,
     location_at, geo_at, time_at, source_at, text_at, fatalities_at, start_at, end_at, geometry_at,
     gazetteer_at, reason_at, url_at) = at.values()  # fmt: skip
    own = columns.has("location_reason", "gazetteer_id")  # our export: CM ids are per store, not global
    day_first = columns.day_first
    width = columns.width

    def convert(cells: list) -> tuple[str, Event]:
        if len(cells) != width:
            check_width(columns, cells)
        row = [*map(unescape_spreadsheet, cells), ""] if own else [*cells, ""]
        latitude, longitude = point(row[lat], row[lon])
        start = parse_day(row[start_at], day_first) or parse_day(row[date_at], day_first)
        end = parse_day(row[end_at], day_first) or start
        if start and end and end < start:
            raise BadRow(f"date_end {end} is before date_start {start}")
        event_type = row[type_at].strip()
        if not event_type:
            raise BadRow("no event_type")
        sub_type = row[sub_at].strip() or None
        if event_type.lower() in ACLED_LEGACY_TYPES:
            event_type, sub_type = ACLED_LEGACY_TYPES[event_type.lower()], sub_type or event_type
        geometry = _geometry_cell(row[geometry_at]) if row[geometry_at] else None
        event_id = row[id_at].strip()
        event = Event(
            event_type=event_type, sub_event_type=sub_type, date_start=start, date_end=end,
            time_precision=ACLED_TIME.get(row[time_at].strip(), "day") if start else "undated",
            actor1=row[actor1_at].strip() or None, actor2=row[actor2_at].strip() or None,
            country=country_code(row[country_at], row[iso3_at] or row[iso_at]),
            admin1=row[admin1_at].strip() or None, location=row[location_at].strip() or None,
            latitude=latitude, longitude=longitude,
            geo_precision=ACLED_GEO.get(row[geo_at].strip(), "exact"),
            geometry=geometry or {"type": "Point", "coordinates": [longitude, latitude]},
            gazetteer_id=row[gazetteer_at].strip() or None,
            location_reason=row[reason_at].strip() or "imported",
            fatalities=count(row[fatalities_at]), notes=row[text_at] or None,
            source=row[source_at].strip() or None, source_url=row[url_at].strip() or None,
        )  # fmt: skip
        key = row_key("conflictmap", cells) if own or not event_id else f"acled:{event_id}"
        return key, event

    return convert


def _geometry_cell(text: str) -> dict | None:
    if not text.strip():
        return None
    try:
        return parse_geometry(text)
    except ValueError as err:
        raise BadRow(str(err)) from None
