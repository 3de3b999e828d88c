"""Events as GeoParquet 1.0: one row per event, the geometry as WKB, ``geo`` metadata.

Opens in GeoPandas (``read_parquet``), QGIS, DuckDB spatial and GDAL. Sources are kept as
JSON text (one column), so nothing is lost and the schema stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.events.record import EVENT_COLUMNS, Event

MARK_KEY, MARK_VALUE = b"conflictmap", b"events export"  # a key-value of the file's metadata: our mark
FLOAT_COLUMNS = ("latitude", "longitude")
INT_COLUMNS = ("id", "fatalities")


def to_table(events: Sequence[Event]) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for name in EVENT_COLUMNS:
        if name == "geometry":
            continue
        values = [getattr(e, name) for e in events]
        kind = pa.float64() if name in FLOAT_COLUMNS else pa.int64() if name in INT_COLUMNS else pa.string()
        columns[name] = pa.array(values, type=kind)
    columns["sources"] = pa.array(
        [json.dumps(e.sources, ensure_ascii=False) for e in events], type=pa.string()
    )
    shapes = [_shape(e) for e in events]
    columns["geometry"] = pa.array(
        [shapely.to_wkb(s) if s is not None else None for s in shapes], type=pa.binary()
    )
    present = [s for s in shapes if s is not None]
    bbox = list(shapely.total_bounds(present)) if present else None
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": sorted({s.geom_type for s in present}),
                # no "crs": GeoParquet then means OGC:CRS84 (longitude, latitude on WGS84)
                **({"bbox": bbox} if bbox else {}),
            }
        },
    }
    table = pa.table(columns)
    return table.replace_schema_metadata({b"geo": json.dumps(geo).encode(), MARK_KEY: MARK_VALUE})


def _shape(event: Event):
    if event.geometry:
        return shapely.geometry.shape(event.geometry)
    if event.latitude is not None and event.longitude is not None:
        return shapely.Point(event.longitude, event.latitude)
    return None


def write(events: Sequence[Event], stream: BinaryIO, options: object = None) -> None:
    pq.write_table(to_table(events), stream, compression="zstd")


def is_export(path: Path, head: bytes) -> bool:
    """An earlier GeoParquet export: a Parquet file whose metadata carries our key."""
    if not head.startswith(b"PAR1"):
        return False
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):  # not a readable Parquet file: not ours
        return False
    return metadata.get(MARK_KEY) == MARK_VALUE
