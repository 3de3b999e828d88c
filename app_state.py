"""The app's shared state, in one place: what every page of ``app.py`` imports.

- **Resources** every session shares (``st.cache_resource``): the gazetteer, the event
  store (``SQLiteStore`` opens a connection per thread, so one object serves every
  session) and the event extractor.
- **Data made once per store version** (the store's revision number is the cache key):
  the events as columns, the map's payload, the filter facets, the views of a filter.
- **Session helpers**: which page is in view, the URL state a page keeps while another
  page is open, the selected event, Markdown-safe text, the place form two pages share.

Every operation is a library call; this module only caches and presents.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import streamlit as st
import streamlit.components.v1 as components

from geo import config
from geo.app.access import AccessPolicy
from geo.events.extract import EventExtractor
from geo.events.record import Event
from geo.export import ExportOptions, appcache, export_bytes, mapview
from geo.export.columns import EventColumns
from geo.export.explore import EventFilter, Facets, counts_over_time, table_rows
from geo.export.mapdata import bitset
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.place import KINDS
from geo.gazetteer.user_places import NewPlace
from geo.parse.pipeline import Geoparser, chosen_and_alternatives
from geo.store import Store
from geo.store import open_store as open_store_at

TITLE = "conflictmap"
FILTER_KEYS = ("from", "to", "type", "actor", "country", "precision", "origin", "q", "undated")
MAP_KEYS = (*FILTER_KEYS, "event", "at")  # the map page's URL state

# -- where things are (read on every run: tests point the environment elsewhere) ------------


def index_path() -> str:
    return str(config.index_path())


def data_dir() -> str:
    return str(config.data_dir())


def store_path() -> str:
    return str(config.store_path())


# -- who may do what (geo.app.access) --------------------------------------------------------


def access_policy() -> AccessPolicy:
    """How the app is served (read from the environment on each run: tests change it)."""
    return AccessPolicy.from_env()


def may_write() -> bool:
    """Whether this session may use the pages that write. In password mode it shows the
    password form until the right password is given (then for the rest of the session)."""
    policy = access_policy()
    if not policy.may_write:
        return False
    if not policy.needs_password or st.session_state.get("may_write"):
        return True
    st.info("This page changes the shared data: give the password to use it.")
    with st.form("unlock"):
        given = st.text_input("Password", type="password", key="unlock_password")
        if st.form_submit_button("Unlock", key="unlock_submit"):
            if policy.check_password(given):
                st.session_state["may_write"] = True
                st.rerun()
            time.sleep(1)  # a wrong guess costs a second
            st.error("Wrong password.")
    return False


# -- resources shared by every session -------------------------------------------------------


@st.cache_resource(show_spinner="Opening the gazetteer (the first run builds its index, about a minute)...")
def open_gazetteer(index: str, data: str) -> Gazetteer:
    return Gazetteer.open(Path(index), Path(data))


@st.cache_resource
def open_store(path: str) -> Store:
    return open_store_at(path)


@st.cache_resource(show_spinner="Loading the geoparser...")
def open_extractor(index: str, data: str) -> EventExtractor:
    return EventExtractor(Geoparser(open_gazetteer(index, data)))


def gazetteer() -> Gazetteer:
    return open_gazetteer(index_path(), data_dir())


def gazetteer_changed() -> None:
    """The index file was replaced (a GeoNames layer imported): open it again."""
    open_gazetteer.clear()
    open_extractor.clear()


def store() -> Store:
    return open_store(store_path())


def extractor() -> EventExtractor:
    return open_extractor(index_path(), data_dir())


def version() -> tuple:
    """The store's version: every write (from any process) makes a new one."""
    return (store().revision(),)


