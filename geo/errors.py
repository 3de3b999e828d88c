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
