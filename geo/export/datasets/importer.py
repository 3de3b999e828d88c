"""The import driver: a file's rows, converted, kept in batches, and what happened reported."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from geo.errors import StoreError
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
from geo.export.datasets.values import digest, is_row_hash, row_text


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
    no coordinates column): then nothing was imported; and ``StoreError`` when the store
    cannot keep a batch (a full disk), saying how many rows were kept before it."""
    options = options or ImportOptions()
    report = ImportReport(_path_of(path))
    with open_source(path if isinstance(path, RawDataset) else report.path, options, report) as source:
        origin = f"{report.dataset}:{report.path.name}"
        # The digest is of the row as written and of how it was read (which column is which):
        # the same row again is unchanged, a revised row or another --date column an update.
        salt = f"{report.dataset}\x1e{sorted(report.columns.items())}\x1e"
        batch: list[tuple[str, str, Event]] = []
        wheres: list[str] = []
        ids = RepeatedIds()

        def flush() -> None:
            if batch:
                try:
                    keep()
                except StoreError as err:  # a full disk, say: this batch is not kept, the earlier ones are
                    raise StoreError(f"{err} {report.path}: {report.added + report.updated + report.unchanged:,} rows were kept "
                                     "before this; running the same import again finishes it.") from err  # fmt: skip
            if progress:
                progress(source.position(), source.size, f"{report.rows:,} rows")

        def keep() -> None:
            if batch:
                for at in ids.repeats(batch):  # kept apart, keyed by their line, and reported
                    key, row_digest, event = batch[at]
                    batch[at] = (f"{key}#{wheres[at]}", row_digest, event)
                    report.repeated += 1
                    if len(report.repeats) < KEPT_PROBLEMS:
                        report.repeats.append(Problem(wheres[at], f"its id {key.split(':', 1)[1]} is also an earlier "
                                                      "row's, with other values: kept as an event of its own"))  # fmt: skip
                done = store.add_imported_rows(batch)
                report.added += done.added
                report.updated += done.updated
                report.unchanged += done.unchanged
                batch.clear()
                wheres.clear()

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
            wheres.append(where)
            if len(batch) >= options.batch_rows:
                flush()
        flush()
    return report


class RepeatedIds:
    """Which rows of a file repeat the id of an earlier row of the same file with other
    values (a row repeated as it is, is a duplicate: the store counts it unchanged).

    Remembers a 64-bit hash of each id and of its row, sorted in two NumPy arrays: 16 bytes
    a row, 16 MB for a million rows."""

    def __init__(self) -> None:
        self.keys = np.empty(0, np.int64)
        self.digests = np.empty(0, np.int64)

    def repeats(self, batch: Sequence[tuple[str, str, Event]]) -> list[int]:
        """The positions in ``batch`` (the file's next rows) of the rows to keep apart."""
        positions = [at for at, (key, _, _) in enumerate(batch) if not is_row_hash(key)]
        if not positions:
            return []
        keys = np.array([hash(batch[at][0]) for at in positions], np.int64)
        digests = np.array([hash(batch[at][1]) for at in positions], np.int64)
        where = np.minimum(np.searchsorted(self.keys, keys), max(len(self.keys) - 1, 0))
        earlier = (self.keys[where] == keys) if len(self.keys) else np.zeros(len(keys), bool)
        first: dict[int, int] = {}  # this batch's first rows: id hash -> row hash
        repeated = []
        for n, at in enumerate(positions):
            key, row = int(keys[n]), int(digests[n])
            seen = int(self.digests[where[n]]) if earlier[n] else first.get(key)
            if seen is None:
                first[key] = row
            elif seen != row:
                repeated.append(at)
        if first:  # merged in order (a copy, not a sort of everything: a million rows stay fast)
            keys = np.fromiter(first, np.int64, len(first))
            digests = np.fromiter(first.values(), np.int64, len(first))
            order = np.argsort(keys)
            at = np.searchsorted(self.keys, keys[order])
            self.keys, self.digests = np.insert(self.keys, at, keys[order]), np.insert(self.digests, at, digests[order])
        return repeated


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
