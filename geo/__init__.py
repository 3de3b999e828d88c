"""conflictmap: an offline geoparser and map of conflict events.

The package follows the data flow, one subpackage per stage; imports run one way, down
this list (an import-linter contract in ``make test`` keeps them so):

- ``geo.export``    formats (HTML map, ACLED CSV, GeoJSON, GeoParquet) and map elements
- ``geo.store``     the ``Store`` protocol and the SQLite store
- ``geo.events``    articles, dates, rules, extraction, merging, ``ingest_many``
- ``geo.parse``     recognise, resolve, spatial phrases, the ``Geoparser``, evaluation
- ``geo.gazetteer`` sources, index build and reader, lookup, user places, geopy geocoder
- ``geo.errors``, ``geo.config``
"""

from geo.errors import (
    AdditionsFileError,
    AppAccessError,
    ArticleError,
    AssetsMissingError,
    ClusterError,
    CompareError,
    ConflictmapError,
    CsvError,
    EvalFileError,
    ExportError,
    IndexBuildError,
    InvalidPlaceError,
    PlaceNotFoundError,
    RulesError,
    StoreError,
    TextError,
)  # fmt: skip
from geo.events import Article, Event, EventExtractor, ExtractorSpec, RawArticle, ingest_many, reresolve
from geo.export import FORMATS, ExportOptions, export_bytes, export_events
from geo.export.mapview import build_map
from geo.gazetteer import Candidate, Gazetteer, Hints, Place
from geo.gazetteer.names import normalise
from geo.parse import Geoparser
from geo.store import SQLiteStore, Store, open_store

__all__ = [
    "FORMATS", "AdditionsFileError", "AppAccessError", "Article", "ArticleError", "AssetsMissingError", "Candidate",
    "ClusterError", "CompareError", "ConflictmapError", "CsvError", "EvalFileError", "Event", "EventExtractor",
    "ExportError", "ExportOptions", "ExtractorSpec", "Gazetteer", "Geoparser", "Hints", "IndexBuildError",
    "InvalidPlaceError", "Place", "PlaceNotFoundError", "RawArticle", "RulesError", "SQLiteStore", "Store",
    "StoreError", "TextError", "build_map", "export_bytes", "export_events", "ingest_many", "normalise",
    "open_store", "reresolve",
]  # fmt: skip
__version__ = "0.1.0"
