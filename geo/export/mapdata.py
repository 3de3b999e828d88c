"""The map's data: events as columns of numbers, popup text compressed apart.

A million events as JSON objects is 400 MB and takes the browser half a minute to parse.
As columns (latitude, longitude, day, type, precision, origin...) they are a few bytes an
event: each column's bytes are split into planes (all first bytes, then all second
bytes...) so that gzip finds the runs, the whole block is gzipped and sent as base64, and
the browser inflates it with ``DecompressionStream('gzip')``. The popup text (quote,
sources, actors, reason) is in gzipped chunks of ``CHUNK`` events, inflated only when a
popup in that chunk opens. Nothing needs the network.

``event_payload(events)`` makes the payload; ``decode_payload`` reads it back in Python
(tests, scripts). The JavaScript reader is ``conflictmapDecode`` in ``web/mapview.js``.

The app fetches its payload as a file: ``payload_bytes`` writes it as one gzip stream of
binary (the JSON of the tables, then the column planes) that the browser inflates while it
downloads, with no base64 to undo and no JSON string of megabytes to parse
(``conflictmapFetch``); ``read_payload_bytes`` reads it back.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import date

import numpy as np
import shapely

from geo.events.record import Event
from geo.export.columns import EventColumns

TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#8c564b",
    "Protests": "#1f77b4",
    "Riots": "#9467bd",
    "Strategic developments": "#7f7f7f",
    "Diplomacy": "#2ca02c",
    "Displacement": "#17becf",
}
OTHER_COLOUR = "#bcbd22"
PRECISIONS = ["exact", "near", "border", "river", "region", "country"]
CHUNK = 2048  # events per compressed chunk of popup text
COORDINATE_SCALE = 100_000  # latitude and longitude are sent in 1e-5 degrees (about a metre)
BADGE_REACH = 3.0  # degrees into a country beyond its point nearest the other events

# name, numpy dtype (the widest it may need: counts and indexes are sent in the narrowest
# unsigned type that holds them). Index columns count from 1 where 0 means "none". The
# columns a first drawing needs come first (``DRAW_COLUMNS``): the app's map draws as
# soon as they have arrived, and the rest (tooltips, clicks, counts per country) follows.
COLUMNS = (
    ("lat", "<i4"), ("lon", "<i4"),            # 1e-5 degrees
    ("area", "<u4"),                           # 1 + index into "areas": drawn as the area's badge
    ("start", "<u4"), ("span", "<u4"),         # days after firstDay; end - start
    ("type", "<u2"), ("precision", "u1"),
    ("origin", "<u2"),                         # index into "origins"
    ("when", "u1"), ("country", "<u2"),        # indexes into "whens", "countries"
    ("place", "<u4"),                          # index into "places"
    ("id", "<i4"),                             # event id minus the previous row's (first: the id)
    ("shape", "<u4"),                          # 1 + index into "shapeKeys": shown on hover
)  # fmt: skip
DRAW_COLUMNS = 8
DETAIL_FIELDS = ("sub", "actors", "reason", "quote", "fatalities", "sources")


def _table(values: Iterable[str | None]) -> tuple[list[str | None], np.ndarray]:
    """Distinct values in order of first appearance and each value's index."""
    seen: dict[str | None, int] = {}
    index = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int64)
    return list(seen), index


def _compact(table: list, codes: np.ndarray) -> tuple[list, np.ndarray]:
    """The values some row uses, in order of first use, and the rows' indexes into them."""
    if not len(codes):
        return [], codes
    used, first_at, inverse = np.unique(codes, return_index=True, return_inverse=True)
    by_first = np.argsort(first_at)
    rank = np.empty(len(used), np.int64)
    rank[by_first] = np.arange(len(used))
    return [table[used[i]] for i in by_first], rank[inverse.ravel()]


def _day(value: str | None) -> int | None:
    return date.fromisoformat(value).toordinal() if value else None


