"""Events as a GeoJSON FeatureCollection (RFC 7946: longitude first)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from geo.events.record import Event

# A foreign member (RFC 7946, section 6.1) right after "type": the mark of our export.
MARK_MEMBER = "conflictmap"
MARK_VALUE = "events export"
_MARK = f'{{"type": "FeatureCollection", "{MARK_MEMBER}": "{MARK_VALUE}"'.encode()


def to_geojson(events: Iterable[Event]) -> dict:
    """One Feature per event: its geometry (a point where only a point is known) and every
    other field, sources included, as properties."""
    features = []
    for event in events:
        geometry = event.geometry
        if geometry is None and event.latitude is not None:
            geometry = {"type": "Point", "coordinates": [event.longitude, event.latitude]}
        properties = {k: v for k, v in event.to_record().items() if k != "geometry"}
        features.append({"type": "Feature", "id": event.id, "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", MARK_MEMBER: MARK_VALUE, "features": features}


def write(events: Iterable[Event], stream: BinaryIO, options: object = None) -> None:
    stream.write(json.dumps(to_geojson(events), ensure_ascii=False).encode("utf-8"))


def is_export(path: object, head: bytes) -> bool:
    """An earlier GeoJSON export: it starts with our mark (any other GeoJSON does not)."""
    return head.startswith(_MARK)
