"""conflictmap's Streamlit app (thin: the work is done by the ``geo`` library).

Pages: the map of stored events (dates with playback, filters, counts, table, details,
download, all kept in the URL), adding articles, looking places up, and adding, editing
and removing your own places with re-resolution of the stored events.
Run: ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import streamlit as st

from geo import config
from geo.gazetteer.user_places import NewPlace
from geo.errors import ConflictmapError
from geo.export.explore import (
    EventFilter,
    MapView,
    clicked_event_id,
    counts_by_day,
    facets,
    filter_events,
    highlight,
    next_window,
    table_rows,
)
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.place import KINDS

st.set_page_config(page_title="conflictmap", layout="wide")


@st.cache_resource(show_spinner="Opening the gazetteer (the first run builds its index, about a minute)...")
def open_gazetteer(index_path: str, data_dir: str) -> Gazetteer:
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
    from geo.store.sqlite import Store

    return Store(Path(path))


@st.cache_resource(show_spinner="Loading the geoparser...")
def open_extractor(index_path: str, data_dir: str):
    from geo.events.extract import EventExtractor
    from geo.parse.pipeline import Geoparser

    return EventExtractor(Geoparser(open_gazetteer(index_path, data_dir)))


@st.cache_resource(show_spinner="Loading the events...", max_entries=2)
def stored_events(store_path: str, version: tuple) -> list:
    """Every stored event, loaded once per store version and shared (never modified)."""
    return open_store(store_path).events()


@st.cache_resource(show_spinner="Preparing the map data...", max_entries=2)
def prepared(store_path: str, index_path: str, version: tuple) -> dict:
    """Every event's map data and table row, made once per store version; a view picks
    its events out of these."""
    import pyarrow as pa

    from geo.export.mapview import event_bounds, event_payload, place_area_lookup

    events = stored_events(store_path, version)
    return {
        "bounds": event_bounds(events),
        "payload": event_payload(events, area_of=place_area_lookup(Path(index_path))),
        "table": pa.Table.from_pylist(table_rows(events)),
        "row_of": {e.id: i for i, e in enumerate(events)},
    }


@st.cache_data(show_spinner=False, max_entries=64)
def view_of(store_path: str, index_path: str, version: tuple, event_filter: EventFilter) -> dict:
    """What the page shows for a filter: the map layer's data, the table and the counts."""
    import pyarrow as pa

    from geo.export.mapview import safe_json, subset_payload

    shown = filter_events(stored_events(store_path, version), event_filter)
    ids = [e.id for e in shown]
    ready = prepared(store_path, index_path, version)
    return {
        "ids": ids,
        "payload": safe_json(subset_payload(ready["payload"], ids)),
        "table": ready["table"].take(pa.array([ready["row_of"][i] for i in ids], type=pa.int64())),
        "metrics": {
            "Events": len(shown),
            "Sources": len({s["article_id"] for e in shown for s in e.sources}),
            "Undated": sum(e.date_start is None for e in shown),
            "Fatalities": sum(e.fatalities or 0 for e in shown),
        },
    }


@st.cache_data(show_spinner=False, max_entries=4)
def facets_of(store_path: str, version: tuple):
    return facets(stored_events(store_path, version))


@st.cache_data(show_spinner=False, max_entries=32)
def per_day(store_path: str, version: tuple, event_filter: EventFilter) -> list:
    return counts_by_day(filter_events(stored_events(store_path, version), event_filter))


def export_of(store_path: str, index_path: str, version: tuple, event_filter: EventFilter):
    """The download's contents, made only when the button is pressed."""

    def make() -> str:
        from geo.export.mapview import map_html

        events = filter_events(stored_events(store_path, version), event_filter)
        return map_html(events, title="conflictmap", index_path=Path(index_path))

    return make


store_path = str(config.store_path())
index_path = str(config.index_path())
store = open_store(store_path)
version = (store.revision(),)  # every write to the store (any process) makes a new version
PLAY_SECONDS = 1.0
METRIC_HELP = {
    "Sources": "Articles reporting the events in view",
    "Fatalities": "Deaths stated in the quotes",
}
FILTER_KEYS = ("from", "to", "type", "actor", "country", "precision", "q", "undated")


def select_event(event_id) -> None:
    st.session_state["selected_event"] = event_id
    if event_id is None:
        st.query_params.pop("event", None)
    else:
        st.query_params["event"] = str(event_id)


