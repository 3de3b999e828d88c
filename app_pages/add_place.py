"""The Add a place page: drop a point on the map or type it, or give a line or area; the
place goes into your places file and the gazetteer finds it at once. Or upload GeoNames
country files (UA.zip): the library imports every place in them as a regional layer."""

from __future__ import annotations

from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

import app_state
from app_state import plain
from geo.errors import ConflictmapError
from geo.export.mapview import app_base_map
from geo.gazetteer.layers import RawDump, import_geonames


def on_pick() -> None:
    """A click on the map fills in the latitude and longitude of the new place."""
    clicked = (st.session_state.get("pick_map") or {}).get("last_clicked")
    if clicked:
        st.session_state["add_lat"] = round(clicked["lat"], 5)
        st.session_state["add_lon"] = round(clicked["lng"], 5)


def dropped_point() -> folium.FeatureGroup:
    """The point typed or clicked so far, drawn on the map."""
    group = folium.FeatureGroup(name="dropped", control=False)
    lat, lon = st.session_state.get("add_lat"), st.session_state.get("add_lon")
    if lat is not None and lon is not None:
        folium.CircleMarker([lat, lon], radius=8, color="#d62728", fill=True, fill_opacity=0.8,
                            tooltip="the new place").add_to(group)  # fmt: skip
    return group


st.write("Click on the map to drop the point, or type its coordinates. Lines and areas go in the box below.")
picker = app_base_map(Path(app_state.index_path()), basemap_url=app_state.basemap(app_state.index_path(), app_state.data_dir()),
                      assets=app_state.map_assets())  # fmt: skip
st_folium(picker, key="pick_map", feature_group_to_add=dropped_point(),
          height=360, use_container_width=True, returned_objects=["last_clicked"], on_change=on_pick)  # fmt: skip
with st.form("add_place", clear_on_submit=False):
    new_place = app_state.place_form("add")
    submitted = st.form_submit_button("Add place", key="add_place_submit")
if submitted:
    try:
        place = app_state.gazetteer().add_place(new_place)
    except ConflictmapError as err:
        st.error(plain(f"Not saved: {err}"))
    else:
        st.success(plain(f"Added {place.name} ({place.kind}) as {place.id}."))

st.subheader("Or import a GeoNames country file")
st.write("Every village, river, bridge and hill of a country: download its file from the GeoNames export dump "
         "(download.geonames.org/export/dump, e.g. UA.zip) and upload it. Its places rank like the built-in "
         "GeoNames places and stay through rebuilds.")  # fmt: skip
dumps = st.file_uploader("GeoNames files", type=["zip", "txt", "gz"], accept_multiple_files=True,
                         key="geonames_uploads")  # fmt: skip
if st.button("Import", key="geonames_import"):
    if not dumps:
        st.warning("Nothing to import: upload a GeoNames file (e.g. UA.zip) first.")
    else:
        with st.spinner("Importing (a country takes seconds)..."):
            report = import_geonames(
                [RawDump(d.getvalue(), d.name) for d in dumps],
                index_path=Path(app_state.index_path()),
                data_dir=Path(app_state.data_dir()),
            )
        if report.imports:
            app_state.gazetteer_changed()
        for done in report.imports:
            st.success(plain(done.summary()))
        for failure in report.failures:
            st.error(plain(failure))
