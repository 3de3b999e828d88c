"""Import the event data analysts already have, at scale: ``import_file(path, store)``.

Formats (detected from the file, or forced with ``ImportOptions(format=...)``):

- ``acled``: every generation of ACLED's columns, upper or lower case (legacy ``GWNO,
  EVENT_ID_CNTY, EVENT_DATE...``, the 2020 ``data_id, iso, event_id_cnty...``, today's
  ``event_id_cnty, event_date, disorder_type...``), and our own CSV export. Keyed by
  ``event_id_cnty``.
- ``ucdp``: the UCDP Georeferenced Event Dataset (GED) CSV. Keyed by ``id``.
- ``gdelt``: GDELT 2.0 event exports (tab-separated, 61 columns, no header), also the
  58-column 1.0 daily files and exports with a header row. Keyed by ``GLOBALEVENTID``.
- ``csv``: any CSV of geolocated incidents; latitude, longitude, date and text columns are
  found by name, then by content, or named by the caller. Keyed by a hash of the row.
- ``geojson``: a FeatureCollection; properties are read like CSV columns. Keyed by the
  file's name and the feature's ``id`` property (an id counts only within its file), else
  a hash of the feature.

The file is read row by row in any encoding (UTF-8, else a detected code page, else
Windows-1252) and kept in batches of ``BATCH_ROWS``, one transaction each. A bad row is
reported with its line number and the reason, and the rest goes in. Importing a file again
changes nothing: a row whose key is kept already is unchanged, or updated if the dataset
revised it. A row repeating an earlier row's id in the same file, with other values, is kept
apart (keyed by its line) and reported in ``ImportReport.repeats``. Each event's ``origin`` names the dataset and the file (``acled:ukraine.csv``).

One module per format (``acled``, ``ucdp``, ``gdelt``, ``generic`` for CSV and GeoJSON), registered
in ``formats.CONVERTERS``; the shared parts are ``encoding``, ``dates``, ``columns``, ``values``,
``reader`` (opening a file) and ``importer`` (the driver and its report).
"""

from __future__ import annotations

from geo.export.datasets.base import (
    BATCH_ROWS,
    BadRow,
    ImportOptions,
    ImportReport,
    ImportStore,
    Problem,
    Progress,
    RawDataset,
)
from geo.export.datasets.dates import DATE_FORMS, parse_day
from geo.export.datasets.encoding import detect_encoding
from geo.export.datasets.formats import CONVERTERS, FORMATS
from geo.export.datasets.gdelt import GDELT_COLUMNS, GDELT_V1_COLUMNS
from geo.export.datasets.importer import import_file, read_events
from geo.export.datasets.values import country_code

__all__ = [
    "BATCH_ROWS",
    "CONVERTERS",
    "DATE_FORMS",
    "FORMATS",
    "GDELT_COLUMNS",
    "GDELT_V1_COLUMNS",
    "BadRow",
    "ImportOptions",
    "ImportReport",
    "ImportStore",
    "Problem",
    "Progress",
    "RawDataset",
    "country_code",
    "detect_encoding",
    "import_file",
    "parse_day",
    "read_events",
]