def column_planes(columns: dict[str, np.ndarray]) -> tuple[bytes, list[list]]:
    """The columns as byte planes, one column after another, and the layout to read them:
    ``[name, dtype, byte offset]`` for each column."""
    parts, layout, offset = [], [], 0
    for name, dtype in COLUMNS:
        values = np.asarray(columns[name])
        if dtype.lstrip("<").startswith("u"):
            dtype = _narrowest(values)
        values = np.ascontiguousarray(values, dtype=dtype)
        planes = values.view(np.uint8).reshape(-1, values.itemsize).T.tobytes()
        layout.append([name, np.dtype(dtype).str.lstrip("<>|="), offset])
        parts.append(planes)
        offset += len(planes)
    return b"".join(parts), layout


def _narrowest(values: np.ndarray) -> str:
    """The narrowest unsigned type that holds ``values`` (none negative)."""
    top = int(values.max()) if len(values) else 0
    if values.size and int(values.min()) < 0:
        raise ValueError("a count or an index below 0")
    return "u1" if top < 2**8 else "<u2" if top < 2**16 else "<u4"


def encode_columns(columns: dict[str, np.ndarray]) -> tuple[str, list[list]]:
    """``column_planes`` as one base64 string of gzip, and their layout."""
    planes, layout = column_planes(columns)
    return base64.b64encode(gzip.compress(planes, compresslevel=6, mtime=0)).decode(), layout


def decode_columns(encoded: str | bytes, layout: list[list], count: int) -> dict[str, np.ndarray]:
    """The columns back from ``encode_columns`` or, as bytes, ``column_planes`` (the
    browser does the same in JavaScript)."""
    raw = encoded if isinstance(encoded, bytes) else gzip.decompress(base64.b64decode(encoded))
    out = {}
    for name, dtype, offset in layout:
        size = np.dtype(dtype).itemsize
        planes = np.frombuffer(raw, np.uint8, count * size, offset).reshape(size, count)
        out[name] = np.ascontiguousarray(planes.T).view("<" + dtype if size > 1 else dtype).ravel()
    return out


def _chunk(details: list[dict]) -> str:
    """Popup text of up to CHUNK events, one list per field (gzip finds more in a column)."""
    columns = {key: [d.get(key) for d in details] for key in DETAIL_FIELDS}
    text = json.dumps(columns, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=9, mtime=0)).decode()


def _detail(event: Event) -> dict:
    sources = [
        {k: v for k, v in (("title", s.get("title")), ("publisher", s.get("publisher")),
                           ("url", _http_only(s.get("url"))), ("published", s.get("published"))) if v}
        for s in _unique_articles(event.sources)
    ]  # fmt: skip
    if not event.sources and (event.source or event.source_url):
        sources = [{k: v for k, v in (("title", event.source), ("url", _http_only(event.source_url))) if v}]
    return {"sub": event.sub_event_type, "actors": [a for a in (event.actor1, event.actor2) if a] or None,
            "reason": event.location_reason, "quote": event.notes, "fatalities": event.fatalities,
            "sources": sources or None}  # fmt: skip


def event_payload(
    events: Sequence[Event],
    title: str | None = None,
    area_of: Callable[[str], dict | None] | None = None,
    *,
    details: bool = True,
) -> dict:
    """What the page needs to draw ``events``: tables of names, the columns, the popup text.

    Dated events come first, in the order given, then the undated ones. ``area_of(gazetteer_id)``
    gives the GeoJSON of a region or country an event is placed in, shown lightly while the
    event is hovered (each area once, however many events). An event placed only at a
    country is drawn as that country's area with a badge counting its events; the badge sits
    inside the country on the side nearest the other events, not at the country's label
    point (Russia's is in Siberia). ``details=False`` leaves out the popup text (the app
    shows an event's details beside the map).
    """
    located = [e for e in events if e.latitude is not None and e.longitude is not None]
    ordered = [e for e in located if e.date_start] + [e for e in located if not e.date_start]
    n = len(ordered)
    shape_of, area_key, shapes = _shapes(
        ((i, e.id, e.geometry, e.gazetteer_id, e.geo_precision) for i, e in enumerate(ordered)), n, area_of
    )
    chunks = []
    if details:
        for begin in range(0, n, CHUNK):
            chunks.append(_chunk([_detail(e) for e in ordered[begin : begin + CHUNK]]))
    return _payload(
        title=title, dated=sum(1 for e in located if e.date_start),
        lat=np.fromiter((e.latitude for e in ordered), np.float64, n),
        lon=np.fromiter((e.longitude for e in ordered), np.float64, n),
        starts=np.fromiter((_day(e.date_start) or 0 for e in ordered), np.int64, n),
        ends=np.fromiter((_day(e.date_end) or _day(e.date_start) or 0 for e in ordered), np.int64, n),
        ids=np.fromiter((e.id or 0 for e in ordered), np.int64, n),
        types=_table(e.event_type for e in ordered), precisions=_table(e.geo_precision for e in ordered),
        places=_table(e.location for e in ordered), origins=_table(e.origin or "extracted" for e in ordered),
        countries=_table(e.country for e in ordered), whens=_table(e.time_precision for e in ordered),
        shape_of=shape_of, area_key=area_key, shapes=shapes, chunks=chunks,
    )  # fmt: skip