def warm() -> None:
    """Load at the server's start what the first visit would wait for (``app_server.py``):
    the gazetteer, if its index is ready (a build waits for the first visit, which says
    so), and the stored events' columns and map files."""
    if Gazetteer.index_ready(Path(index_path()), Path(data_dir())):
        gazetteer()
    if Path(store_path()).exists():
        at, stamp = store_path(), version()
        columns = stored_columns(at, stamp)
        if len(columns):  # the map's files (map_data() declares their route in a visit)
            folder = appcache.cache_folder(data_dir())
            appcache.payload_for(columns, store().conn, at, stamp[0], index_path(), folder)
            appcache.basemap_for(index_path(), folder)
            prepared(at, index_path(), stamp)
            facets_of(at, stamp)  # and what the map page shows first: no filters, every date
            view_of(at, index_path(), stamp, EventFilter())
            over_time(at, stamp, EventFilter())


# -- data made once per store version --------------------------------------------------------


TABLE_ROWS = 1_000  # the table shows the latest events in view, read by id


@st.cache_resource(show_spinner="Loading the events...", max_entries=2)
def stored_columns(store_at: str, version: tuple) -> EventColumns:
    """Every stored event as columns (``EventColumns``), read once per store version and
    shared (never modified): filters, counts and facets work on these, not on Events. Kept
    on disk too (``appcache``): a restart on an unchanged store loads them in a moment."""
    store = open_store(store_at)
    return appcache.columns_for(store.conn, store_at, version[0], appcache.cache_folder(data_dir()))


def event_by_id(store_at: str, event_id: int) -> Event | None:
    """One stored event, with its sources (None when there is no such event)."""
    found = open_store(store_at).events(ids=[event_id])
    return found[0] if found else None


@st.cache_resource(show_spinner="Preparing the map data...", max_entries=2)
def prepared(store_at: str, index: str, version: tuple) -> dict:
    """What the map needs once per store version besides its data: where to look first."""
    return {"bounds": stored_columns(store_at, version).bounds()}


@st.cache_resource(show_spinner="Preparing the map data...", max_entries=2)
def _map_data(store_at: str, index: str, version: tuple) -> dict:
    columns = stored_columns(store_at, version)
    folder = appcache.cache_folder(data_dir())
    path = appcache.payload_for(columns, open_store(store_at).conn, store_at, version[0], index, folder)
    for old in folder.glob("events-*.json"):  # what older versions of the app wrote
        old.unlink(missing_ok=True)
    return {"path": path, "rows": np.flatnonzero(~np.isnan(columns.lat) & ~np.isnan(columns.lon))}


def map_data(store_at: str, index: str, version: tuple) -> dict:
    """Every event's map data (``mapdata.columns_payload``: no popup text, the app shows
    the details beside the map), written once per store version to a file the map fetches
    once per page. Changing the dates or filters then sends only the dates and a bitset.
    The file's address is this session's own (``_served``)."""
    data = _map_data(store_at, index, version)
    return {**data, "url": _served(data["path"])}


@st.cache_resource(show_spinner="Preparing the map...", max_entries=2)
def _basemap_path(index: str, data: str) -> Path:
    return appcache.basemap_for(index, appcache.cache_folder(data))


def basemap(index: str, data: str) -> str:
    """Where this session's map fetches the basemap of the gazetteer index (a file kept
    beside the map data)."""
    return _served(_basemap_path(index, data))


def _served(path: Path) -> str:
    """The address of a map file for this session only, relative to the map's frame
    (/component/streamlit_folium.st_folium/index.html: a sibling path). The server sends
    files of ``map-cache/served/`` alone, each session's under a secret name of its own
    (``appcache.share``): another visitor cannot fetch this session's map files, and the
    rest of the cache (the columns, the store's path) is never sent."""
    token = st.session_state.setdefault("map_files_token", secrets.token_urlsafe(18))
    shared = appcache.share(path, path.parent, token)
    return f"../{_map_files(str(appcache.shared_folder(path.parent)))}/{token}/{shared.name}"


