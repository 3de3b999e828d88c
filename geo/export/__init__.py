"""Exports: one registry of formats, listed by the CLI (``export --format``) and the app.

A new format is one module with a ``write(events, stream, options)`` function and an
``is_export(path, head)`` test, registered below with ``register`` (like ``acled``,
``geojson``, ``geoparquet`` and ``mapview``). Every export is written to a temporary file
beside the target and moved into place, so a failed export never leaves half a file.

Every export carries a mark of its own (a ``generator`` meta tag in HTML, the exact header
row of our CSV, a ``conflictmap`` member in GeoJSON, a ``conflictmap`` key-value in Parquet's
metadata). An existing file is replaced only when it bears the mark of the format being
written, or with ``force``; a database and anything in the user's data directory (their
places, GeoNames layers, the event store) never, whatever ``force`` says.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from geo import config
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
    # Whether a file (its path and first 4 KiB) is an earlier export of this format: it bears our mark.
    is_export: Callable[[Path, bytes], bool] = lambda path, head: False
    aliases: tuple[str, ...] = ()  # other suffixes that mean this format (.geoparquet)

    @property
    def suffixes(self) -> tuple[str, ...]:
        return (self.suffix, *self.aliases)


FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    FORMATS[fmt.name] = fmt
    return fmt


register(ExportFormat("html", ".html", "text/html", "A map in one HTML file that opens offline", mapview.write_html,
                      mapview.is_export))  # fmt: skip
register(ExportFormat("csv", ".csv", "text/csv", "ACLED-style CSV (ACLED's columns, then ours)", acled.write,
                      acled.is_export))  # fmt: skip
register(ExportFormat("geojson", ".geojson", "application/geo+json", "GeoJSON FeatureCollection", geojson.write,
                      geojson.is_export))  # fmt: skip
register(ExportFormat("geoparquet", ".parquet", "application/vnd.apache.parquet",
                      "GeoParquet 1.0 (WKB geometry), for GIS and dataframes", geoparquet.write,
                      geoparquet.is_export, (".geoparquet",)))  # fmt: skip


def format_for_path(path: Path, default: str = "html") -> str:
    """The format a file name asks for (``events.geoparquet`` -> geoparquet), else ``default``."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.suffixes), default)


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
    data_dir: Path | None = None,
) -> int:
    """Write ``events`` to ``path`` atomically; returns the file's size in bytes. An existing
    file is replaced only if it bears the mark of an earlier export of this format (or with
    ``force``); a database, or any file in ``data_dir`` (default: ``config.data_dir()``), never."""
    fmt = get_format(format_name)
    path = Path(path)
    _check_target(path, fmt, force, Path(data_dir) if data_dir is not None else config.data_dir())
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
    except OSError as err:  # a full disk: the old file stays, the part file goes
        Path(handle.name).unlink(missing_ok=True)
        raise ExportError(
            f"Cannot write {path}: {err.strerror or err}. {'The file there is unchanged; ' if path.exists() else ''}"
            "free some space or choose another folder, and export again."
        ) from err
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


def _check_target(path: Path, fmt: ExportFormat, force: bool, data_dir: Path) -> None:
    if _inside(path, data_dir):
        raise ExportError(
            f"{path} is in your data directory ({data_dir}), which holds your places, GeoNames layers and "
            "events: exports never go there (not even with --force). Choose a file elsewhere."
        )
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
    if head and not force and not fmt.is_export(path, head):
        raise ExportError(
            f"{path} exists and is not an earlier {fmt.name} export of conflictmap (it lacks the mark every "
            "export carries): choose another name, or add --force to replace it."
        )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies in it (links and ``..`` resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symbolic links: not a place we write either
        return True


__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportOptions",
    "export_bytes",
    "export_events",
    "format_for_path",
    "get_format",
    "register",
]
