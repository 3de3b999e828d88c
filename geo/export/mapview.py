"""The map: events on a Folium map with a time slider, exportable as one offline file.

``build_map(events)`` returns a ``folium.Map`` shared by the HTML export and the app.
Nothing is loaded from the network: Leaflet is inlined from the npm package the project
installs (``package.json``); the events are columns (``mapdata``) drawn on one canvas by
``web/mapview.js``; the basemap is drawn from the
gazetteer (country outlines, borders, major rivers, capitals). OpenStreetMap tiles are
an optional layer, off by default, that only loads when online.

All article and user text reaches the page as JSON data and is put into the page with
``textContent``, never as HTML, so an article containing ``<img onerror=...>`` or
``</script>`` runs nothing.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import folium
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import config
from geo.errors import AssetsMissingError
from geo.events.record import Event
from geo.export.mapdata import OTHER_COLOUR, PRECISIONS, TYPE_COLOURS, event_payload
from geo.gazetteer.reader import PlaceIndex, shared_index

__all__ = ["OTHER_COLOUR", "PRECISIONS", "TYPE_COLOURS", "app_base_map", "app_event_layer", "build_map",
           "event_payload", "map_html", "write_html"]  # fmt: skip

CREDITS = (
    'Places: <a href="https://www.geonames.org">GeoNames</a> (CC BY 4.0) | '
    'Made with <a href="https://www.naturalearthdata.com">Natural Earth</a>'
)
ASSETS = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "leaflet_js": "leaflet/dist/leaflet.js",
}


# Marks a page as a conflictmap export, so a later export may replace it (and nothing else).
EXPORT_MARK = '<meta name="generator" content="conflictmap">'


def assets_dir() -> Path:
    """Where the npm packages are: ``$CONFLICTMAP_ASSETS`` or the checkout's node_modules."""
    env = os.environ.get("CONFLICTMAP_ASSETS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "node_modules"


@lru_cache(maxsize=4)
def _assets(folder: str) -> dict[str, str]:
    root = Path(folder)
    found = {}
    for key, relative in ASSETS.items():
        path = root / relative
        if not path.is_file():
            raise AssetsMissingError(
                f"{path} is missing: the map's scripts come from npm. Run `make install` (npm ci) first."
            )
        found[key] = path.read_text(encoding="utf-8")
    # Leaflet's stylesheet points at icon images: inline them too.
    images = root / "leaflet" / "dist" / "images"

    def inline(match: re.Match) -> str:
        data = base64.b64encode((images / match.group(1)).read_bytes()).decode()
        return f"url(data:image/png;base64,{data})"

    found["leaflet_css"] = re.sub(r"url\(images/([\w\-]+\.png)\)", inline, found["leaflet_css"])
    return found


def safe_json(value) -> str:
    """JSON that cannot end a <script> element or open a comment inside one."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # "{{", "{%" and "{#" only occur inside strings; escaped, no template engine that
    # handles the page (folium's, streamlit-folium's) can read article text as markup.
    return _TEMPLATE_OPENER.sub(r"\\u007b", text)


_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


class RawScript(MacroElement):
    """A MacroElement whose script is rendered once and added as plain text: folium would
    compile each rendered script again as a template, which costs seconds for megabytes of
    event data."""

    def render(self, **kwargs) -> None:
        module = self._template.module
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())


class _Text(Element):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class InlineAssets(RawScript):
    """Leaflet, inlined into the page's head."""

    _template = Template(
        """{% macro header(this, kwargs) %}
<style>{{ this.assets.leaflet_css }}</style>
<script>{{ this.assets.leaflet_js }}</script>
{% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineAssets"
        self.assets = _assets(str(assets_dir()))


WEB = Path(__file__).resolve().parent / "web"


@lru_cache(maxsize=1)
def _own_assets() -> dict[str, str]:
    return {"js": (WEB / "mapview.js").read_text(encoding="utf-8"),
            "css": (WEB / "mapview.css").read_text(encoding="utf-8")}  # fmt: skip


def _data_uri(text: str, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(text.encode()).decode()}"


@lru_cache(maxsize=4)
def _linked_assets(folder: str) -> tuple[list, list]:
    vendor, own = _assets(folder), _own_assets()
    js = [(name, _data_uri(text, "text/javascript"))
          for name, text in (("leaflet", vendor["leaflet_js"]), ("conflictmap", own["js"]))]  # fmt: skip
    css = [("leaflet_css", _data_uri(vendor["leaflet_css"], "text/css"))]
    return js, css + [("conflictmap_css", _data_uri(own["css"], "text/css"))]


def asset_files() -> dict[str, Path]:
    """The folders of the map's scripts and styles, for a server that serves them as files
    (the app): Leaflet's ``dist`` (its stylesheet finds its images there) and ``web``."""
    return {"leaflet": assets_dir() / "leaflet" / "dist", "conflictmap": WEB}


class LinkedAssets(JSCSSMixin, MacroElement):
    """The same scripts as ``InlineAssets`` as links: streamlit-folium loads a map's scripts
    from its links (it does not run inline header scripts). ``served``: where the folders of
    ``asset_files`` are served (the app: then each change of the map sends a few addresses,
    not a quarter of a megabyte); else ``data:`` links, which need no server at all."""

    _template = Template("")

    def __init__(self, served: dict[str, str] | None = None) -> None:
        super().__init__()
        self._name = "LinkedAssets"
        if served:
            leaflet, own = served["leaflet"].rstrip("/"), served["conflictmap"].rstrip("/")
            self.default_js = [("leaflet", f"{leaflet}/leaflet.js"), ("conflictmap", f"{own}/mapview.js")]
            self.default_css = [("leaflet_css", f"{leaflet}/leaflet.css"), ("conflictmap_css", f"{own}/mapview.css")]
        else:
            self.default_js, self.default_css = _linked_assets(str(assets_dir()))


class OfflineMap(folium.Map):
    """A folium Map that links nothing from a CDN (the assets are inlined instead)."""

    default_js: list = []
    default_css: list = []


class EventLayer(RawScript):
    """The events on one canvas (points, clusters, hexagons or counts per country), a time
    slider with playback, a legend with the layers and the list of undated events.
    Behaviour is in ``mapview.js``; the data is one JSON block (``mapdata.event_payload``)."""

    _template = Template(
        """{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<script type="application/json" id="cm-data">{{ this.data }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this.js }}
conflictmapStart({{ this._parent.get_name() }}, JSON.parse(document.getElementById("cm-data").textContent));
{% endmacro %}"""
    )

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = "EventLayer"
        self.data = safe_json(payload)
        self.js, self.css = _own_assets()["js"], _own_assets()["css"]


class Basemap(RawScript):
    """The offline basemap alone (for the app, whose events come and go in a layer):
    ``data`` is its JSON or the JSON of its file's address. ``prefetch``: the address of
    the events' payload, fetched from here on, while the map is still being set up."""

    _template = Template(
        """{% macro script(this, kwargs) %}
{% if this.prefetch %}conflictmapFetch({{ this.prefetch }});{% endif %}
conflictmapBasemap({{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}"""
    )

    def __init__(self, data: str, prefetch: str | None = None) -> None:
        super().__init__()
        self._name = "Basemap"
        self.data = data
        self.prefetch = safe_json(prefetch) if prefetch else None


class EmbeddedEvents(RawScript):
    """The events of the app's current view, in a feature group that streamlit-folium
    swaps without redrawing the map (so the map keeps its centre and zoom). The script is
    small: where the payload is (fetched and decoded once per page) and which events the
    page's dates and filters let through."""

    _template = Template(
        """{% macro script(this, kwargs) %}
conflictmapStart({{ this._parent._parent.get_name() }}, null, {{ this.options }});
{% endmacro %}"""
    )

    def __init__(self, options: str) -> None:
        super().__init__()
        self._name = "EmbeddedEvents"
        self.options = options


@lru_cache(maxsize=2)
def basemap_layers(index_path: str) -> dict:
    """Country outlines, borders, major rivers and capitals from the gazetteer, simplified
    for the page (GeoJSON, lon/lat). Cached per index."""
    index = _open_index(index_path)
    layers: dict[str, list] = {"country": [], "border": [], "river": []}
    tolerance = {"country": 0.05, "border": 0.02, "river": 0.03}
    for name, kind, wkb in index.outlines():
        shape = shapely.set_precision(shapely.simplify(shapely.from_wkb(wkb), tolerance[kind]), 0.001)
        if shape.is_empty:
            continue
        layers[kind].append({"type": "Feature", "properties": {"name": name},
                             "geometry": shapely.geometry.mapping(shape)})  # fmt: skip
    layers["capital"] = [[round(lat, 3), round(lon, 3), name] for name, lat, lon in index.capitals()]
    return layers


def build_map(
    events: Sequence[Event],
    *,
    title: str | None = None,
    basemap: bool = True,
    tiles: bool = True,
    index_path: Path | None = None,
) -> folium.Map:
    """A folium Map of ``events`` with the time slider; self-contained when saved."""
    fmap = OfflineMap(location=[48.5, 31.0], zoom_start=5, tiles=None, prefer_canvas=True,
                      control_scale=True)  # fmt: skip
    fmap.add_child(InlineAssets())
    if tiles:
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            name="OpenStreetMap tiles (online only)",
            attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
            show=False,
            overlay=True,
        ).add_to(fmap)
        folium.LayerControl(collapsed=True).add_to(fmap)
    payload = event_payload(events, title, place_area_lookup(index_path or config.index_path()))
    payload["basemap"] = basemap_layers(str(index_path or config.index_path())) if basemap else None
    fmap.add_child(EventLayer(payload))
    bounds = event_bounds(events)
    if bounds:
        fmap.fit_bounds(bounds)
    return fmap


def app_base_map(
    index_path: Path,
    bounds: list[list[float]] | None = None,
    view: tuple[float, float, int] | None = None,
    basemap_url: str | None = None,
    events_url: str | None = None,
    assets: dict[str, str] | None = None,
) -> folium.Map:
    """The app's map without events: the scripts, the basemap, a starting view:
    ``view`` (lat, lon, zoom: a copied link's) if given, else ``bounds``.

    It stays the same while filters change, so streamlit-folium never redraws it; the
    events come in ``app_event_layer``. (streamlit-folium's own center/zoom arguments only
    move a map already drawn, so a link's view must be the map's own starting view.)
    ``basemap_url``: where the page fetches the basemap (``appcache.basemap_for``), else it
    is inlined. ``events_url``: the payload ``app_event_layer`` will draw, fetched at once.
    ``assets``: where the folders of ``asset_files`` are served, else the scripts go as
    ``data:`` links."""
    lat, lon, zoom = view or (48.5, 31.0, 5)
    fmap = OfflineMap(location=[lat, lon], zoom_start=zoom, tiles=None, prefer_canvas=True,
                      control_scale=True)  # fmt: skip
    fmap.add_child(LinkedAssets(assets))
    data = safe_json(basemap_url) if basemap_url else _basemap_json(str(index_path))
    fmap.add_child(Basemap(data, prefetch=events_url))
    if bounds and not view:
        fmap.fit_bounds(bounds)
    return fmap


def app_event_layer(
    url: str, date_from: date | None = None, date_to: date | None = None, mask: str | None = None
) -> folium.FeatureGroup:
    """A feature group that draws the ``event_payload`` JSON at ``url`` on the app's map:
    the dated events between ``date_from`` and ``date_to`` (inclusive, either open) that
    ``mask`` (``mapdata.event_mask``; None: all) lets through."""
    options = {"embedded": True, "url": url, "mask": mask,
               "from": date_from.toordinal() if date_from else None,
               "to": date_to.toordinal() if date_to else None}  # fmt: skip
    group = folium.FeatureGroup(name="events", control=False)
    group.add_child(EmbeddedEvents(safe_json(options)))
    return group


def event_bounds(events: Sequence[Event]) -> list[list[float]] | None:
    """A box around where the events are, padded; country- and region-level points
    (Russia's is in Siberia) only count when there is nothing more precise."""
    located = [e for e in events if e.latitude is not None]
    framing = [e for e in located if e.geo_precision not in ("country", "region")] or located
    if not framing:
        return None
    lats = [e.latitude for e in framing]
    lons = [e.longitude for e in framing]
    return [[min(lats) - 0.5, min(lons) - 0.5], [max(lats) + 0.5, max(lons) + 0.5]]


@lru_cache(maxsize=2)
def _basemap_json(index_path: str) -> str:
    return safe_json(basemap_layers(index_path))


def place_area_lookup(index_path: Path) -> Callable[[str], dict | None]:
    """Simplified GeoJSON of a gazetteer area by id (None for points and unknown ids)."""

    def area_of(place_id: str) -> dict | None:
        if place_id.startswith("user:"):
            return None
        index = _open_index(str(index_path))
        place = index.get(place_id)
        if place is None or place.geometry.geom_type not in ("Polygon", "MultiPolygon"):
            return None
        shape = shapely.set_precision(shapely.simplify(place.geometry, 0.02), 0.001)
        return shapely.geometry.mapping(shape)

    return area_of


def _open_index(index_path: str) -> PlaceIndex:
    """The process's reader of the gazetteer index, the one lookups use too."""
    return shared_index(Path(index_path))


def is_export(path: Path, head: bytes) -> bool:
    """An earlier HTML export: its head carries ``EXPORT_MARK``."""
    return EXPORT_MARK.encode() in head


def write_html(events: Sequence[Event], stream: BinaryIO, options) -> None:
    """The registry's HTML writer: the self-contained map page."""
    page = map_html(events, title=options.title, progress=options.progress, index_path=options.index_path)
    stream.write(page.encode("utf-8"))


def map_html(
    events: Sequence[Event],
    *,
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
    index_path: Path | None = None,
) -> str:
    """The self-contained HTML page of the map (what ``export_html`` writes)."""
    say = progress or (lambda message: None)
    say(f"building the map of {len(events):,} events")
    fmap = build_map(events, title=title, index_path=index_path)
    say("rendering")
    html = fmap.get_root().render()
    head = EXPORT_MARK + (f"<title>{_escape(title)}</title>" if title else "")
    html = html.replace("<head>", f"<head>{head}", 1)
    return html


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
