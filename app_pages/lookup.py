"""The Look up a place page: ranked gazetteer candidates for a name, with why each ranks
where it does; the name is kept in the URL (``?place=``)."""

from __future__ import annotations

import json

import streamlit as st

import app_state
from app_state import plain
from geo.errors import ConflictmapError
from geo.gazetteer.place import KINDS

if app_state.arrived_from_another_page():
    app_state.restore_query("lookup", ("place",))
query = st.text_input(
    "Place name", value=st.query_params.get("place", ""), placeholder="Kharkov, Гомель, Pripyat river",
    key="place_query",
)  # fmt: skip
col_country, col_kind = st.columns(2)
country = col_country.text_input("Prefer country (ISO code)", max_chars=2, key="search_country")
kind = col_kind.selectbox("Prefer kind", ["any", *KINDS], key="search_kind")
if query:
    st.query_params["place"] = query
    try:
        candidates = app_state.gazetteer().lookup(
            query, country=country or None, kind=None if kind == "any" else kind, limit=15
        )
    except ConflictmapError as err:  # e.g. your places file is damaged: say so, not "no place"
        st.error(plain(str(err)))
        candidates = None
    if candidates == [] and query.strip():
        st.warning(plain(f"No place named {query!r}. Add it on the 'Add a place' page."))
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
        with st.expander(plain(f"Geometry of {best.name} ({best.geometry.geom_type})")):
            st.code(json.dumps(best.to_record(with_names=False), ensure_ascii=False)[:5000])
else:
    st.query_params.pop("place", None)
app_state.keep_query("lookup", ("place",))
