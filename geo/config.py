"""Where conflictmap keeps its data, in one place.

- Data that ships with the project (Natural Earth layers, name tables, event rules) is
  under ``gazetteer/`` in a checkout and ``geo/data/`` in a wheel (``shipped``).
- User data (gazetteer additions, imported GeoNames layers in ``geonames_layers/``) lives
  in the *data directory*:
  ``$CONFLICTMAP_DATA_DIR`` if set, else the checkout's ``gazetteer/`` folder when
  running from a source checkout, else ``~/.local/share/conflictmap``.
- The gazetteer index (a SQLite file built from the sources) lives at
  ``$CONFLICTMAP_INDEX`` if set, else ``$XDG_CACHE_HOME/conflictmap/gazetteer.sqlite``
  (``~/.cache/conflictmap/gazetteer.sqlite``). It is derived data: delete it at will.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DATA_DIR_ENV = "CONFLICTMAP_DATA_DIR"
INDEX_ENV = "CONFLICTMAP_INDEX"
STORE_ENV = "CONFLICTMAP_STORE"
USER_PLACES_FILE = "user_places.geojson"
GEONAMES_LAYERS_DIR = "geonames_layers"

_CHECKOUT_GAZETTEER = Path(__file__).resolve().parent.parent / "gazetteer"


def shipped(name: str) -> Path:
    """A data file or folder that ships with conflictmap: ``geo/data/NAME`` in an
    installed wheel, ``gazetteer/NAME`` in a source checkout."""
    packaged = resources.files("geo") / "data" / name
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT_GAZETTEER / name


def naturalearth_dir() -> Path:
    """The folder holding the Natural Earth ``*.geojson.gz`` layers."""
    return shipped("naturalearth")


def country_names_file() -> Path:
    """The table of country aliases, adjectives and demonyms."""
    return shipped("country_names.tsv")


def region_names_file() -> Path:
    """The table of region and city abbreviations newspapers use (Kan., Ont., D.C.)."""
    return shipped("region_names.tsv")


def event_rules_file() -> Path:
    """The built-in event trigger rules (a user's own rules go in the data directory)."""
    return shipped("event_rules.toml")


def store_path() -> Path:
    """The event store: ``$CONFLICTMAP_STORE``, else ``events.sqlite`` in the data directory."""
    env = os.environ.get(STORE_ENV)
    return Path(env).expanduser() if env else data_dir() / "events.sqlite"


def data_dir() -> Path:
    """The folder holding user data (gazetteer additions)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    if (_CHECKOUT_GAZETTEER / "naturalearth").is_dir():
        return _CHECKOUT_GAZETTEER
    return Path.home() / ".local" / "share" / "conflictmap"


def user_places_path(data_directory: Path | None = None) -> Path:
    """The human-readable GeoJSON file of the user's own places."""
    return (data_directory or data_dir()) / USER_PLACES_FILE


def geonames_layers_dir(data_directory: Path | None = None) -> Path:
    """The folder of imported GeoNames country files (regional layers), one gzipped copy
    each; every index build applies them."""
    return (data_directory or data_dir()) / GEONAMES_LAYERS_DIR


def index_path() -> Path:
    """The SQLite file of the built gazetteer index."""
    env = os.environ.get(INDEX_ENV)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "conflictmap" / "gazetteer.sqlite"
