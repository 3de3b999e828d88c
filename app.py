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
from geo.explore import EventFilter, counts_by_day, facets, filter_events, highlight
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
map_tab, articles_tab, search_tab, add_tab, mine_tab = st.tabs(
    ["Map", "Add articles", "Look up a place", "Add a place", "Your places"]
)


@st.cache_resource
def open_store(path: str):
    from pathlib import Path

    from geo.store import Store

    return Store(Path(path))


@st.cache_resource(show_spinner="Loading the geoparser...")
def open_extractor(index_path: str, data_dir: str):
    from geo.events import EventExtractor
    from geo.geoparse import Geoparser

    return EventExtractor(Geoparser(open_gazetteer(index_path, data_dir)))


@st.cache_data(show_spinner=False)
def stored_events(store_path: str, version: tuple) -> list:
    return open_store(store_path).events()


@st.cache_data(show_spinner="Drawing the map...")
def map_html(store_path: str, index_path: str, version: tuple, event_filter: EventFilter) -> str:
    """The same self-contained map the export writes, for the filtered events."""
    from pathlib import Path

    from geo.mapview import build_map

    events = filter_events(stored_events(store_path, version), event_filter)
    return build_map(events, title="conflictmap", index_path=Path(index_path)).get_root().render()


store_path = str(config.store_path())
store = open_store(store_path)
version = tuple(
    store.conn.execute(
        "SELECT count(*), max(id), (SELECT count(*) FROM event_sources) FROM events"
    ).fetchone()
)

with map_tab:
    events = stored_events(store_path, version)
    if not events:
        st.info("No events yet. Add articles on the next tab, or ingest them with `conflictmap ingest PATH`.")
    else:
        url_filter = EventFilter.from_query(st.query_params.to_dict())
        for problem in url_filter.problems:
            st.warning(problem)
        offered = facets(events)
        with st.expander("Filters", expanded=True):
            col_a, col_b = st.columns(2)
            default_range = (url_filter.date_from or offered.first, url_filter.date_to or offered.last)
            if offered.first and offered.last and offered.first < offered.last:
                chosen = col_a.slider("Dates", min_value=offered.first, max_value=offered.last,
                                      value=default_range, key="dates")  # fmt: skip
            else:
                chosen = default_range
            text = col_b.text_input("Search the quotes", value=url_filter.text, key="text")
            picked = {}
            for column, (label, key) in zip(
                (col_a, col_b, col_a, col_b),
                (
                    ("Event type", "types"),
                    ("Actor", "actors"),
                    ("Country", "countries"),
                    ("Precision", "precisions"),
                ),
                strict=True,
            ):
                offered_values = getattr(offered, key)
                wanted = [v for v in getattr(url_filter, key) if v in offered_values]
                picked[key] = tuple(column.multiselect(label, offered_values, default=wanted, key=key))
            undated = st.checkbox("Include undated events", value=url_filter.include_undated, key="undated")
        date_from, date_to = chosen if isinstance(chosen, tuple) else (chosen, chosen)
        event_filter = EventFilter(
            date_from=date_from if date_from != offered.first else None,
            date_to=date_to if date_to != offered.last else None,
            **picked, text=text.strip(), include_undated=undated,
        )  # fmt: skip
        for key in ("from", "to", "type", "actor", "country", "precision", "q", "undated"):
            st.query_params.pop(key, None)
        st.query_params.update(event_filter.to_query())
        shown = filter_events(events, event_filter)
        col_1, col_2, col_3, col_4 = st.columns(4)
        col_1.metric("Events", len(shown))
        col_2.metric("Sources", len({s["article_id"] for e in shown for s in e.sources}))
        col_3.metric("Undated", sum(e.date_start is None for e in shown))
        col_4.metric("Fatalities stated", sum(e.fatalities or 0 for e in shown))
        html = map_html(store_path, str(config.index_path()), version, event_filter)
        st.iframe(html, height=600)  # our own page: article text in it is data, set as text
        st.download_button("Download this map (one HTML file, works offline)", html, file_name="conflictmap.html",
                           mime="text/html")  # fmt: skip
        by_day = counts_by_day(shown)
        if by_day:
            st.bar_chart([{"day": d, "type": t, "events": n} for d, t, n in by_day], x="day", y="events", color="type",
                         height=200)  # fmt: skip
        table = [
            {"id": e.id, "date": e.date_start or "undated", "type": e.event_type, "place": e.location,
             "precision": e.geo_precision, "actors": ", ".join(a for a in (e.actor1, e.actor2) if a),
             "sources": len({s["article_id"] for s in e.sources}), "quote": (e.notes or "")[:120]}
            for e in shown
        ]  # fmt: skip
        picked = st.dataframe(
            table, hide_index=True, on_select="rerun", selection_mode="single-row", key="table"
        )
        rows = picked.selection.rows if picked else []
        selected_id = table[rows[0]]["id"] if rows else st.query_params.get("event")
        chosen_event = next((e for e in shown if str(e.id) == str(selected_id)), None)
        if chosen_event is not None:
            st.query_params["event"] = str(chosen_event.id)
            st.subheader(f"{chosen_event.event_type}: {chosen_event.location or 'unknown place'}")
            st.write(f"**When:** {chosen_event.date_start or 'undated'}"
                     f"{' to ' + chosen_event.date_end if chosen_event.date_end not in (None, chosen_event.date_start) else ''}"
                     f" ({chosen_event.time_precision})")  # fmt: skip
            st.write(
                f"**Place:** {chosen_event.location} ({chosen_event.geo_precision}); **why:** {chosen_event.location_reason}"
            )
            for source in chosen_event.sources:
                text_of_article = store.article_text(source["article_id"]) or ""
                st.markdown(f"**{source.get('title') or source['article_id']}** — {source.get('publisher') or ''}"
                            f" {source.get('published') or ''}".replace("<", "&lt;"))  # fmt: skip
                st.markdown(
                    f"<div style='max-height:220px;overflow:auto;font-size:0.9em'>"
                    f"{highlight(text_of_article, source['start'], source['end'])}</div>",
                    unsafe_allow_html=True,  # highlight() escapes the article; only <mark> and <br> are ours
                )