def columns_payload(
    columns: EventColumns, area_of: Callable[[str], dict | None] | None = None, *, planes: bool = False
) -> dict:
    """``event_payload(events, area_of=area_of, details=False)`` of the events a store
    holds, made from ``EventColumns`` (a million events: seconds, not a minute).
    ``planes``: the columns stay ``column_planes`` bytes (for ``payload_bytes``)."""
    located = np.flatnonzero(~np.isnan(columns.lat) & ~np.isnan(columns.lon))
    dated = int((columns.start[located] > 0).sum())  # the store's order: dated rows first
    n = len(located)
    text = columns.text
    precision = text["geo_precision"]
    gazetteer = text["gazetteer_id"]
    areas = precision.isin(("region", "country")) & (gazetteer.codes != gazetteer.table.index(None)
                                                     if None in gazetteer.table else True)  # fmt: skip
    where = np.full(len(columns), -1, np.int64)
    where[located] = np.arange(n)
    candidates = sorted({int(r) for r in np.flatnonzero(areas)} | set(columns.geometry))
    shape_of, area_key, shapes = _shapes(
        ((int(where[r]), int(columns.ids[r]), _geometry(columns.geometry.get(r)), gazetteer.table[gazetteer.codes[r]],
          precision.table[precision.codes[r]]) for r in candidates if where[r] >= 0),
        n, area_of,
    )  # fmt: skip

    def coded(name: str, none_as: str | None = None) -> tuple[list, np.ndarray]:
        table = [v if v is not None or none_as is None else none_as for v in text[name].table]
        return table, text[name].codes[located]

    return _payload(
        title=None, dated=dated, lat=columns.lat[located], lon=columns.lon[located],
        starts=columns.start[located], ends=columns.end[located], ids=columns.ids[located],
        types=coded("event_type"), precisions=coded("geo_precision"), places=coded("location"),
        origins=coded("origin", "extracted"), countries=coded("country"), whens=coded("time_precision"),
        shape_of=shape_of, area_key=area_key, shapes=shapes, chunks=[], planes=planes,
    )  # fmt: skip


