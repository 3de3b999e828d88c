"""The user's own places: validated, stored as GeoJSON, written atomically.

The file is a GeoJSON FeatureCollection with one feature per line, sorted by id, so it
opens in any GIS and diffs line by line. Every change takes a lock, re-reads the file,
writes a temporary file and renames it over the old one: two processes adding at once
lose nothing, and a failed or refused change leaves the file as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import AdditionsFileError, InvalidPlaceError, PlaceNotFoundError
from geo.gazetteer.names import has_cyrillic, normalise, transliterations
from geo.gazetteer.place import ALTERNATE, KINDS, PRIMARY, Place, crosses_antimeridian, lonlat, point_inside

MAX_NAME_LENGTH = 200
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@dataclass
class NewPlace:
    """A place as a user describes it, before validation."""

    name: str
    kind: str
    lat: float | None = None
    lon: float | None = None
    geometry: str | dict | BaseGeometry | None = None  # WKT, GeoJSON text or mapping
    aliases: Sequence[str] = field(default_factory=tuple)
    country: str | None = None
    population: int | None = None
    note: str | None = None


def parse_geometry(value: str | dict | BaseGeometry) -> BaseGeometry:
    """A shapely geometry from WKT, GeoJSON text or a GeoJSON mapping (lon, lat)."""
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, dict):
        try:
            return shapely.geometry.shape(value)
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            shapely.errors.ShapelyError,
        ) as err:
            raise InvalidPlaceError(f"Invalid GeoJSON geometry: {err}.") from err
    text = str(value).strip()
    if not text:
        raise InvalidPlaceError("Empty geometry: give WKT (POINT (30.19 50.6)) or GeoJSON.")
    if text.startswith("{"):
        try:
            return parse_geometry(json.loads(text))
        except json.JSONDecodeError as err:
            raise InvalidPlaceError(f"Invalid GeoJSON geometry: {err.msg} at column {err.colno}.") from err
        except RecursionError as err:
            raise InvalidPlaceError("Invalid GeoJSON geometry: nested too deeply to read.") from err
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as err:
        raise InvalidPlaceError(
            f"Invalid WKT geometry {text[:60]!r}: {err}. "
            "Example: LINESTRING (30.1 50.5, 30.3 50.6) (longitude first)."
        ) from err


def validate(new: NewPlace) -> tuple[BaseGeometry, dict]:
    """Check a new place; return its geometry and its GeoJSON properties.

    Raises InvalidPlaceError naming the problem and how to fix it.
    """
    name = " ".join(str(new.name or "").split())
    if not name:
        raise InvalidPlaceError('The name is empty: give the place\'s name, e.g. --name "Hostomel Airport".')
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidPlaceError(f"The name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}.")
    if not normalise(name):
        raise InvalidPlaceError(f"The name {name!r} has no letters or digits.")
    if new.kind not in KINDS:
        raise InvalidPlaceError(f"Unknown kind {new.kind!r}. Valid kinds: {', '.join(KINDS)}.")
    geometry = _geometry(new)
    country = None
    if new.country:
        country = str(new.country).strip().upper()
        if not _COUNTRY_RE.match(country):
            raise InvalidPlaceError(
                f"Invalid country code {new.country!r}: expected two letters (ISO 3166-1), e.g. UA."
            )
    if new.population is not None and (
        isinstance(new.population, bool) or not isinstance(new.population, int) or new.population < 0
    ):
        raise InvalidPlaceError(f"Invalid population {new.population!r}: expected a whole number ≥ 0.")
    if isinstance(new.aliases, str):
        raise InvalidPlaceError(
            f"Aliases must be a list of names, got the text {new.aliases!r}: write [{new.aliases!r}]."
        )
    aliases = []
    for alias in new.aliases or ():
        alias = " ".join(str(alias).split())
        if not alias or not normalise(alias):
            raise InvalidPlaceError("An alias is empty: every --alias needs a name.")
        if alias != name and alias not in aliases:
            aliases.append(alias)
    properties = {"name": name, "kind": new.kind, "country": country, "aliases": aliases}
    if new.population is not None:
        properties["population"] = new.population
    if new.note:
        properties["note"] = str(new.note)
    return geometry, properties


def _geometry(new: NewPlace) -> BaseGeometry:
    if new.geometry is not None and (new.lat is not None or new.lon is not None):
        raise InvalidPlaceError("Give either --lat/--lon or --geometry, not both.")
    if new.geometry is None:
        if new.lat is None or new.lon is None:
            raise InvalidPlaceError("No location: give --lat and --lon, or --geometry (WKT or GeoJSON).")
        _check_lat_lon(new.lat, new.lon)
        return shapely.Point(lonlat(float(new.lat), float(new.lon)))
    geometry = parse_geometry(new.geometry)
    if geometry.is_empty:
        raise InvalidPlaceError("The geometry is empty: it needs at least one coordinate.")
    if geometry.geom_type not in (
        "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"
    ):  # fmt: skip
        raise InvalidPlaceError(
            f"Unsupported geometry type {geometry.geom_type}: use a point, line or polygon."
        )
    minx, miny, maxx, maxy = geometry.bounds
    for lon, lat in ((minx, miny), (maxx, maxy)):
        _check_lat_lon(lat, lon)
    if not geometry.is_valid:
        raise InvalidPlaceError(
            f"Invalid {geometry.geom_type}: {shapely.is_valid_reason(geometry)}. "
            "A polygon must not cross itself; remember GeoJSON and WKT put longitude first."
        )
    return geometry


def _check_lat_lon(lat: float, lon: float) -> None:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError) as err:
        raise InvalidPlaceError(f"Coordinates must be numbers, got lat={lat!r} lon={lon!r}.") from err
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidPlaceError(f"Latitude {lat:g} is out of range: it must be between -90 and 90.")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidPlaceError(f"Longitude {lon:g} is out of range: it must be between -180 and 180.")


def _slug(name: str) -> str:
    """An id-friendly form of a name: "Hostomel Airport" -> "hostomel-airport". Cyrillic
    is transliterated (Київ -> kyiv); other scripts get a short stable hash."""
    latin = transliterations(name)[0] if has_cyrillic(name) else normalise(name)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    if not slug:
        slug = "place-" + hashlib.sha256(normalise(name).encode()).hexdigest()[:8]
    return slug[:60]


class UserPlaces:
    """The additions file: read, add, remove. Reads are cached until the file changes."""

    RECHECK_SECONDS = 0.5

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._checked = -1e9
        self._features: list[dict] = []
        self._by_norm: dict[str, list[tuple[int, str, Place]]] = {}

    # -- reading --------------------------------------------------------------------------

    def _read_file(self) -> list[dict]:
        if not self.path.exists():
            return []
        hint = " Fix the file by hand or restore it from version control; it was not changed."
        try:
            text = self.path.read_text(encoding="utf-8")
            features = features_from_text(text, source=str(self.path))
        except UnicodeDecodeError as err:
            raise AdditionsFileError(f"{self.path} is not UTF-8 text ({err}).{hint}") from err
        except AdditionsFileError as err:
            raise AdditionsFileError(f"{err}{hint}") from err
        first_with: dict[str, int] = {}
        for number, feature in enumerate(features, 1):
            place_id = str(feature.get("id", ""))
            if not place_id.startswith("user:"):
                raise AdditionsFileError(
                    f"{self.path}: feature {number} has no id starting with user:.{hint}"
                )
            if place_id in first_with:  # edit and remove would act on one and hide the other
                raise AdditionsFileError(
                    f"{self.path}: features {first_with[place_id]} and {number} have the same id {place_id}; "
                    f"give one of them another id.{hint}"
                )
            first_with[place_id] = number
        return features

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.RECHECK_SECONDS:
            return  # changes by other processes show within RECHECK_SECONDS
        self._checked = now
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp and (stamp is not None or not self._features):
            return
        try:
            features = self._read_file()
        except AdditionsFileError:
            self._checked = 0.0  # a damaged file is reported on every use until it is fixed
            raise
        by_norm: dict[str, list[tuple[int, str, Place]]] = {}
        for feature in features:
            place = feature_to_place(feature)
            for match, name in [(PRIMARY, place.name)] + [(ALTERNATE, a) for a in place.alternate_names]:
                by_norm.setdefault(normalise(name), []).append((match, name, place))
        self._features, self._by_norm, self._stamp = features, by_norm, stamp

    def lookup(self, norm: str) -> list[tuple[int, str, Place]]:
        self._refresh()
        return list(self._by_norm.get(norm, ()))

    def places(self) -> list[Place]:
        self._refresh()
        return [feature_to_place(f) for f in self._features]

    def get(self, place_id: str) -> Place | None:
        return next((p for p in self.places() if p.id == place_id), None)

    # -- writing --------------------------------------------------------------------------

    def add(self, new: NewPlace) -> Place:
        """Validate and store one place; returns it with its new ``user:`` id."""
        return self.add_many([new])[0]

    def add_many(self, news: Sequence[NewPlace]) -> list[Place]:
        """Validate every place first, then store them all in one atomic write."""
        validated = []
        for number, new in enumerate(news, 1):
            try:
                validated.append(validate(new))
            except InvalidPlaceError as err:
                prefix = f"Place {number} ({new.name!r}): " if len(news) > 1 else ""
                raise InvalidPlaceError(prefix + str(err)) from err
        added = []
        with self._locked_features() as features:
            taken = {f["id"] for f in features}
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for geometry, properties in validated:
                base = f"user:{_slug(properties['name'])}"
                place_id, n = base, 1
                while place_id in taken:
                    n += 1
                    place_id = f"{base}-{n}"
                taken.add(place_id)
                properties["added"] = stamp
                feature = {
                    "type": "Feature",
                    "id": place_id,
                    "properties": properties,
                    "geometry": shapely.geometry.mapping(geometry),
                }
                features.append(feature)
                added.append(feature)
        return [feature_to_place(f) for f in added]

    def update(self, place_id: str, new: NewPlace) -> Place:
        """Replace one of the user's places, keeping its id; the new values are checked
        first, so a refused edit leaves the file as it was."""
        if not place_id.startswith("user:"):
            raise PlaceNotFoundError(
                f"{place_id} is a built-in place; only your own places (user:…) can be edited. "
                "Add a place of your own instead."
            )
        geometry, properties = validate(new)
        with self._locked_features() as features:
            for feature in features:
                if feature["id"] == place_id:
                    for kept in ("added", "population", "note"):  # what the edit does not name stays
                        if kept in feature["properties"] and kept not in properties:
                            properties[kept] = feature["properties"][kept]
                    properties["edited"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                    feature["properties"] = properties
                    feature["geometry"] = shapely.geometry.mapping(geometry)
                    return feature_to_place(feature)
            raise PlaceNotFoundError(f"No place with id {place_id}. See: conflictmap gazetteer list")

    def remove(self, place_id: str) -> Place:
        """Remove one of the user's places by id; refuses built-in ids."""
        if not place_id.startswith("user:"):
            raise PlaceNotFoundError(
                f"{place_id} is a built-in place; only your own places (user:…) can be removed."
            )
        with self._locked_features() as features:
            for i, feature in enumerate(features):
                if feature["id"] == place_id:
                    del features[i]
                    return feature_to_place(feature)
            # raised inside the lock: the file is left exactly as it was
            raise PlaceNotFoundError(f"No place with id {place_id}. See: conflictmap gazetteer list")

    @contextmanager
    def _locked_features(self) -> Iterator[list[dict]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                features = self._read_file()
                yield features
                self._write(features)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, features: list[dict]) -> None:
        features = sorted(features, key=lambda f: f["id"])
        lines = [json.dumps(f, ensure_ascii=False, sort_keys=True) for f in features]
        body = ",\n".join(lines)
        text = '{"type": "FeatureCollection", "features": [\n' + body + ("\n" if lines else "") + "]}\n"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as err:  # a full disk, a folder made read-only: the file is as it was
            tmp.unlink(missing_ok=True)
            raise AdditionsFileError(
                f"Cannot save your places in {self.path}: {err.strerror or err}. Nothing was changed; free "
                "some space (or make the folder writable) and try again."
            ) from err
        self._stamp, self._checked = None, -1e9


