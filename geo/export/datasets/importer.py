"""The import driver: a file's rows, converted, kept in batches, and what happened reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from geo.events.record import Event
from geo.export.datasets.base import (
    KEPT_PROBLEMS,
    BadRow,
    ImportOptions,
    ImportReport,
    ImportStore,
    Problem,
    Progress,
    RawDataset,
)
from geo.export.datasets.reader import open_source
from geo.export.datasets.values import digest, row_text


def import_file(
    path: Path | RawDataset,
    store: ImportStore,
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every good row of ``path`` (a file, or an upload's ``RawDataset``) into
    ``store``, batch by batch; bad rows are reported.

    Raises ``CsvError`` only when the file as a whole cannot be read (missing, no header,
    no coordinates column): then nothing was imported."""
    options = options or ImportOptions()
    report = ImportReport(_path_of(path))
    with open_source(path if isinstance(path, RawDataset) else report.path, options, report) as source:
        origin = f"{report.dataset}:{report.path.name}"
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
            batch.append((key, digest(salt + row_text(cells)), event))
            if len(batch) >= options.batch_rows:
                flush()
        flush()
    return report


def read_events(
    path: Path | RawDataset, options: ImportOptions | None = None
) -> Iterator[tuple[str, Event] | Problem]:
    """Each row of ``path`` as ``(key, event)``, or the ``Problem`` that kept it out (no store)."""
    report = ImportReport(_path_of(path))
    with open_source(
        path if isinstance(path, RawDataset) else report.path, options or ImportOptions(), report
    ) as source:
        for where, cells in source.rows:
            try:
                yield source.convert(cells)
            except BadRow as err:
                yield Problem(where, str(err))


def _path_of(given: Path | RawDataset) -> Path:
    """The path a report names: the file's, or the upload's name (``Path(name).name``: no folders)."""
    return Path(Path(given.name).name or "upload") if isinstance(given, RawDataset) else Path(given)
