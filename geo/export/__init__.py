"""Exports: one registry of formats, listed by the CLI (``export --format``) and the app.

A new format is one module with a ``write(events, stream, options)`` function, registered
below with ``register`` (like ``acled``, ``geojson``, ``geoparquet`` and ``mapview``). Every export is written to a temporary file beside the target and
moved into place, so a failed export never leaves half a file, and a file that is not an
export (the event store, a folder) is never overwritten.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from geo.errors import ExportError
from geo.events.record import Event
from geo.export import acled, geojson, geoparquet, mapview


@dataclass(frozen=True)
class ExportOptions:
    """What every format may use: a title, the gazetteer index (for the map's basemap), and
    a progress callback (one message per step)."""

    title: str | None = None
    index_path: Path | None = None
    progress: Callable[[str], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str
    media_type: str
    description: str
    write: Callable[[Sequence[Event], BinaryIO, ExportOptions], None]
    signature: bytes = b""  # how an earlier export of this format starts (or contains, for html)


FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    FORMATS[fmt.name] = fmt
    return fmt


register(ExportFormat("html", ".html", "text/html", "A map in one HTML file that opens offline", mapview.write_html,
                      mapview.EXPORT_MARK.encode()))  # fmt: skip
register(ExportFormat("csv", ".csv", "text/csv", "ACLED-style CSV (ACLED's columns, then ours)", acled.write,
                      ",".join(acled.COLUMNS[:3]).encode()))  # fmt: skip
register(ExportFormat("geojson", ".geojson", "application/geo+json", "GeoJSON FeatureCollection", geojson.write,
                      b'{"type": "FeatureCollection"'))  # fmt: skip
register(ExportFormat("geoparquet", ".parquet", "application/vnd.apache.parquet",
                      "GeoParquet 1.0 (WKB geometry), for GIS and dataframes", geoparquet.write, b"PAR1"))  # fmt: skip


def get_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name.lower()]
    except KeyError as err:
        raise ExportError(f"Unknown export format {name!r}: choose one of {', '.join(FORMATS)}.") from err


def export_bytes(events: Sequence[Event], format_name: str, options: ExportOptions | None = None) -> bytes:
    """The export as bytes (what the app offers for download)."""
    fmt = get_format(format_name)
    with tempfile.TemporaryFile() as stream:
        fmt.write(events, stream, options or ExportOptions())
        stream.seek(0)
        return stream.read()


def export_events(
    events: Sequence[Event],
    format_name: str,
    path: Path,
    options: ExportOptions | None = None,
    *,
    force: bool = False,
) -> int:
    """Write ``events`` to ``path`` atomically; returns the file's size in bytes. An existing
    file is replaced only if it is an earlier export of this format (or with ``force``);
    a database never."""
    fmt = get_format(format_name)
    path = Path(path)
    _check_target(path, fmt, force)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then moved into place)
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )
    except OSError as err:
        raise ExportError(
            f"Cannot write in {path.parent}: {err.strerror}. Choose a folder you can write to."
        ) from err
    try:
        with handle:
            fmt.write(events, handle, options or ExportOptions())
        os.chmod(handle.name, _mode_for(path))  # a temporary file is private (0600); an export is not
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _check_target(path: Path, fmt: ExportFormat, force: bool) -> None:
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name, such as {path / ('events' + fmt.suffix)}.")
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist: create it first or choose another.")
    if not path.exists():
        return
    if not path.is_file():
        raise ExportError(f"{path} is not a regular file: choose a file name.")
    with path.open("rb") as existing:
        head = existing.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        raise ExportError(
            f"{path} is a database (perhaps the event store or the index): refusing to overwrite it."
        )
    earlier = head.startswith(fmt.signature) or (fmt.name == "html" and fmt.signature in head)
    if head and not earlier and not force:
        raise ExportError(
            f"{path} exists and is not an earlier {fmt.name} export of conflictmap: choose another name, "
            "or add --force to replace it."
        )


__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportOptions",
    "export_bytes",
    "export_events",
    "get_format",
    "register",
]