@st.cache_resource
def _map_files(folder: str, name: str = "conflictmap_data") -> str:
    """Serve ``folder`` through Streamlit's component file route (no extra server, no
    config); the name of the route."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return components.declare_component(name, path=folder).name


def map_assets() -> dict[str, str]:
    """Where the map's frame loads Leaflet and the map's own script and styles: files the
    server sends (and the browser keeps), not a quarter of a megabyte in every change."""
    return {name: f"../{_map_files(str(folder), f'conflictmap_{name}_files')}"
            for name, folder in mapview.asset_files().items()}  # fmt: skip


def _mask(store_at: str, version: tuple, event_filter: EventFilter) -> np.ndarray:
    return stored_columns(store_at, version).mask(event_filter, open_store(store_at).conn)


@st.cache_data(show_spinner=False, max_entries=32)
def map_mask(store_at: str, index: str, version: tuple, event_filter: EventFilter) -> str | None:
    """The bitset of the events that pass ``event_filter``'s criteria other than the dates
    (None when it has none: the map filters the dates itself)."""
    no_dates = EventFilter(types=event_filter.types, actors=event_filter.actors, countries=event_filter.countries,
                           precisions=event_filter.precisions, origins=event_filter.origins,
                           text=event_filter.text, include_undated=event_filter.include_undated)  # fmt: skip
    if no_dates == EventFilter():
        return None
    return bitset(_mask(store_at, version, no_dates)[_map_data(store_at, index, version)["rows"]])


@st.cache_data(show_spinner=False, max_entries=64)
def view_of(store_at: str, index: str, version: tuple, event_filter: EventFilter) -> dict:
    """What the map page shows for a filter beside the map: the counts, and the table of
    the latest ``TABLE_ROWS`` events in view (read by id: a million rows would not help)."""
    columns = stored_columns(store_at, version)
    keep = _mask(store_at, version, event_filter)
    ids = columns.latest(keep, TABLE_ROWS)
    return {
        "ids": ids,
        "table": pa.Table.from_pylist(table_rows(open_store(store_at).events(ids=ids))),
        "metrics": columns.metrics(keep),
        "keep": keep,
    }


def in_view(store_at: str, version: tuple, view: dict, event_id: int) -> bool:
    """Whether ``event_id`` is one of the events ``view`` (``view_of``) shows."""
    columns = stored_columns(store_at, version)
    row = np.flatnonzero(columns.ids == event_id)
    return bool(row.size and view["keep"][row[0]])


@st.cache_data(show_spinner=False, max_entries=4)
def facets_of(store_at: str, version: tuple) -> Facets:
    return stored_columns(store_at, version).facets()


@st.cache_data(show_spinner=False, max_entries=32)
def over_time(store_at: str, version: tuple, event_filter: EventFilter) -> tuple[str, list]:
    """The events chart's bars (``explore.counts_over_time``: by day, or by week)."""
    return counts_over_time(stored_columns(store_at, version).counts_by_day(_mask(store_at, version, event_filter)))


def export_of(
    store_at: str, index: str, version: tuple, event_filter: EventFilter, format_name: str
) -> Callable[[], bytes]:
    """The download's contents in one of ``geo.export.FORMATS``, made only when the button is pressed."""

    def make() -> bytes:
        columns = stored_columns(store_at, version)
        ids = columns.ids[_mask(store_at, version, event_filter)].tolist()
        events = open_store(store_at).events(ids=ids) if ids else []
        return export_bytes(events, format_name, ExportOptions(title=TITLE, index_path=Path(index)))

    return make


def article_text(store_at: str, article_id: str) -> str:
    """A stored article's text ("" if it is gone)."""
    article = open_store(store_at).article(article_id)
    return article.text if article else ""


def places_stamp() -> tuple | None:
    """When your places file last changed (a cache key for what depends on it)."""
    try:
        stat = gazetteer().user_places.path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@st.cache_data(show_spinner="Reading the article again for the other candidates...", max_entries=256)
