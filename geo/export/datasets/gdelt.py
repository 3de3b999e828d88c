"""GDELT event exports: 2.0 (tab-separated, 61 columns, no header), the 58-column 1.0 daily
files, and exports with a header row. Keyed by ``GLOBALEVENTID``.

CAMEO root codes become event types this way (the sub-event type keeps the code):
14 protest -> Protests (145 "protest violently, riot" -> Riots); 18 assault -> Violence
against civilians (183 bombings -> Explosions/Remote violence); 19 fight -> Battles (194
artillery and tanks, 195 aerial weapons -> Explosions/Remote violence); 20 unconventional
mass violence -> Violence against civilians; every other root (statements, appeals,
consultations, aid, demands, threats, force posture, coercion...) -> Strategic developments.
"""

from __future__ import annotations

import re

from geo.errors import CsvError
from geo.events.record import Event
from geo.export.datasets.base import BadRow, Converter
from geo.export.datasets.columns import Columns
from geo.export.datasets.dates import parse_day
from geo.export.datasets.values import country_code, point, point_geometry, row_key

GDELT_GEO = {"1": "country", "2": "region", "3": "exact", "4": "exact", "5": "region"}
CAMEO_ROOTS = {
    "01": "Make public statement", "02": "Appeal", "03": "Express intent to cooperate", "04": "Consult",
    "05": "Engage in diplomatic cooperation", "06": "Engage in material cooperation", "07": "Provide aid",
    "08": "Yield", "09": "Investigate", "10": "Demand", "11": "Disapprove", "12": "Reject", "13": "Threaten",
    "14": "Protest", "15": "Exhibit force posture", "16": "Reduce relations", "17": "Coerce", "18": "Assault",
    "19": "Fight", "20": "Use unconventional mass violence",
}  # fmt: skip
CAMEO_TYPES = {"14": "Protests", "18": "Violence against civilians", "19": "Battles",
               "20": "Violence against civilians"}  # fmt: skip
CAMEO_CODE_TYPES = {"145": "Riots", "183": "Explosions/Remote violence", "194": "Explosions/Remote violence",
                    "195": "Explosions/Remote violence"}  # fmt: skip
# GDELT 2.0 columns (1.0 daily files lack the three *_ADM2Code columns).
GDELT_COLUMNS = (  # noqa: SIM905 (the codebook's order, easier to check as one string)
    "GLOBALEVENTID SQLDATE MonthYear Year FractionDate Actor1Code Actor1Name Actor1CountryCode "
    "Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code Actor1Religion2Code Actor1Type1Code "
    "Actor1Type2Code Actor1Type3Code Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode "
    "Actor2EthnicCode Actor2Religion1Code Actor2Religion2Code Actor2Type1Code Actor2Type2Code "
    "Actor2Type3Code IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale "
    "NumMentions NumSources NumArticles AvgTone Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode "
    "Actor1Geo_ADM1Code Actor1Geo_ADM2Code Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID Actor2Geo_Type "
    "Actor2Geo_FullName Actor2Geo_CountryCode Actor2Geo_ADM1Code Actor2Geo_ADM2Code Actor2Geo_Lat "
    "Actor2Geo_Long Actor2Geo_FeatureID ActionGeo_Type ActionGeo_FullName ActionGeo_CountryCode "
    "ActionGeo_ADM1Code ActionGeo_ADM2Code ActionGeo_Lat ActionGeo_Long ActionGeo_FeatureID DATEADDED SOURCEURL"
).split()
GDELT_V1_COLUMNS = [c for c in GDELT_COLUMNS if not c.endswith("_ADM2Code")]


def looks_like(names: set[str]) -> bool:
    """A header row of GDELT's (its names normalised)."""
    return {"globaleventid", "sqldate"} <= names


def is_headerless(cells: list[str]) -> bool:
    """A first row that is GDELT data, not a header: 61 (or 58) fields, an id, a YYYYMMDD day."""
    return len(cells) in (len(GDELT_COLUMNS), len(GDELT_V1_COLUMNS)) and (
        cells[0].isdigit() and re.fullmatch(r"\d{8}", cells[1].strip()) is not None
    )


def header_for(cells: list[str]) -> list[str]:
    """GDELT's column names for a row without a header: 1.0's 58 columns, else 2.0's 61."""
    return GDELT_V1_COLUMNS if len(cells) == len(GDELT_V1_COLUMNS) else GDELT_COLUMNS


def make_converter(columns: Columns) -> Converter:
    """GDELT event rows: who did what to whom, where (ActionGeo), typed by the CAMEO code."""
    at = {name: columns.names.index(name.lower()) for name in (
        "GLOBALEVENTID", "SQLDATE", "Actor1Name", "Actor2Name", "EventCode", "EventRootCode",
        "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_Lat", "ActionGeo_Long",
        "SOURCEURL") if name.lower() in columns.names}  # fmt: skip
    missing = [n for n in ("GLOBALEVENTID", "SQLDATE", "EventRootCode", "ActionGeo_Lat", "ActionGeo_Long")
               if n not in at]  # fmt: skip
    if missing:
        raise CsvError(f"{columns.file} lacks GDELT's column(s) {', '.join(missing)}; found: "
                       f"{', '.join(columns.header)}.")  # fmt: skip
    for role, name in (("id", "GLOBALEVENTID"), ("date", "SQLDATE"), ("lat", "ActionGeo_Lat"),
                       ("lon", "ActionGeo_Long")):  # fmt: skip
        columns.used[role] = name
    minimum = max(at.values()) + 1

    def cell(cells: list, name: str) -> str:
        return cells[at[name]].strip() if name in at else ""

    def convert(cells: list) -> tuple[str, Event]:
        if len(cells) < minimum:
            raise BadRow(f"{len(cells)} fields where GDELT has {columns.width}")
        latitude, longitude = point(cells[at["ActionGeo_Lat"]], cells[at["ActionGeo_Long"]])
        day = parse_day(cell(cells, "SQLDATE"))
        root, code = cell(cells, "EventRootCode").zfill(2), cell(cells, "EventCode")
        event_type = CAMEO_CODE_TYPES.get(code[:3]) or CAMEO_TYPES.get(root, "Strategic developments")
        place = cell(cells, "ActionGeo_FullName")
        parts = [p.strip() for p in place.split(",")]
        actor1, actor2 = cell(cells, "Actor1Name") or None, cell(cells, "Actor2Name") or None
        what = CAMEO_ROOTS.get(root, f"CAMEO {root}")
        event = Event(
            event_type=event_type, sub_event_type=f"CAMEO {code or root}: {what}", date_start=day, date_end=day,
            time_precision="day" if day else "undated", actor1=actor1, actor2=actor2,
            country=country_code(fips=cell(cells, "ActionGeo_CountryCode")),
            admin1=parts[-2] if len(parts) >= 3 else None, location=parts[0] or None,
            latitude=latitude, longitude=longitude,
            geo_precision=GDELT_GEO.get(cell(cells, "ActionGeo_Type"), "near"),
            geometry=point_geometry(latitude, longitude), location_reason="imported",
            notes=" ".join(filter(None, (actor1, what.lower(), actor2, f"in {place}" if place else None))),
            source="GDELT", source_url=cell(cells, "SOURCEURL") or None,
        )  # fmt: skip
        event_id = cell(cells, "GLOBALEVENTID")
        return (f"gdelt:{event_id}" if event_id else row_key("gdelt", cells)), event

    return convert