def features_from_text(text: str, *, source: str) -> list[dict]:
    """Parse and check a GeoJSON FeatureCollection of places (the additions format).

    Raises AdditionsFileError naming the file, the feature and the problem.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise AdditionsFileError(
            f"{source} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}."
        ) from err
    except RecursionError as err:  # thousands of nested [ or {: no FeatureCollection is so deep
        raise AdditionsFileError(f"{source} is nested too deeply to be GeoJSON (thousands of [ or {{ levels).") from err
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise AdditionsFileError(f'{source} is not a GeoJSON FeatureCollection (expected a "features" list).')
    features = []
    for number, feature in enumerate(data["features"], 1):
        try:
            if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
                raise InvalidPlaceError("not a GeoJSON Feature with properties")
            new = new_place_from_feature(feature)
            geometry, properties = validate(new)
        except InvalidPlaceError as err:
            raise AdditionsFileError(f"{source}: feature {number}: {err}") from err
        features.append({**feature, "properties": {**feature["properties"], **properties},
                         "geometry": shapely.geometry.mapping(geometry)})  # fmt: skip
    return features


def new_place_from_feature(feature: dict) -> NewPlace:
    props = feature["properties"]
    if feature.get("geometry") is None:
        raise InvalidPlaceError("the feature has no geometry")
    return NewPlace(
        name=props.get("name") or "",
        kind=props.get("kind") or "site",
        geometry=feature["geometry"],
        aliases=props.get("aliases") or (),
        country=props.get("country"),
        population=props.get("population"),
        note=props.get("note"),
    )


def feature_to_place(feature: dict) -> Place:
    props = feature["properties"]
    geometry = shapely.geometry.shape(feature["geometry"])
    if geometry.geom_type == "Point":
        lat, lon, wkb = geometry.y, geometry.x, None
    else:
        point = (
            point_inside(geometry)
            if crosses_antimeridian(geometry) or not geometry.covers(geometry.centroid)
            else geometry.centroid
        )
        lat, lon, wkb = point.y, point.x, shapely.to_wkb(geometry)
    extra = {"aliases": list(props.get("aliases") or ())}
    for key in ("note", "added"):
        if props.get(key):
            extra[key] = props[key]
    return Place(
        id=feature["id"], name=props["name"], kind=props["kind"], country=props.get("country"),
        lat=lat, lon=lon, population=props.get("population"), importance=1.0, source="user",
        wkb=wkb, attributes=extra,
    )  # fmt: skip
