"""conflictmap's Streamlit app (thin: every action is one library call).

Today it explores the gazetteer: look a name up and see the ranked candidates with
their scores and reasons, and add, list and remove your own places.
Run: ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import json

import streamlit as st

from geo import config
from geo.additions import NewPlace
from geo.errors import ConflictmapError
from geo.gazetteer import Gazetteer
from geo.places import KINDS

st.set_page_config(page_title="conflictmap", layout="wide")


@st.cache_resource(show_spinner="Opening the gazetteer (the first run builds its index, about a minute)...")
def open_gazetteer(index_path: str, data_dir: str) -> Gazetteer:
    from pathlib import Path

    return Gazetteer.open(Path(index_path), Path(data_dir))


gazetteer = open_gazetteer(str(config.index_path()), str(config.data_dir()))

st.title("conflictmap")
st.caption(
    "Offline gazetteer of GeoNames places (CC BY 4.0) and Natural Earth geometries "
    "(public domain), with your own additions."
)
map_tab, search_tab, add_tab, mine_tab = st.tabs(["Map", "Look up a place", "Add a place", "Your places"])


@st.cache_resource
def open_store(path: str):
    from pathlib import Path

    from geo.store import Store

    return Store(Path(path))


@st.cache_data(show_spinner="Drawing the map...")
def map_html(store_path: str, index_path: str, version: tuple) -> str:
    """The same self-contained map the export writes (cached until the store changes)."""
    from pathlib import Path

    from geo.mapview import build_map

    events = open_store(store_path).events()
    return build_map(events, title="conflictmap", index_path=Path(index_path)).get_root().render()


with map_tab:
    store = open_store(str(config.store_path()))
    version = store.conn.execute("SELECT count(*), max(id) FROM events").fetchone()
    if not version[0]:
        st.info("No events yet. Ingest articles with `conflictmap ingest PATH` (make run ingests seeds/).")
    else:
        html = map_html(str(config.store_path()), str(config.index_path()), tuple(version))
        st.components.v1.html(html, height=640)
        st.download_button("Download this map (one HTML file, works offline)", html, file_name="conflictmap.html",
                           mime="text/html")  # fmt: skip

with search_tab:
    query = st.text_input(
        "Place name", value=st.query_params.get("q", ""), placeholder="Kharkov, Гомель, Pripyat river"
    )
    col_country, col_kind = st.columns(2)
    country = col_country.text_input("Prefer country (ISO code)", max_chars=2, key="search_country")
    kind = col_kind.selectbox("Prefer kind", ["any", *KINDS], key="search_kind")
    if query:
        st.query_params["q"] = query
        try:
            candidates = gazetteer.lookup(
                query, country=country or None, kind=None if kind == "any" else kind, limit=15
            )
        except ConflictmapError as err:
            st.error(str(err))
            candidates = []
        if not candidates and query.strip():
            st.warning(f"No place named {query!r}. Add it on the 'Add a place' tab.")
        if candidates:
            st.table(
                [
                    {
                        "score": round(c.score, 3),
                        "name": c.place.name,
                        "kind": c.place.kind,
                        "country": c.place.country,
                        "region": c.place.admin1,
                        "lat": round(c.place.lat, 4),
                        "lon": round(c.place.lon, 4),
                        "id": c.place.id,
                        "why": "; ".join(c.reasons),
                    }
                    for c in candidates
                ]
            )
            best = candidates[0].place
            with st.expander(f"Geometry of {best.name} ({best.geometry.geom_type})"):
                st.code(json.dumps(best.to_record(with_names=False), ensure_ascii=False)[:5000])

with add_tab:
    with st.form("add_place", clear_on_submit=False):
        name = st.text_input("Name", key="add_name")
        kind_new = st.selectbox("Kind", KINDS, index=KINDS.index("site"), key="add_kind")
        col_lat, col_lon = st.columns(2)
        lat = col_lat.number_input("Latitude", value=None, format="%.5f", key="add_lat")
        lon = col_lon.number_input("Longitude", value=None, format="%.5f", key="add_lon")
        geometry = st.text_area("Or a line / area as WKT or GeoJSON (longitude first)", key="add_geometry")
        aliases = st.text_input("Other names (comma-separated)", key="add_aliases")
        country_new = st.text_input("Country (ISO code)", max_chars=2, key="add_country")
        submitted = st.form_submit_button("Add place")
    if submitted:
        try:
            place = gazetteer.add_place(
                NewPlace(
                    name=name,
                    kind=kind_new,
                    lat=lat,
                    lon=lon,
                    geometry=geometry or None,
                    aliases=[a for a in (x.strip() for x in aliases.split(",")) if a],
                    country=country_new or None,
                )
            )
        except ConflictmapError as err:
            st.error(f"Not saved: {err}")
        else:
            st.success(f"Added {place.name} ({place.kind}) as {place.id}.")

with mine_tab:
    try:
        mine = gazetteer.list_places()
    except ConflictmapError as err:
        st.error(str(err))
        mine = []
    st.caption(f"Stored in {gazetteer.user_places.path}")
    if not mine:
        st.info("No places of your own yet.")
    for place in mine:
        col_text, col_button = st.columns([5, 1])
        aliases_text = f" (also {', '.join(place.alternate_names)})" if place.alternate_names else ""
        col_text.write(
            f"**{place.name}**{aliases_text}: {place.kind}, {place.lat:.4f}, {place.lon:.4f} `{place.id}`"
        )
        if col_button.button("Remove", key=f"remove-{place.id}"):
            gazetteer.remove_place(place.id)
            st.rerun()
