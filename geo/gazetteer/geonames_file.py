"""GeoNames dump files (a country file such as UA.txt, or allCountries.txt): read, check,
and turn into ``SourcePlace`` records ranked like the built-in GeoNames places.

The format (https://download.geonames.org/export/dump/readme.txt): UTF-8, no header, one
place a line, 19 tab-separated columns: geonameid, name, asciiname, alternatenames
(comma-separated), latitude, longitude, feature class, feature code, country code, cc2,
admin1 code, admin2, admin3, admin4, population, elevation, dem, timezone, modification
date. The file may come as downloaded (UA.zip), gzipped, or plain.

>>> columns = ["703448", "Kyiv", "Kyiv", "Kiev,Київ", "50.45", "30.52", "P", "PPLC", "UA",
...            "", "12", "", "", "", "2797553", "", "187", "Europe/Kyiv", "2024-01-01"]
>>> row = parse_line("\\t".join(columns), 1)
>>> place = to_source_place(row, "UA")
>>> place.kind, place.id, sorted(place.names)
('capital', 'geonames:703448', ['kiev', 'kyiv', 'киів'])
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from geo.errors import GeoNamesFileError
from geo.gazetteer.names import feature_variants
from geo.gazetteer.place import ALTERNATE, CODE, PRIMARY
from geo.gazetteer.sources import CODE_RE, SourcePlace

COLUMNS = 19
SOURCE = "geonames"  # the built-in GeoNames places' source: ranked alike, not as user places
FORMAT_HINT = "is this the file from the GeoNames export dump (e.g. UA.txt)?"
MAX_NAME_LENGTH = 200
REPORTED_BAD_LINES = 5
_HAS_LETTER = re.compile(r"[^\W\d_]")

# Feature class -> {feature code: (kind, importance)}, with "" as the class's default.
# Importance sits below the built-in layers of the same kind (Natural Earth rivers,
# regions, lakes), so a country file's point for the Dnipro never outranks the river's line.
# fmt: off
FEATURES: dict[str, dict[str, tuple[str, float]]] = {
    "A": {"ADM1": ("region", 0.55), "ADM1H": ("region", 0.5), "ADM2": ("district", 0.45),
          "ADM2H": ("district", 0.4), "ADM3": ("district", 0.35), "ADM4": ("district", 0.3),
          "ADM5": ("district", 0.3), "ADMD": ("district", 0.3), "PCLI": ("country", 0.85),
          "PCLD": ("country", 0.85), "PCLF": ("country", 0.85), "PCLS": ("country", 0.85),
          "PCLIX": ("region", 0.5), "": ("physical_region", 0.3)},
    "H": {"STM": ("river", 0.3), "STMI": ("river", 0.2), "STMS": ("river", 0.3),
          "STMX": ("river", 0.2), "STMA": ("river", 0.2), "STMB": ("river", 0.2),
          "STMD": ("river", 0.2), "STMM": ("river", 0.2), "STMH": ("river", 0.2),
          "STMQ": ("river", 0.15), "STMSB": ("river", 0.2), "CNL": ("river", 0.25),
          "CNLA": ("river", 0.2), "CNLD": ("river", 0.2), "CNLI": ("river", 0.2),
          "CNLN": ("river", 0.2), "CNLQ": ("river", 0.15), "CNLSB": ("river", 0.2),
          "CNLX": ("river", 0.2), "LK": ("lake", 0.3), "LKS": ("lake", 0.25),
          "LKN": ("lake", 0.2), "LKI": ("lake", 0.2), "LKO": ("lake", 0.2),
          "LKC": ("lake", 0.2), "LKSB": ("lake", 0.2), "RSV": ("lake", 0.3),
          "RSVT": ("lake", 0.2), "PND": ("lake", 0.15), "PNDS": ("lake", 0.15),
          "LGN": ("sea", 0.3), "SEA": ("sea", 0.4), "BAY": ("sea", 0.3), "BAYS": ("sea", 0.3),
          "GULF": ("sea", 0.35), "STRT": ("sea", 0.35), "COVE": ("sea", 0.2),
          "INLT": ("sea", 0.2), "SD": ("sea", 0.3), "CHN": ("sea", 0.2), "ESTY": ("sea", 0.25),
          "": ("site", 0.15)},
    "L": {"MILB": ("base", 0.3), "PRT": ("port", 0.3), "PORT": ("port", 0.3),
          "RGN": ("physical_region", 0.3), "RGNE": ("physical_region", 0.3),
          "AREA": ("physical_region", 0.25), "ZN": ("physical_region", 0.2),
          "": ("site", 0.15)},
    "P": {"PPLC": ("capital", 0.0), "PPLX": ("neighbourhood", 0.0), "PPLH": ("settlement", 0.1),
          "PPLQ": ("settlement", 0.1), "PPLW": ("settlement", 0.1), "PPLCH": ("settlement", 0.1),
          "": ("village", 0.0)},  # 0.0: importance from the population, as for cities500
    "R": {"": ("road", 0.15)},
    "S": {"AIRP": ("airport", 0.35), "AIRF": ("airport", 0.25), "AIRH": ("airport", 0.2),
          "AIRB": ("base", 0.3), "INSM": ("base", 0.3), "BRKS": ("base", 0.25),
          "MILB": ("base", 0.3), "BDG": ("bridge", 0.25), "BDGQ": ("bridge", 0.2),
          "DAM": ("dam", 0.3), "DAMQ": ("dam", 0.2), "RSTN": ("railway_station", 0.25),
          "RSTP": ("railway_station", 0.2), "RYD": ("railway_station", 0.2),
          "PS": ("power_plant", 0.3), "PSH": ("power_plant", 0.3), "PSN": ("power_plant", 0.35),
          "PRT": ("port", 0.3), "PSTB": ("checkpoint", 0.25), "CSTM": ("checkpoint", 0.25),
          "BLDG": ("building", 0.2), "HSP": ("building", 0.2), "SCH": ("building", 0.15),
          "UNIV": ("building", 0.2), "CH": ("building", 0.15), "MSQE": ("building", 0.15),
          "MUS": ("building", 0.15), "HTL": ("building", 0.15), "STDM": ("building", 0.2),
          "": ("facility", 0.2)},
    "T": {"MT": ("mountain", 0.25), "MTS": ("mountain", 0.25), "HLL": ("mountain", 0.2),
          "HLLS": ("mountain", 0.2), "PK": ("mountain", 0.25), "PKS": ("mountain", 0.25),
          "RDGE": ("mountain", 0.2), "UPLD": ("mountain", 0.2), "VLC": ("mountain", 0.25),
          "ISL": ("island", 0.25), "ISLS": ("island", 0.25), "ISLT": ("island", 0.2),
          "ISLET": ("island", 0.2), "ISLF": ("island", 0.2), "ISLM": ("island", 0.2),
          "PEN": ("physical_region", 0.25), "CAPE": ("physical_region", 0.2),
          "PLN": ("physical_region", 0.2), "VAL": ("physical_region", 0.2),
          "": ("site", 0.15)},
    "U": {"": ("site", 0.1)},
    "V": {"FRST": ("physical_region", 0.15), "": ("site", 0.1)},
    "": {"": ("site", 0.1)},
}
VARIANT_WORDS = {"river": ("river", "r"), "lake": ("lake",), "mountain": ("mount", "mt")}
# fmt: on


@dataclass(frozen=True)
class GeoNamesRow:
    """One checked line of a dump, with the columns conflictmap uses."""

    geonameid: int
    name: str
    asciiname: str
    alternatenames: tuple[str, ...]
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country: str | None
    population: int
    line: str  # the line as read, kept for the layer's copy


@dataclass
class DumpStats:
    """What reading a dump found: good rows, and the bad lines (the first few described)."""

    rows: int = 0
    bad: int = 0
    bad_lines: list[str] = field(default_factory=list)

    def note_bad(self, message: str) -> None:
        self.bad += 1
        if len(self.bad_lines) < REPORTED_BAD_LINES:
            self.bad_lines.append(message)


class BadLine(ValueError):
    """One line that is not a GeoNames row (the message names the line and the problem)."""


def parse_line(line: str, number: int) -> GeoNamesRow:
    """Check one line of a dump; raises ``BadLine`` saying what is wrong with it."""
    parts = line.split("\t")
    if len(parts) != COLUMNS:
        plural = "" if len(parts) == 1 else "s"
        raise BadLine(
            f"line {number} has {len(parts)} tab-separated column{plural}; a GeoNames dump line has {COLUMNS}"
        )
    try:
        geonameid = int(parts[0])
    except ValueError:
        raise BadLine(f"line {number}: the geonameid {parts[0][:30]!r} is not a whole number") from None
    name = " ".join(parts[1].split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise BadLine(f"line {number}: the name is empty or longer than {MAX_NAME_LENGTH} characters")
    lat, lon = _coordinate(parts[4], "latitude", 90, number), _coordinate(parts[5], "longitude", 180, number)
    feature_class = parts[6].strip()
    if feature_class not in FEATURES:
        raise BadLine(
            f"line {number}: unknown feature class {feature_class[:10]!r}; expected one of A, H, L, P, R, S, T, U, V"
        )
    try:
        population = int(parts[14] or 0)
    except ValueError:
        raise BadLine(f"line {number}: the population {parts[14][:30]!r} is not a whole number") from None
    alternates = tuple(a for a in parts[3].split(",") if a) if parts[3] else ()
    return GeoNamesRow(
        geonameid=geonameid, name=name, asciiname=parts[2], alternatenames=alternates, lat=lat, lon=lon,
        feature_class=feature_class, feature_code=parts[7].strip(),
        country=parts[8].strip().upper() or None, population=max(population, 0), line=line,
    )  # fmt: skip


def _coordinate(text: str, what: str, limit: float, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadLine(f"line {number}: the {what} {text[:30]!r} is not a number") from None
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise BadLine(f"line {number}: the {what} {value:g} is out of range (-{limit:g} to {limit:g})")
    return value


def kind_of(row: GeoNamesRow) -> tuple[str, float]:
    """The place kind and importance of a row, the way the built-in cities500 places get
    theirs: a populated place is a city, town or village by its population."""
    codes = FEATURES[row.feature_class]
    kind, importance = codes.get(row.feature_code) or codes[""]
    if row.feature_class == "P" and importance == 0.0:
        importance = min(0.92, math.log10(row.population + 10) / 8)
        if kind == "capital":
            importance = min(0.95, importance + 0.08)
        elif kind == "village":
            kind = "city" if row.population >= 100_000 else "town" if row.population >= 10_000 else "village"
    return kind, importance


def to_source_place(row: GeoNamesRow, layer: str) -> SourcePlace:
    """The row as a place for the index, with every alternate name (in any script)."""
    kind, importance = kind_of(row)
    place = SourcePlace(
        id=f"geonames:{row.geonameid}", name=row.name, kind=kind, country=row.country,
        importance=importance, source=SOURCE, lat=row.lat, lon=row.lon,
        population=row.population or None, countries=(row.country,) if kind == "country" and row.country else (),
        extra={"feature": f"{row.feature_class}.{row.feature_code}", "layer": layer},
    )  # fmt: skip
    place.add_name(row.name, PRIMARY)
    place.add_name(row.asciiname, ALTERNATE)
    for alt in row.alternatenames:
        if len(alt) <= MAX_NAME_LENGTH and _HAS_LETTER.search(alt):  # no postcodes
            place.add_name(alt, CODE if CODE_RE.match(alt) and alt != row.name else ALTERNATE)
    words = VARIANT_WORDS.get(kind)
    if words:
        for base in {row.name, row.asciiname}:
            if base and base.isascii():
                place.add_names(feature_variants(base, words), ALTERNATE)
    return place


# -- reading files ------------------------------------------------------------------------------


def open_dump(data: BinaryIO, name: str) -> BinaryIO:
    """The dump's bytes from a file as downloaded: a zip (UA.zip holds UA.txt and a
    readme), gzip, or plain text. Raises GeoNamesFileError for a zip without a dump."""
    head = data.read(4)
    data.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(data)
        except zipfile.BadZipFile as err:
            raise GeoNamesFileError(f"{name} is not a readable zip file ({err}).") from err
        members = [m for m in archive.namelist() if m.endswith(".txt") and "readme" not in m.lower()]
        if len(members) != 1:
            raise GeoNamesFileError(
                f"{name} holds {len(members)} .txt files besides a readme ({', '.join(members[:5]) or 'none'}); "
                "a GeoNames dump zip (e.g. UA.zip) holds one. Unzip it and give the .txt file."
            )
        return archive.open(members[0])
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=data)  # type: ignore[return-value]
    return data


def read_rows(data: BinaryIO, name: str, stats: DumpStats) -> Iterator[GeoNamesRow]:
    """The good rows of a dump, streamed; bad lines are counted in ``stats`` and skipped.

    Raises GeoNamesFileError when the file is not a dump at all: its first line is not a
    GeoNames row, or it has no good row, or more bad lines than good ones.
    """
    first = True
    try:
        for number, raw in enumerate(_bounded_lines(open_dump(data, name), name), 1):
            if not raw.strip() or raw.startswith(b"#"):
                continue
            try:
                text = _decode(raw, number)
                row = parse_line(text.lstrip("\ufeff") if number == 1 else text, number)
            except BadLine as err:
                if first:
                    raise GeoNamesFileError(f"{name}: {err} — {FORMAT_HINT}") from None
                stats.note_bad(str(err))
                continue
            first = False
            stats.rows += 1
            yield row
    except (OSError, EOFError, zipfile.BadZipFile) as err:  # a truncated download
        raise GeoNamesFileError(f"{name} cannot be read to the end ({err}): download it again.") from err
    if stats.rows == 0:
        raise GeoNamesFileError(f"{name} has no GeoNames rows — {FORMAT_HINT}")
    if stats.bad > stats.rows:
        raise GeoNamesFileError(
            f"{name}: {stats.bad} of {stats.bad + stats.rows} lines are not GeoNames rows, the first: "
            f"{stats.bad_lines[0]} — {FORMAT_HINT}"
        )


MAX_LINE = 2**20  # bytes: a GeoNames row is a few kB even with every alternate name


def _bounded_lines(stream: BinaryIO, name: str) -> Iterator[bytes]:
    """The stream's lines, each read with a limit: a zip of 300 KB can hold one line of
    300 MB, and iterating over it would hold all of it in memory before it is refused."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE:
            raise GeoNamesFileError(
                f"{name}: line {number} is longer than {MAX_LINE // 2**20} MB, which no GeoNames row is — "
                f"{FORMAT_HINT}"
            )
        yield raw


def _decode(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise BadLine(f"line {number} is not UTF-8 text ({err.reason} at byte {err.start})") from None


def layer_places(path: Path, layer: str | None = None) -> Iterator[SourcePlace]:
    """Every place of a stored layer (a gzipped dump in the layers folder)."""
    layer = layer or layer_name(path.name)
    with open(path, "rb") as fh:
        for row in read_rows(fh, path.name, DumpStats()):
            yield to_source_place(row, layer)


def layer_name(file_name: str) -> str:
    """The layer a file makes: "UA.txt", "UA.zip" or "UA.txt.gz" -> "UA"."""
    stem = Path(file_name).name
    for suffix in (".gz", ".zip", ".txt", ".tsv"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")
    return slug[:60] or "geonames"


def check_layer_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}", name or ""):
        raise GeoNamesFileError(
            f"Invalid layer name {name!r}: use letters, digits, - and _ (up to 60), e.g. UA or UA-2025."
        )
    return name


def as_stream(data: bytes) -> BinaryIO:
    """Bytes in memory (an upload) as the binary file ``read_rows`` reads."""
    return io.BytesIO(data)