def on_map_change() -> None:
    """A marker was clicked (its tooltip ends with the event id; the count tells a second
    click on the same marker) or the map moved."""
    st.session_state["interacted"] = True
    value = st.session_state.get("map") or {}
    clicked = value.get("last_object_clicked_count")
    if clicked != st.session_state.get("map_clicked"):
        st.session_state["map_clicked"] = clicked
        event_id = clicked_event_id(value.get("last_object_clicked_tooltip"))
        if event_id is not None:
            select_event(event_id)
    centre, zoom = value.get("center"), value.get("zoom")
    if centre and zoom is not None:
        longitude = (centre["lng"] + 180) % 360 - 180  # Leaflet's centre can pass the date line
        st.query_params["at"] = MapView(centre["lat"], longitude, int(zoom)).to_query()


def on_table_select() -> None:
    st.session_state["interacted"] = True
    rows = st.session_state["table"].selection.rows
    ids = st.session_state.get("table_ids", [])
    if rows and rows[0] < len(ids):
        select_event(ids[rows[0]])


def on_dates_change() -> None:
    st.session_state["interacted"] = True


def toggle_play() -> None:
    """Play or pause. Playing from a range that already reaches the last day starts
    again from the first day."""
    st.session_state["interacted"] = True
    playing = st.session_state["playing"] = not st.session_state.get("playing", False)
    first, last = st.session_state["span"]
    if playing and st.session_state["dates"][1] >= last:
        st.session_state["dates"] = next_window(st.session_state["dates"], first, last)


