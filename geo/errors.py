"""One exception root for conflictmap; leaves are also builtins (like geopy.exc)."""

from __future__ import annotations


class ConflictmapError(Exception):
    """Root of every error conflictmap raises on purpose."""


class InvalidPlaceError(ConflictmapError, ValueError):
    """A place given by a user (name, coordinates, kind, geometry) is not acceptable."""


class AdditionsFileError(ConflictmapError, ValueError):
    """The user additions file, or a file of places to import, cannot be read."""


class IndexBuildError(ConflictmapError, RuntimeError):
    """The gazetteer index could not be built from its sources."""


class PlaceNotFoundError(ConflictmapError, KeyError):
    """No place has the id that was asked for."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class TextError(ConflictmapError, ValueError):
    """A text to geoparse is empty, binary, or too large."""


class EvalFileError(ConflictmapError, ValueError):
    """An annotated evaluation file cannot be read."""


class ArticleError(ConflictmapError, ValueError):
    """An article (file, folder, stdin, JSON Lines record) cannot be read."""


class RulesError(ConflictmapError, ValueError):
    """The event rules file cannot be read."""


class StoreError(ConflictmapError, RuntimeError):
    """The event store cannot be opened or written."""


class CsvError(ConflictmapError, ValueError):
    """A CSV file of events cannot be read."""


class ExportError(ConflictmapError, ValueError):
    """An export cannot be made: unknown format, or a destination that cannot be written."""


class AssetsMissingError(ConflictmapError, FileNotFoundError):
    """The map's scripts (npm packages) are not installed."""


class ClusterError(ConflictmapError, RuntimeError):
    """Parallel ingest cannot start: Dask is missing or the scheduler does not answer."""


class GeoNamesFileError(ConflictmapError, ValueError):
    """A file given as a GeoNames dump (country file, allCountries) cannot be imported."""


class CompareError(ConflictmapError, ValueError):
    """Two sets of events cannot be compared: a set is empty, or the distance or days are out of range."""


class AppAccessError(ConflictmapError, PermissionError):
    """The app would be served in a way that is not safe: open to the network without a mode, a weak password."""