with articles_tab:
    st.write("Upload article files (text, Markdown, HTML) or paste a text. They are read, their places and "
             "events found, and stored; they appear on the map.")  # fmt: skip
    uploads = st.file_uploader(
        "Files", type=["txt", "md", "html", "htm"], accept_multiple_files=True, key="uploads"
    )
    pasted = st.text_area("Or paste an article", key="pasted")
    col_date, col_source = st.columns(2)
    pasted_date = col_date.date_input("Its date", value=None, key="pasted_date")
    pasted_source = col_source.text_input("Its source (publisher)", key="pasted_source")
    if st.button("Add to the map", key="ingest"):
        from geo.articles import parse_article

        jobs = [(u.name, u.getvalue()) for u in uploads or []]
        if pasted.strip():
            jobs.append(("pasted text", pasted))
        if not jobs:
            st.warning("Nothing to add: upload a file or paste a text.")
        extractor = open_extractor(str(config.index_path()), str(config.data_dir()))
        progress = st.progress(0.0, text="Reading...")
        for number, (name, data) in enumerate(jobs, 1):
            kind = "html" if name.lower().endswith((".html", ".htm")) else "text"
            given = {k: v for k, v in {"date": pasted_date.isoformat() if pasted_date else None,
                                       "source": pasted_source or None}.items() if v}  # fmt: skip
            try:
                article = parse_article(data, kind=kind, name=name, **given)
                result = store.ingest(article, extractor)
            except ConflictmapError as err:
                st.error(f"{name}: {err}")
            else:
                verb = "added" if result.new else "was already stored"
                st.success(
                    f"{name} {verb}: {result.events_added} new event(s), {result.events_merged} merged."
                )
            progress.progress(number / len(jobs), text=f"{number} of {len(jobs)}")

with search_tab:
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
        submitted = st.form_submit_button("Add place", key="add_place_submit")
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
    if mine and st.button("Re-resolve the stored events that name these places", key="reresolve"):
        names = [n for p in mine for n in (p.name, *p.alternate_names)]
        extractor = open_extractor(str(config.index_path()), str(config.data_dir()))
        with st.spinner("Re-reading the articles that name your places..."):
            moved = store.reresolve(extractor, names)
        st.cache_data.clear()
        if not moved:
            st.info("No stored event changed place.")
        for item in moved:
            before = item["before"][0] if item["before"] else "-"
            after = item["after"][0] if item["after"] else "-"
            st.write(f"{before} → {after}: {item['quote'][:100]}")
