"""Which column holds what: the caller's choice, a known name, or what the rows hold."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from geo.errors import CsvError
from geo.export.datasets.base import BadRow, ImportOptions
from geo.export.datasets.dates import reads_day_first, try_day


def norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip("\ufeff").lower())


# Column names each role is found by (compared lower-case, spaces as underscores), best first.
NAMES = {
    "id": ("event_id_cnty", "event_id", "id", "uid", "uuid", "incident_id", "globaleventid", "fid"),
    "lat": ("latitude", "lat", "y", "lat_dd", "decimal_latitude", "actiongeo_lat", "point_y", "geo_lat"),
    "lon": ("longitude", "lon", "lng", "long", "x", "lon_dd", "decimal_longitude", "actiongeo_long",
            "point_x", "geo_lon", "geo_long"),
    "date": ("event_date", "date", "date_start", "start_date", "incident_date", "datetime", "date_time",
             "day", "time", "when", "occurred", "occurred_at", "sqldate"),
    "date_end": ("date_end", "end_date"),
    "text": ("notes", "description", "text", "summary", "details", "narrative", "event_description",
             "comment", "comments", "title", "headline", "body"),
    "type": ("event_type", "type", "category", "incident_type", "event", "kind"),
    "sub_type": ("sub_event_type", "subtype", "sub_type", "subcategory"),
    "location": ("location", "place", "place_name", "locality", "city", "town", "site", "address", "name"),
    "admin1": ("admin1", "adm_1", "region", "province", "state", "oblast"),
    "country": ("country", "country_name", "country_code", "iso2", "iso3", "iso"),
    "fatalities": ("fatalities", "deaths", "killed", "dead", "best"),
    "actor1": ("actor1", "actor", "perpetrator", "side_a"),
    "actor2": ("actor2", "target", "side_b"),
    "source": ("source", "publisher", "source_name"),
    "url": ("source_url", "url", "link", "sourceurl", "href"),
    "geo_precision": ("geo_precision",),
    "time_precision": ("time_precision",),
}  # fmt: skip


# -- finding columns ---------------------------------------------------------------------


class Columns:
    """Which column holds each role: the caller's choice, else a known name, else (for
    latitude, longitude, date and text) what the sample rows hold."""

    def __init__(self, file: str, header: list[str], names: list[str], sample: list, options: ImportOptions,
                 *, geometry: bool = False) -> None:  # fmt: skip
        self.file, self.header, self.names = file, header, names
        self.width = len(header)
        self.index: dict[str, int | None] = {}
        self.used: dict[str, str] = {}
        self.geometry = geometry
        cells = [c for _, c in sample]
        self.day_first = reads_day_first(cells)
        for role, given in (("lat", options.lat), ("lon", options.lon), ("date", options.date),
                            ("text", options.text)):  # fmt: skip
            if given is not None:
                self.index[role] = self._given(given, role)
        self.sample = cells

    def _given(self, name: str, role: str) -> int:
        option = {"lat": "--lat", "lon": "--lon", "date": "--date", "text": "--text"}[role]
        for i, column in enumerate(self.header):
            if column == name or column.strip().strip("\ufeff") == name:
                return i
        wanted = norm(name)
        for i, column in enumerate(self.names):
            if column == wanted:
                return i
        raise CsvError(f"{self.file} has no column {name!r} (given with {option}); its columns are: "
                       f"{', '.join(self.header)}.")  # fmt: skip

    def has(self, *names: str) -> bool:
        return any(n in self.names for n in names)

    def find(self, role: str, names: Sequence[str] | None = None) -> int | None:
        """The column for ``role``: given by the caller, else the first of ``names`` present."""
        if role not in self.index:
            found = next((self.names.index(n) for n in (names or NAMES[role]) if n in self.names), None)
            self.index[role] = found
        found = self.index[role]
        if found is not None:
            self.used[role] = self.header[found]
        return found

    def require(self, role: str, names: Sequence[str] | None = None, *, dataset: str = "") -> int:
        found = self.find(role, names)
        if found is None and role in ("lat", "lon"):
            found = self._coordinates_by_content(role)
        if found is None:
            label = {"lat": "latitude", "lon": "longitude"}.get(role, role)
            option = {"lat": "--lat", "lon": "--lon", "date": "--date", "text": "--text"}.get(role, "")
            how = f"; name it with {option} COLUMN" if option else ""
            raise CsvError(f"{self.file}: no {label} column found{' for ' + dataset if dataset else ''}{how}; "
                           f"columns are: {', '.join(self.header) or '(none)'}.")  # fmt: skip
        return found

    def _coordinates_by_content(self, role: str) -> int | None:
        """Two columns of decimal numbers: the one past +-90 somewhere is the longitude."""
        numeric = []
        for i in range(self.width):
            values = [r[i] for r in self.sample if i < len(r) and r[i].strip()]
            try:
                numbers = [float(v) for v in values]
            except ValueError:
                continue
            if (
                numbers
                and all(math.isfinite(n) and -180 <= n <= 180 for n in numbers)
                and any("." in v for v in values)
            ):
                numeric.append((i, max(abs(n) for n in numbers)))
        if len(numeric) != 2:
            return None
        (a, a_max), (b, b_max) = numeric
        if (a_max > 90) == (b_max > 90):
            names = f"{self.header[a]} and {self.header[b]}"
            raise CsvError(f"{self.file}: columns {names} look like coordinates, but which is which? "
                           f"Say so with --lat COLUMN --lon COLUMN.")  # fmt: skip
        lat, lon = (b, a) if a_max > 90 else (a, b)
        self.index.update(lat=lat, lon=lon)
        self.used[role] = self.header[lat if role == "lat" else lon]
        return lat if role == "lat" else lon

    def by_content(self, role: str) -> int | None:
        """A date column (most sample values read as days) or a text column (the longest words)."""
        taken = {v for k, v in self.index.items() if v is not None}
        best, best_score = None, 0.0
        for i in range(self.width):
            if i in taken:
                continue
            values = [r[i] for r in self.sample if i < len(r) and r[i].strip()]
            if not values:
                continue
            if role == "date":
                score = sum(try_day(v, self.day_first) is not None for v in values) / len(values)
                good = score >= 0.8
            else:
                score = sum(len(v) for v in values) / len(values)
                good = score >= 20 and sum(" " in v for v in values) / len(values) >= 0.5
            if good and score > best_score:
                best, best_score = i, score
        self.index[role] = best
        if best is not None:
            self.used[role] = self.header[best]
        return best


def getter(columns: Columns, role: str, names: Sequence[str] | None = None) -> Callable[[list], str]:
    """A function of a row giving the cell of ``role`` ("" when the file has no such column)."""
    index = columns.find(role, names)
    if index is None:
        return lambda cells: ""
    return lambda cells: cells[index] if index < len(cells) else ""


def index_of(columns: Columns, role: str, names: Sequence[str]) -> int:
    found = columns.find(role, names)
    return -1 if found is None else found


def check_width(columns: Columns, cells: list) -> None:
    if len(cells) != columns.width:
        raise BadRow(f"{len(cells)} fields where the header has {columns.width} "
                     "(a quote or separator out of place, or a cut-off line?)")  # fmt: skip
