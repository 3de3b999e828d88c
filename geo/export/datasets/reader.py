"""Opening a file to import: its encoding, its format, its rows, and the converter for them."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from itertools import chain, islice
from pathlib import Path

from geo.errors import CsvError
from geo.events.record import Event
from geo.export.datasets import gdelt
from geo.export.datasets.base import SAMPLE_ROWS, BadRow, Converter, ImportOptions, ImportReport, RawDataset
from geo.export.datasets.columns import Columns, norm
from geo.export.datasets.encoding import detect_encoding
from geo.export.datasets.formats import CONVERTERS, FORMATS, detect_format


class Source:
    """An open file: its rows as ``(where, cells)`` and the function that makes one an event."""

    def __init__(self, handle, size: int) -> None:
        self.handle = handle
        self.size = size  # what progress counts to: bytes, or features of a GeoJSON file
        self.rows: Iterator[tuple[str, list]] = iter(())
        self.convert: Converter = _no_convert
        self.position: Callable[[], int] = lambda: handle.tell() if not handle.closed else self.size

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.close()


def _no_convert(cells: list) -> tuple[str, Event]:
    raise BadRow("no reader for this row")


def open_source(given: Path | RawDataset, options: ImportOptions, report: ImportReport) -> Source:
    """``given`` (a path, or an upload's bytes) open for reading; its format and encoding in ``report``."""
    if options.format is not None and options.format not in FORMATS:
        raise CsvError(f"Unknown import format {options.format!r}: choose one of {', '.join(FORMATS)}.")
    path = report.path
    if isinstance(given, RawDataset):
        size, binary = len(given.data), io.BytesIO(given.data)
    else:
        try:
            size = path.stat().st_size
            binary = path.open("rb")
        except OSError as err:
            raise CsvError(f"Cannot read {path}: {err.strerror or err}.") from err
    source = Source(binary, size)
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
    names = [norm(c) for c in cells]
    headerless_gdelt = gdelt.is_headerless(cells)
    fmt = fmt or detect_format(names, headerless_gdelt)
    report.dataset = fmt
    if fmt == "gdelt":
        if headerless_gdelt or not gdelt.looks_like(set(names)):
            names = [norm(c) for c in gdelt.header_for(cells)]
            rows = chain([first], rows)
        cells = names
    sample = list(islice(rows, SAMPLE_ROWS))
    columns = Columns(str(path), cells, names, sample, options)
    if fmt == "acled" and columns.has("location_reason", "gazetteer_id"):
        report.dataset = "conflictmap"
    source.rows = chain(sample, rows)
    source.convert = CONVERTERS[fmt](columns)
    report.columns = columns.used


def _open_geojson(path, text, options, report, source) -> None:
    try:
        data = json.load(text)
    except json.JSONDecodeError as err:
        raise CsvError(f"{path} is not JSON: {err}. Expected a GeoJSON FeatureCollection.") from err
    except RecursionError as err:  # thousands of nested [ or {: no GeoJSON is so deep
        raise CsvError(f"{path} is nested too deeply to be GeoJSON (thousands of [ or {{ levels).") from err
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
    columns = Columns(str(path), header, [norm(k) for k in header], [(w, c[:-1]) for w, c in sample], options,
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
    source.convert = CONVERTERS["geojson"](columns)
    report.columns = columns.used


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