def other_candidates(store_at: str, version: tuple, event_id: int, places_stamp: tuple | None) -> list[dict]:
    """The runner-up places for an event's place name, as the resolver saw them in its
    first article (worked out again on demand; the store keeps only the winner)."""
    event = event_by_id(store_at, event_id)
    if event is None or not event.sources:
        return []
    source = event.sources[0]
    found = chosen_and_alternatives(
        extractor().geoparser.parse(article_text(store_at, source["article_id"])),
        event.gazetteer_id,
        (source["start"], source["end"]),
    )
    if found is None:
        return []
    return [{"id": c.place.id, "name": c.place.name, "kind": c.place.kind, "country": c.place.country, "score": round(c.score, 3),
             "lat": round(c.place.lat, 4), "lon": round(c.place.lon, 4)} for c in found.runners_up[:5]]  # fmt: skip


# -- the session: pages, URL state, selection ------------------------------------------------


def enter_page(name: str) -> None:
    """Note the page this run shows (app.py calls it before the page runs)."""
    previous = st.session_state.get("page")
    st.session_state["page"] = name
    st.session_state["page_changed"] = previous is not None and previous != name


def arrived_from_another_page() -> bool:
    """True on the first run of a page opened from the menu (not a link: that is a new session)."""
    return st.session_state.get("page_changed", False)


def keep_query(page: str, keys: Iterable[str]) -> None:
    """Remember this page's URL state; opening another page from the menu clears the URL."""
    st.session_state[f"query:{page}"] = {k: v for k, v in st.query_params.to_dict().items() if k in keys}


def restore_query(page: str, keys: Iterable[str]) -> None:
    """Put back what ``keep_query`` remembered when the URL has none of ``keys`` (the page
    was opened from the menu, which clears the URL), so the page opens as it was left."""
    if not any(k in st.query_params for k in keys):
        st.query_params.update(st.session_state.get(f"query:{page}", {}))


def is_place_link() -> bool:
    """A link from the one-page app to a place lookup (``/?place=``, nothing of the map's)."""
    return "place" in st.query_params and not any(k in st.query_params for k in MAP_KEYS)


def select_event(event_id: int | None) -> None:
    st.session_state["selected_event"] = event_id
    if event_id is None:
        st.query_params.pop("event", None)
    else:
        st.query_params["event"] = str(event_id)


def plain(text: str) -> str:
    """Text from a URL, a file or an article, shown as itself and not as Markdown (no injected links)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


# -- widgets two pages share ------------------------------------------------------------------


def place_form(prefix: str, place=None) -> NewPlace:
    """The fields of a place (empty, or filled from one of the user's places); returns a
    NewPlace from what was typed."""
    point = place is None or place.geometry.geom_type == "Point"
    name = st.text_input("Name", value=place.name if place else "", key=f"{prefix}_name")
    kinds = list(KINDS)
    kind = st.selectbox(
        "Kind", kinds, index=kinds.index(place.kind if place else "site"), key=f"{prefix}_kind"
    )
    col_lat, col_lon = st.columns(2)
    lat = col_lat.number_input("Latitude", value=place.lat if place and point else None, format="%.5f",
                               key=f"{prefix}_lat")  # fmt: skip
    lon = col_lon.number_input("Longitude", value=place.lon if place and point else None, format="%.5f",
                               key=f"{prefix}_lon")  # fmt: skip
    geometry = st.text_area("Or a line / area as WKT or GeoJSON (longitude first)",
                            value="" if point else place.geometry.wkt, key=f"{prefix}_geometry")  # fmt: skip
    aliases = st.text_input("Other names (comma-separated)",
                            value=", ".join(place.alternate_names) if place else "", key=f"{prefix}_aliases")  # fmt: skip
    country = st.text_input("Country (ISO code)", value=(place.country or "") if place else "", max_chars=2,
                            key=f"{prefix}_country")  # fmt: skip
    return NewPlace(  # both a point and a shape given: validate() refuses, naming the problem
        name=name, kind=kind, lat=lat, lon=lon, geometry=geometry.strip() or None,
        aliases=[a for a in (x.strip() for x in aliases.split(",")) if a], country=country or None,
    )  # fmt: skip