def payload_bytes(payload: dict) -> bytes:
    """The app's payload file: one gzip stream of the JSON of everything but the columns
    (its length first, 4 bytes little-endian), then the columns' planes. ``payload`` is
    ``columns_payload(..., planes=True)``."""
    head = json.dumps({k: v for k, v in payload.items() if k != "columns"}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")  # fmt: skip
    return gzip.compress(struct.pack("<I", len(head)) + head + payload["columns"], compresslevel=6, mtime=0)


def read_payload_bytes(data: bytes) -> dict:
    """The payload of a ``payload_bytes`` file (its columns as plane bytes)."""
    raw = gzip.decompress(data)
    (size,) = struct.unpack_from("<I", raw)
    payload = json.loads(raw[4 : 4 + size].decode("utf-8"))
    payload["columns"] = raw[4 + size :]
    return payload


def _geometry(text: str | None) -> dict | None:
    return json.loads(text) if text else None


def _shapes(rows: Iterable[tuple], n: int, area_of: Callable[[str], dict | None] | None) -> tuple[list, list, dict]:
    """Each row's shape key (a line or area of its own, or the region or country it is
    placed in) and the key of the country area it is drawn as, from ``(row, id, geometry,
    gazetteer_id, precision)`` of the rows that may have one; and the shapes by key."""
    shapes: dict[str, dict | None] = {}
    shape_of: list[str | None] = [None] * n
    area_key: list[str | None] = [None] * n
    for row, event_id, geometry, gazetteer_id, precision in rows:
        key = None
        if geometry and geometry.get("type") not in ("Point", None):
            key = f"e{event_id}"
            shapes[key] = geometry
        elif area_of and gazetteer_id and precision in ("region", "country"):
            if gazetteer_id not in shapes:
                shapes[gazetteer_id] = area_of(gazetteer_id)
            key = gazetteer_id if shapes[gazetteer_id] else None
        shape_of[row] = key
        area_key[row] = key if key and precision == "country" and not key.startswith("e") else None
    return shape_of, area_key, shapes


def _payload(*, title, dated, lat, lon, starts, ends, ids, types, precisions, places, origins, countries, whens,
             shape_of, area_key, shapes, chunks, planes=False) -> dict:  # fmt: skip
    """The payload from columns in payload order (dated rows first); text columns as
    ``(distinct values, codes)``. ``planes``: the columns as ``column_planes`` bytes, not
    base64."""
    n = len(lat)
    type_table, type_codes = types
    names = list(TYPE_COLOURS) + sorted({type_table[i] for i in np.unique(type_codes)} - set(TYPE_COLOURS))
    type_index = np.array([names.index(t) for t in type_table] or [0], dtype=np.int64)
    precision_table, precision_codes = precisions
    precision_index = np.array([PRECISIONS.index(p) if p in PRECISIONS else 5 for p in precision_table] or [0],
                               dtype=np.int64)  # fmt: skip
    shape_keys = [k for k, v in shapes.items() if v]
    shape_index = {k: i + 1 for i, k in enumerate(shape_keys)}
    areas = _badges(lat, lon, area_key, shapes)
    area_index = {a["key"]: i + 1 for i, a in enumerate(areas)}
    first = int(starts[:dated].min()) if dated else None
    last = int(max(ends[:dated].max(), starts[:dated].max())) if dated else None
    tables = {}
    for name, (table, codes) in (("places", places), ("origins", origins), ("countries", countries),
                                 ("whens", whens)):  # fmt: skip
        tables[name], tables[name + "_codes"] = _compact(table, codes)
    columns = {
        "lat": np.round(lat * COORDINATE_SCALE), "lon": np.round(lon * COORDINATE_SCALE),
        "start": np.where(starts > 0, starts - (first or 0), 0),
        "span": np.maximum(np.where(starts > 0, ends - starts, 0), 0),
        "type": type_index[type_codes] if n else type_codes,
        "precision": precision_index[precision_codes] if n else precision_codes,
        "when": tables["whens_codes"], "origin": tables["origins_codes"], "country": tables["countries_codes"],
        "place": tables["places_codes"],
        "id": np.diff(ids, prepend=0),
        "area": np.fromiter((area_index.get(k, 0) if k else 0 for k in area_key), np.int64, n),
        "shape": np.fromiter((shape_index.get(k, 0) if k else 0 for k in shape_of), np.int64, n),
    }  # fmt: skip
    encoded, layout = column_planes(columns) if planes else encode_columns(columns)
    return {
        "title": title,
        "types": names,
        "colours": [TYPE_COLOURS.get(t, OTHER_COLOUR) for t in names],
        "precisions": PRECISIONS,
        "places": tables["places"],
        "origins": tables["origins"],
        "countries": tables["countries"],
        "whens": tables["whens"],
        "count": n,
        "dated": dated,
        "columns": encoded,
        "layout": layout,
        "drawColumns": DRAW_COLUMNS,
        "chunk": CHUNK,
        "details": chunks,
        "shapes": {k: shapes[k] for k in shape_keys},
        "shapeKeys": shape_keys,
        "areas": areas,
        "firstDay": first,
        "lastDay": last,
        "epochOffset": date(1970, 1, 1).toordinal(),
    }


def _badges(lat: np.ndarray, lon: np.ndarray, area_key: list, shapes: dict) -> list[dict]:
    """Each country area's badge point: inside the country, near the middle of the events
    placed more precisely (the first member's own point if the events are in that country)."""
    precise = np.array([k is None for k in area_key], dtype=bool)
    first_member: dict[str, int] = {}
    for i, key in enumerate(area_key):
        if key is not None and key not in first_member:
            first_member[key] = i
    if not first_member:
        return []
    centre = shapely.Point(lon[precise].mean(), lat[precise].mean()) if precise.any() else None
    badges = []
    for key, i in first_member.items():
        label = (round(float(lat[i]), 5), round(float(lon[i]), 5))
        point = _badge_point(shapely.geometry.shape(shapes[key]), centre, label) if centre else label
        badges.append({"key": key, "lat": point[0], "lon": point[1]})
    return badges


def _badge_point(area, centre, label: tuple[float, float]) -> tuple[float, float]:
    distance = area.distance(centre) if not area.is_empty else 0.0
    if distance == 0:  # the events are in this country: its own label point
        return label
    near = area.intersection(centre.buffer(distance + BADGE_REACH))
    point = (near if not near.is_empty else area).representative_point()
    return round(point.y, 5), round(point.x, 5)


def decode_payload(payload: dict) -> list[dict]:
    """Every event of a payload as a dict (what a popup shows, plus position and origin);
    for tests and scripts, the browser reads the columns directly."""
    n = payload["count"]
    cols = decode_columns(payload["columns"], payload["layout"], n)
    ids = np.cumsum(cols["id"].astype(np.int64))
    chunks: list[dict] = []
    for text in payload["details"]:
        chunks.append(json.loads(gzip.decompress(base64.b64decode(text))))
    out = []
    for i in range(n):
        dated = i < payload["dated"]
        start = int(cols["start"][i]) + payload["firstDay"] if dated else None
        area = int(cols["area"][i])
        row = {
            "id": int(ids[i]), "lat": cols["lat"][i] / COORDINATE_SCALE, "lon": cols["lon"][i] / COORDINATE_SCALE,
            "type": payload["types"][cols["type"][i]],
            "start": date.fromordinal(start).isoformat() if dated else None,
            "end": date.fromordinal(start + int(cols["span"][i])).isoformat() if dated else None,
            "when": payload["whens"][cols["when"][i]], "place": payload["places"][cols["place"][i]],
            "precision": PRECISIONS[cols["precision"][i]], "origin": payload["origins"][cols["origin"][i]],
            "country": payload["countries"][cols["country"][i]],
            "shape": payload["shapeKeys"][cols["shape"][i] - 1] if cols["shape"][i] else None,
            "area": payload["areas"][area - 1] if area else None,
        }  # fmt: skip
        if chunks:
            chunk = chunks[i // payload["chunk"]]
            row.update({key: chunk[key][i % payload["chunk"]] for key in DETAIL_FIELDS})
        out.append(row)
    return out


def payload_ids(payload: dict) -> np.ndarray:
    """The event ids of a payload, in its order."""
    cols = decode_columns(payload["columns"], payload["layout"], payload["count"])
    return np.cumsum(cols["id"].astype(np.int64))


def event_mask(ids_in_order: np.ndarray, wanted: Iterable[int]) -> str:
    """A bitset (one bit an event, in payload order; base64 of gzip) of the events in ``wanted``:
    how the app tells the map which events pass its filters without sending them again."""
    return bitset(np.isin(ids_in_order, np.fromiter(wanted, np.int64)))


def bitset(keep: np.ndarray) -> str:
    """``event_mask`` of a boolean per payload row."""
    return base64.b64encode(gzip.compress(np.packbits(keep, bitorder="little").tobytes(), mtime=0)).decode()


def _unique_articles(sources: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for source in sources:
        key = source.get("article_id") or source.get("url") or source.get("title")
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique


def _http_only(url: str | None) -> str | None:
    """Only web links become links (no javascript: URLs from an article)."""
    return url if url and re.match(r"https?://", url, re.I) else None
