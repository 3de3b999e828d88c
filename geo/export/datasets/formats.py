"""The registry of dataset formats. A new format is one module with ``make_converter(columns)``
(and ``looks_like(names)`` if its header can tell it), mentioned here."""

from __future__ import annotations

from collections.abc import Callable

from geo.export.datasets import acled, gdelt, generic, ucdp
from geo.export.datasets.base import Converter
from geo.export.datasets.columns import Columns

# Name -> the function making a converter of a file's rows, once its columns are known.
CONVERTERS: dict[str, Callable[[Columns], Converter]] = {
    "acled": acled.make_converter,
    "ucdp": ucdp.make_converter,
    "gdelt": gdelt.make_converter,
    "csv": generic.make_converter,
    "geojson": generic.make_geojson_converter,
}
FORMATS = tuple(CONVERTERS)
# Which format a CSV header says, asked in this order; "csv" when none does. (GeoJSON is
# told by its first character.)
HEADER_SIGNS: tuple[tuple[str, Callable[[set[str]], bool]], ...] = (
    ("gdelt", gdelt.looks_like),
    ("acled", acled.looks_like),
    ("ucdp", ucdp.looks_like),
)


def detect_format(names: list[str], headerless_gdelt: bool = False) -> str:
    """The format of a CSV with these (normalised) header names."""
    if headerless_gdelt:
        return "gdelt"
    found = set(names)
    return next((name for name, looks_like in HEADER_SIGNS if looks_like(found)), "csv")
