"""conflictmap's Streamlit app (thin: the work is done by the ``geo`` library).

One page per module, in ``app_pages/``: the map of stored events (dates with playback,
filters, counts, table, details, downloads in every export format, all kept in the URL),
adding articles, importing event datasets, looking places up, adding a place, and your places (edit, remove,
re-resolve the stored events). Only the page in view runs. Shared resources and session
state live in ``app_state``. The folder is not called ``pages/``: Streamlit runs a folder of
that name as an old-style multipage app, without this file, until ``st.navigation`` has run.
Run: ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import streamlit as st

import app_state

st.set_page_config(page_title=app_state.TITLE, layout="wide")

# No page icons: a Material icon becomes the browser tab's icon, fetched from fonts.gstatic.com,
# and the app works offline.
MAP = st.Page("app_pages/map.py", title="Map", default=True)
LOOKUP = st.Page("app_pages/lookup.py", title="Look up a place")
# The pages that write: absent in read-only mode, behind the password in password mode.
WRITING = [
    st.Page("app_pages/add_articles.py", title="Add articles"),
    st.Page("app_pages/import_events.py", title="Import events"),
    st.Page("app_pages/add_place.py", title="Add a place"),
    st.Page("app_pages/your_places.py", title="Your places"),
]
policy = app_state.access_policy()
PAGES = [MAP, *WRITING[:2], LOOKUP, *WRITING[2:]] if policy.may_write else [MAP, LOOKUP]

page = st.navigation(PAGES, position="top")
app_state.gazetteer()  # opened (and its index built on the first start) before any page needs it
if page is MAP and app_state.is_place_link():
    st.switch_page(LOOKUP, query_params={"place": st.query_params["place"]})
app_state.enter_page(page.url_path or "map")
st.title(app_state.TITLE)
st.caption(
    "Offline gazetteer of GeoNames places (CC BY 4.0) and Natural Earth geometries "
    "(public domain), with your own additions."
)
if page in WRITING and not app_state.may_write():
    st.stop()  # the password form is shown instead
page.run()
