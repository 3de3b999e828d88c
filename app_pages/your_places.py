"""The Your places page: your own places, to edit or remove, and re-resolving the stored
events that name them (the library re-reads those articles)."""

from __future__ import annotations

import streamlit as st

import app_state
from app_state import plain
from geo.errors import ConflictmapError
from geo.events.ingest import names_to_reread, reresolve
from geo.gazetteer.place import Place

gazetteer = app_state.gazetteer()


def place_row(place: Place) -> None:
    """One place: what it is, a Remove button and an Edit form."""
    col_text, col_button = st.columns([5, 1])
    aliases = f" (also {', '.join(place.alternate_names)})" if place.alternate_names else ""
    col_text.write(f"**{plain(place.name)}**{plain(aliases)}: {place.kind}, {place.lat:.4f}, {place.lon:.4f} "
                   f"`{place.id}`")  # fmt: skip
    if col_button.button("Remove", key=f"remove-{place.id}"):
        try:
            gazetteer.remove_place(place.id)
        except ConflictmapError as err:  # e.g. already removed in another window
            st.session_state["flash"] = str(err)
        else:
            st.session_state["flash"] = (
                f"Removed {place.name} ({place.id}). Re-resolve below to move its events."
            )
        st.rerun()
    with st.expander(plain(f"Edit {place.name}")), st.form(f"edit-{place.id}"):
        edited = app_state.place_form(f"edit-{place.id}", place)
        if st.form_submit_button("Save changes", key=f"save-{place.id}"):
            try:
                saved = gazetteer.update_place(place.id, edited)
            except ConflictmapError as err:
                st.error(plain(f"Not saved: {err}"))
            else:
                st.session_state["flash"] = (
                    f"Saved {saved.name} ({saved.id}). Re-resolve below to move its events."
                )
                st.rerun()


def reresolve_button(mine: list[Place]) -> None:
    """Offered while stored events name your places: re-read those articles and show what moved."""
    store = app_state.store()
    names = names_to_reread(store, mine)
    if not names or not st.button("Re-resolve the stored events that name these places", key="reresolve"):
        return
    with st.spinner("Re-reading the articles that name your places..."):
        moved = reresolve(store, app_state.extractor(), names)
    st.cache_data.clear()
    if not moved:
        st.info("No stored event changed place.")
    for item in moved:
        before = item["before"][0] if item["before"] else "-"
        after = item["after"][0] if item["after"] else "-"
        st.text(f"{before} → {after}: {item['quote'][:100]}")


try:
    mine = gazetteer.list_places()
except ConflictmapError as err:
    st.error(plain(str(err)))
    mine = []
st.caption(plain(f"Stored in {gazetteer.user_places.path}"))
if "flash" in st.session_state:
    st.success(plain(st.session_state.pop("flash")))
if not mine:
    st.info("No places of your own yet.")
for place in mine:
    place_row(place)
reresolve_button(mine)