def places_stamp() -> tuple | None:
    """When your places file last changed (a cache key for what depends on it)."""
    try:
        stat = gazetteer.user_places.path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def plain(text: str) -> str:
    """Text from a URL or a file, shown as itself and not as Markdown (no injected links)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


@st.cache_data(show_spinner="Reading the article again for the other candidates...", max_entries=256)
def other_candidates(
    store_path: str, version: tuple, event_id: int, places_stamp: tuple | None
) -> list[dict]:
    """The runner-up places for an event's place name, as the resolver saw them in its
    first article (worked out again on demand; the store keeps only the winner)."""
    from geo.parse.pipeline import chosen_and_alternatives

    event = next((e for e in stored_events(store_path, version) if e.id == event_id), None)
    if event is None or not event.sources:
        return []
    source = event.sources[0]
    text = open_store(store_path).article_text(source["article_id"]) or ""
    geoparser = open_extractor(index_path, str(config.data_dir())).geoparser
    found = chosen_and_alternatives(
        geoparser.parse(text), event.gazetteer_id, (source["start"], source["end"])
    )
    if found is None:
        return []
    return [{"id": c.place.id, "name": c.place.name, "kind": c.place.kind, "country": c.place.country, "score": round(c.score, 3),
             "lat": round(c.place.lat, 4), "lon": round(c.place.lon, 4)} for c in found.runners_up[:5]]  # fmt: skip


def show_details(event) -> None:
    """The event's details: when, where and why, the candidates, every source with the
    quote marked in its article."""
    st.subheader(f"{event.event_type}: {event.location or 'unknown place'}")
    end = f" to {event.date_end}" if event.date_end not in (None, event.date_start) else ""
    st.write(f"**When:** {event.date_start or 'undated'}{end} ({event.time_precision})")
    st.write(f"**Place:** {event.location} ({event.geo_precision}); **why:** {event.location_reason}")
    actors = ", ".join(a for a in (event.actor1, event.actor2) if a)
    if actors:
        st.write(f"**Actors:** {actors}")
    alternatives = other_candidates(store_path, version, event.id, places_stamp())
    if alternatives:
        st.write("**Other candidates (not chosen):**")
        st.table(alternatives)
    for source in event.sources:
        text_of_article = store.article_text(source["article_id"]) or ""
        st.markdown(f"**{source.get('title') or source['article_id']}** — {source.get('publisher') or ''}"
                    f" {source.get('published') or ''}".replace("<", "&lt;"))  # fmt: skip
        st.markdown(
            f"<div style='max-height:220px;overflow:auto;font-size:0.9em'>"
            f"{highlight(text_of_article, source['start'], source['end'])}</div>",
            unsafe_allow_html=True,  # highlight() escapes the article; only <mark> and <br> are ours
        )
    if not event.sources and (event.source or event.source_url):
        st.write(f"**Source:** {event.source or ''} {event.source_url or ''}".replace("<", "&lt;"))


PLAYING = st.session_state.get("playing", False)  # the fragment's timer is set when it is defined


@st.fragment(run_every=PLAY_SECONDS if PLAYING else None)
def map_part(base_filter: EventFilter, offered, url_filter: EventFilter) -> None:
    """The dates, the map, the counts, the table and the details: the part that changes
    while playing or scrubbing, rerun on its own."""
    from streamlit_folium import st_folium

    from geo.export.mapview import app_base_map, app_event_layer

    playing = st.session_state.get("playing", False)
    has_range = offered.first and offered.last and offered.first < offered.last
    if "dates" not in st.session_state and has_range:  # from the URL, kept inside the stored dates
        low, high = (min(max(day, offered.first), offered.last)
                     for day in (url_filter.date_from or offered.first, url_filter.date_to or offered.last))  # fmt: skip
        st.session_state["dates"] = (min(low, high), max(low, high))
    st.session_state["span"] = (offered.first, offered.last)
    ticked = not st.session_state.pop("interacted", False)  # no widget moved: the timer ran this
    if playing and PLAYING and ticked and has_range:  # one day on
        st.session_state["dates"] = next_window(st.session_state["dates"], offered.first, offered.last)
    if playing and (not has_range or st.session_state["dates"][1] >= offered.last):
        st.session_state["playing"] = playing = False  # the end
    if playing != PLAYING:  # started or stopped: a whole-page run sets or clears the timer
        st.rerun(scope="app")
    col_play, col_dates = st.columns([1, 5], vertical_alignment="bottom")
    if has_range:
        col_play.button("Pause" if playing else "Play", key="play", on_click=toggle_play,
                        icon=":material/pause:" if playing else ":material/play_arrow:",
                        help="Step through the days, one a second", width="stretch")  # fmt: skip
        date_from, date_to = col_dates.slider("Dates", min_value=offered.first, max_value=offered.last,
                                              key="dates", format="YYYY-MM-DD", on_change=on_dates_change)  # fmt: skip
    else:
        date_from, date_to = offered.first, offered.last
    event_filter = replace(
        base_filter,
        date_from=date_from if date_from != offered.first else None,
        date_to=date_to if date_to != offered.last else None,
    )
    for key in ("from", "to"):
        st.query_params.pop(key, None)
    st.query_params.update({k: v for k, v in event_filter.to_query().items() if k in ("from", "to")})
    view = view_of(store_path, index_path, version, event_filter)
    with st.container(horizontal=True, gap="medium"):  # wraps, not stacks, on a phone
        for label, value in view["metrics"].items():
            st.metric(label, value, width="content", help=METRIC_HELP.get(label))

    if "start_view" not in st.session_state:  # the URL's view, applied once per session
        st.session_state["start_view"] = MapView.from_query(st.query_params.get("at"))
    start_view = st.session_state["start_view"]
    ready = prepared(store_path, index_path, version)
    st_folium(
        app_base_map(Path(index_path), ready["bounds"]),
        key="map",
        feature_group_to_add=app_event_layer(view["payload"]),
        center=(start_view.lat, start_view.lon) if start_view else None,
        zoom=start_view.zoom if start_view else None,
        returned_objects=["last_object_clicked_count", "last_object_clicked_tooltip", "center", "zoom"],
        on_change=on_map_change,
        height=560,
        use_container_width=True,
    )
    st.caption("Click a marker for its details below. The map keeps its place while you change the dates "
               "or filters; the address bar keeps the whole view, so a copied link opens it again.")  # fmt: skip
    st.download_button("Download this map (one HTML file, works offline)",
                       export_of(store_path, index_path, version, event_filter),
                       file_name="conflictmap.html", mime="text/html", key="download", on_click="ignore")  # fmt: skip
    st.session_state["table_ids"] = view["ids"]
    st.dataframe(view["table"], hide_index=True, on_select=on_table_select, selection_mode="single-row",
                 key="table", height=240)  # fmt: skip
    selected = st.session_state.get("selected_event", st.query_params.get("event"))
    row = ready["row_of"].get(int(selected)) if str(selected or "").isdigit() else None
    chosen = stored_events(store_path, version)[row] if row is not None else None
    if chosen is not None:
        show_details(chosen)
        if chosen.id not in set(view["ids"]):
            st.caption("This event is outside the current dates or filters.")
    elif selected:
        st.warning(plain(f"No event {selected} in the store: the link may be older than the data."))


with map_tab:
    events = stored_events(store_path, version)
    if not events:
        st.info("No events yet. Add articles on the next tab, or ingest them with `conflictmap ingest PATH`.")
    else:
        url_filter = EventFilter.from_query(st.query_params.to_dict())
        for problem in url_filter.problems:
            st.warning(plain(problem))
        offered = facets_of(store_path, version)
        with st.expander("Filters", expanded=True):
            col_a, col_b = st.columns(2)
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
            undated = col_a.checkbox(
                "Include undated events", value=url_filter.include_undated, key="undated"
            )
        base_filter = EventFilter(**picked, text=text.strip(), include_undated=undated)
        for key in FILTER_KEYS:
            if key not in ("from", "to"):
                st.query_params.pop(key, None)
        st.query_params.update(base_filter.to_query())
        map_part(base_filter, offered, url_filter)
        by_day = per_day(store_path, version, base_filter)
        if by_day:
            st.caption("Events per day (all dates, with the filters above)")
            st.vega_lite_chart(  # a plain spec: no Altair object to build and validate on each run
                {"data": {"values": [{"day": d, "type": t, "events": n} for d, t, n in by_day]},
                 "mark": {"type": "bar", "tooltip": True}, "height": 200,
                 "encoding": {"x": {"field": "day", "type": "temporal", "title": None},
                              "y": {"field": "events", "type": "quantitative", "aggregate": "sum"},
                              "color": {"field": "type", "type": "nominal"}}},
                width="stretch",
            )  # fmt: skip

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
        from geo.events.articles import parse_article

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
                st.error(plain(f"{name}: {err}"))
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
            st.warning(plain(f"No place named {query!r}. Add it on the 'Add a place' tab."))
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


def place_form(prefix: str, place=None):
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


def on_pick() -> None:
    """A click on the small map fills in the latitude and longitude of the new place."""
    clicked = (st.session_state.get("pick_map") or {}).get("last_clicked")
    if clicked:
        st.session_state["add_lat"] = round(clicked["lat"], 5)
        st.session_state["add_lon"] = round(clicked["lng"], 5)


with add_tab:
    import folium
    from streamlit_folium import st_folium

    from geo.export.mapview import app_base_map

    st.write(
        "Click on the map to drop the point, or type its coordinates. Lines and areas go in the box below."
    )
    dropped = folium.FeatureGroup(name="dropped", control=False)
    if st.session_state.get("add_lat") is not None and st.session_state.get("add_lon") is not None:
        folium.CircleMarker([st.session_state["add_lat"], st.session_state["add_lon"]], radius=8, color="#d62728",
                            fill=True, fill_opacity=0.8, tooltip="the new place").add_to(dropped)  # fmt: skip
    st_folium(app_base_map(Path(index_path)), key="pick_map", feature_group_to_add=dropped, height=360,
              use_container_width=True, returned_objects=["last_clicked"], on_change=on_pick)  # fmt: skip
    with st.form("add_place", clear_on_submit=False):
        new_place = place_form("add")
        submitted = st.form_submit_button("Add place", key="add_place_submit")
    if submitted:
        try:
            place = gazetteer.add_place(new_place)
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
    if "flash" in st.session_state:
        st.success(st.session_state.pop("flash"))
    if not mine:
        st.info("No places of your own yet.")
    for place in mine:
        col_text, col_button = st.columns([5, 1])
        aliases_text = f" (also {', '.join(place.alternate_names)})" if place.alternate_names else ""
        col_text.write(
            f"**{place.name}**{aliases_text}: {place.kind}, {place.lat:.4f}, {place.lon:.4f} `{place.id}`"
        )
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
        with st.expander(f"Edit {place.name}"), st.form(f"edit-{place.id}"):
            edited = place_form(f"edit-{place.id}", place)
            if st.form_submit_button("Save changes", key=f"save-{place.id}"):
                try:
                    saved = gazetteer.update_place(place.id, edited)
                except ConflictmapError as err:
                    st.error(f"Not saved: {err}")
                else:
                    st.session_state["flash"] = (
                        f"Saved {saved.name} ({saved.id}). Re-resolve below to move its events."
                    )
                    st.rerun()
    if store.names_to_reread(mine) and st.button(
        "Re-resolve the stored events that name these places", key="reresolve"
    ):
        names = store.names_to_reread(mine)
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
