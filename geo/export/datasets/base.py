"""What every part of an import shares: the options, the report, a bad row, an upload."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from geo.events.record import Event

BATCH_ROWS = 5000
KEPT_PROBLEMS = 200  # every bad row is counted; this many are kept with their reason
SAMPLE_ROWS = 500  # rows read ahead to find columns by content and the order of day and month

Converter = Callable[[list], tuple[str, Event]]  # a row's cells -> (its key, the event)


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
    # Rows whose id repeats an earlier row's of the same file with other values: each is kept
    # as an event of its own (keyed by its line), and the first ``KEPT_PROBLEMS`` are noted.
    repeated: int = 0
    repeats: list[Problem] = field(default_factory=list)

    def problem_lines(self, limit: int = 20) -> list[str]:
        """The first ``limit`` bad rows, one a line (``line 12: reason``), then how many more."""
        lines = [str(p) for p in self.problems[:limit]]
        if self.bad > len(lines):
            lines.append(f"... and {self.bad - len(lines):,} more bad rows.")
        return lines

    def repeat_lines(self, limit: int = 20) -> list[str]:
        """The first ``limit`` rows whose id repeated an earlier row's, then how many more."""
        lines = [str(p) for p in self.repeats[:limit]]
        if self.repeated > len(lines):
            lines.append(f"... and {self.repeated - len(lines):,} more repeated ids.")
        return lines

    def summary(self) -> str:
        return (f"{self.path} ({self.dataset}, {self.encoding}): {self.added:,} imported, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged or duplicate, {self.bad:,} bad"
                + (f", {self.repeated:,} with a repeated id (kept apart)" if self.repeated else ""))  # fmt: skip


@dataclass(frozen=True)
class RawDataset:
    """A file's bytes and its name (an upload): imported like a file of that name."""

    data: bytes
    name: str


class ImportStore(Protocol):
    """What the importer needs of a store (``geo.store.Store.add_imported_rows``)."""

    def add_imported_rows(self, rows: Sequence[tuple[str, str, Event]]) -> object: ...


Progress = Callable[[int, int, str], None]  # done, total (bytes or features), label


class BadRow(ValueError):
    """A row that cannot be an event (the message says why); the import goes on."""
