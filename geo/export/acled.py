"""Events as ACLED-style rows: CSV out and CSV in.

The CSV uses ACLED's column names where ACLED has the field, so files open in the tools
analysts already use, then our own columns (date interval, geometry, gazetteer id,
location reason, source URL, article id, offsets). ``read_csv`` reads the same columns
back, so ACLED exports can be shown on our map too (only ACLED's columns are needed).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO

from geo.errors import CsvError
from geo.events.record import Event

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "actor2", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
]  # fmt: skip
EXTRA_COLUMNS = ["date_start", "date_end", "geometry", "gazetteer_id", "location_reason", "source_url",
                 "article_id", "offsets", "origin"]  # fmt: skip
COLUMNS = ACLED_COLUMNS + EXTRA_COLUMNS
# ACLED: 1 = day, 2 = within a week, 3 = within a month or vaguer.
TIME_PRECISION = {"day": 1, "reported": 1, "week": 2, "interval": 2, "month": 3, "undated": 3}
# ACLED: 1 = the town itself, 2 = near it or a part of a region, 3 = a larger region.
GEO_PRECISION = {"exact": 1, "near": 2, "border": 3, "river": 3, "region": 3, "country": 3}
# ACLED's codes read back (here and by the importer, ``geo.export.datasets.acled``).
TIME_FROM_ACLED = {"1": "day", "2": "week", "3": "month"}
GEO_FROM_ACLED = {"1": "exact", "2": "near", "3": "region"}
REQUIRED = ("event_date", "event_type", "latitude", "longitude")


def to_rows(events: Iterable[Event]) -> Iterator[dict]:
    for event in events:
        sources = event.sources
        first = sources[0] if sources else {}
        yield {
            "event_id_cnty": f"CM{event.id}",
            "event_date": event.date_start or "",
            "year": event.date_start[:4] if event.date_start else "",
            "time_precision": TIME_PRECISION.get(event.time_precision, 3),
            "event_type": event.event_type,
            "sub_event_type": event.sub_event_type or "",
            "actor1": event.actor1 or "",
            "actor2": event.actor2 or "",
            "country": event.country or "",
            "admin1": event.admin1 or "",
            "location": event.location or "",
            "latitude": event.latitude if event.latitude is not None else "",
            "longitude": event.longitude if event.longitude is not None else "",
            "geo_precision": GEO_PRECISION.get(event.geo_precision or "", 3),
            "source": "; ".join(s["publisher"] or s["title"] or s["article_id"] for s in sources)
            or (event.source or ""),
            "notes": event.notes or "",
            "fatalities": event.fatalities if event.fatalities is not None else 0,
            "date_start": event.date_start or "",
            "date_end": event.date_end or "",
            "geometry": json.dumps(event.geometry) if event.geometry else "",
            "gazetteer_id": event.gazetteer_id or "",
            "location_reason": event.location_reason or "",
            "source_url": "; ".join(s["url"] for s in sources if s["url"]) or (event.source_url or ""),
            "article_id": "; ".join(s["article_id"] for s in sources),
            "offsets": f"{first['start']}-{first['end']}" if first else "",
            "origin": event.origin,
        }


HEADER = ",".join(COLUMNS)  # our export's first line, exactly: its mark (an ACLED download has fewer columns)


def is_export(path: object, head: bytes) -> bool:
    """An earlier CSV export: its first line is exactly our header."""
    return head.split(b"\n", 1)[0].rstrip(b"\r") == HEADER.encode()


def write(events: Iterable[Event], stream: BinaryIO, options: object = None) -> None:
    """The registry's CSV writer: UTF-8, ACLED's columns first."""
    stream.write(write_csv(events).encode("utf-8"))


def write_csv(events: Iterable[Event]) -> str:
    buffer = io.StringIO()
    # Rows end in CRLF (RFC 4180): with "\n" alone, a cell holding a lone carriage return was
    # not quoted, and every reader split the row there.
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in to_rows(events))
    return buffer.getvalue()


# A cell a spreadsheet would run as a formula (=, +, -, @; tab and carriage return too, as
# OWASP's CSV injection advice lists them); a plain number such as -12.5 is left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """``value`` with a ``'`` before it when it is text a spreadsheet would take for a
    formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``); numbers and other text as they are.

    >>> spreadsheet_safe("@SUM(1+1)"), spreadsheet_safe("-12.5"), spreadsheet_safe("Kyiv")
    ("'@SUM(1+1)", '-12.5', 'Kyiv')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_spreadsheet(value: str) -> str:
    """What ``spreadsheet_safe`` was given (reading our own CSV export back)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def read_csv(text: str, *, name: str = "<csv>") -> list[Event]:
    """The events of an ACLED-style CSV; all rows are checked before any is kept (strict: ISO
    dates, the first bad row fails the whole file). ``geo.export.datasets.import_file`` is the
    lenient importer: every generation of ACLED's columns, any date form, bad rows reported."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise CsvError(f"{name} is empty: expected a header row with ACLED columns ({', '.join(REQUIRED)}).")
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        raise CsvError(
            f"{name} lacks the column(s) {', '.join(missing)}; found: {', '.join(reader.fieldnames)}."
        )
    own = is_export(None, ",".join(reader.fieldnames).encode())
    rows = []
    for number, row in enumerate(reader, 2):
        if own:
            row = {k: unescape_spreadsheet(v) if isinstance(v, str) else v for k, v in row.items()}
        try:
            day = date.fromisoformat(row["event_date"].strip()) if row["event_date"].strip() else None
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError as err:
            raise CsvError(
                f"{name}, line {number}: {err} (dates are YYYY-MM-DD, coordinates decimal degrees)."
            ) from err
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CsvError(f"{name}, line {number}: latitude {lat} / longitude {lon} out of range.")
        try:
            start = _iso_day(row.get("date_start")) or (day.isoformat() if day else None)
            end = _iso_day(row.get("date_end")) or start
        except ValueError as err:
            raise CsvError(
                f"{name}, line {number}: date_start/date_end {err} (write them as YYYY-MM-DD)."
            ) from err
        if start and end and end < start:
            raise CsvError(f"{name}, line {number}: date_end {end} is before date_start {start}.")
        toll = (row.get("fatalities") or "").strip()
        if toll.isdecimal() and (len(toll) > 12 or int(toll) > 10**9):
            raise CsvError(f"{name}, line {number}: fatalities {toll[:30]} is not a plausible number of deaths.")
        precision = TIME_FROM_ACLED.get((row.get("time_precision") or "1").strip(), "day")
        try:
            geometry = (
                parse_geometry(row["geometry"])
                if row.get("geometry")
                else {"type": "Point", "coordinates": [lon, lat]}
            )
        except ValueError as err:
            raise CsvError(f"{name}, line {number}: {err}.") from err
        rows.append(Event(**{
            "event_type": row["event_type"].strip(),
            "sub_event_type": row.get("sub_event_type") or None,
            "date_start": start,
            "date_end": end,
            "time_precision": precision if start else "undated",
            "actor1": row.get("actor1") or None,
            "actor2": row.get("actor2") or None,
            "country": row.get("country") or None,
            "admin1": row.get("admin1") or None,
            "location": row.get("location") or None,
            "latitude": lat,
            "longitude": lon,
            "geo_precision": GEO_FROM_ACLED.get((row.get("geo_precision") or "").strip(), "exact"),
            "geometry": geometry,
            "gazetteer_id": row.get("gazetteer_id") or None,
            "location_reason": row.get("location_reason") or "imported",
            "fatalities": int(row["fatalities"]) if (row.get("fatalities") or "").strip().isdecimal() else None,
            "notes": row.get("notes") or None,
            "source": row.get("source") or None,
            "source_url": row.get("source_url") or None,
            "origin": "imported",
        }))  # fmt: skip
    return rows


def parse_geometry(text: str) -> dict:
    """The ``geometry`` column's GeoJSON geometry object; ValueError saying what is wrong."""
    try:
        geometry = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"the geometry is not GeoJSON ({err})") from None
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ValueError("the geometry is not a GeoJSON geometry object")
    return geometry


def _iso_day(value: str | None) -> str | None:
    """A YYYY-MM-DD string checked to be a real day, or None when empty."""
    if not value or not value.strip():
        return None
    return date.fromisoformat(value.strip()).isoformat()
