"""The Map page: the stored events with dates and playback, filters, counts, the map, the
table, an event's details and a download in every export format; all of it in the URL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

import app_state
from app_state import plain, select_event
from geo.errors import ConflictmapError
from geo.events.record import Event
from geo.export import FORMATS
from geo.export.explore import (
    EventFilter,
    Facets,
    MapView,
    clicked_event_id,
    highlight,
    next_window,
    precision_label,
)
from geo.export.mapview import app_base_map, app_event_layer

PLAY_SECONDS = 1.0
FILTER_HELP = {"origins": "Where the events come from: extracted from articles, or an imported dataset (and file)"}
METRIC_HELP = {
    "Sources": "Articles reporting the events in view",
    "Fatalities": "Deaths stated in the quotes",
}
FILTER_WIDGETS = (
    ("Event type", "types"),
    ("Actor", "actors"),
    ("Country", "countries"),
    ("Precision", "precisions"),
    ("Dataset", "origins"),
)

store_path, index_path = app_state.store_path(), app_state.index_path()
version = app_state.version()
if app_state.arrived_from_another_page():  # opened from the menu: as it was left, not playing
    app_state.restore_query("map", app_state.MAP_KEYS)
    for key in ("start_view", "dates", "playing"):
        st.session_state.pop(key, None)


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


def show_details(event: Event) -> None:
    """The event's details: when, where and why, the candidates, every source with the
    quote marked in its article."""
    # Everything below comes from articles or imported rows: shown as text, never as Markdown.
    st.subheader(plain(f"{event.event_type}: {event.location or 'unknown place'}"))
    end = f" to {event.date_end}" if event.date_end not in (None, event.date_start) else ""
    when = f"{event.date_start or 'undated'}{end} ({event.time_precision})"
    st.markdown(f"**When:** {plain(when)}")
    st.markdown(f"**Place:** {plain(f'{event.location} ({precision_label(event.geo_precision)})')}; "
                f"**why:** {plain(event.location_reason or '')}")  # fmt: skip
    actors = ", ".join(a for a in (event.actor1, event.actor2) if a)
    if actors:
        st.markdown(f"**Actors:** {plain(actors)}")
    try:
        alternatives = app_state.other_candidates(store_path, version, event.id, app_state.places_stamp())
    except ConflictmapError as err:  # the details stay readable; the problem is named
        alternatives = []
        st.warning(plain(f"The other candidates cannot be worked out: {err}"))
    if alternatives:
        st.write("**Other candidates (not chosen):**")
        st.table(alternatives)
    for source in event.sources:
        language = f" ({source['language']})" if source.get("language") else ""
        publisher = f"{source.get('publisher') or ''} {source.get('published') or ''}{language}"
        st.markdown(f"**{plain(source.get('title') or source['article_id'])}** — {plain(publisher)}")
        st.markdown(
            f"<div style='max-height:220px;overflow:auto;font-size:0.9em'>"
            f"{highlight(app_state.article_text(store_path, source['article_id']), source['start'], source['end'])}"
            "</div>",
            unsafe_allow_html=True,  # highlight() escapes the article; only <mark> and <br> are ours
        )
    if not event.sources and (event.source or event.source_url):
        named = f"{event.source or ''} {event.source_url or ''}"
        st.markdown(f"**Source:** {plain(named)}")


def download(event_filter: EventFilter) -> None:
    """A format of the export registry and its download, made only when the button is pressed."""
    col_format, col_button = st.columns([3, 2], vertical_alignment="bottom")
    name = col_format.selectbox("Download format", list(FORMATS), key="export_format",
                                format_func=lambda n: f"{n}: {FORMATS[n].description}")  # fmt: skip
    fmt = FORMATS[name]
    col_button.download_button(
        f"Download the events in view ({fmt.suffix})",
        app_state.export_of(store_path, index_path, version, event_filter, fmt.name),
        file_name=f"{app_state.TITLE}{fmt.suffix}", mime=fmt.media_type, key="download", on_click="ignore",
        icon=":material/download:", width="stretch",
    )  # fmt: skip


PLAYING = st.session_state.get("playing", False)  # the fragment's timer is set when it is defined


@st.fragment(run_every=PLAY_SECONDS if PLAYING else None)
def map_part(base_filter: EventFilter, offered: Facets, url_filter: EventFilter) -> None:
    """The dates, the map, the counts, the table and the details: the part that changes
    while playing or scrubbing, rerun on its own."""
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
    # The map first (its data is already in the page: only the dates and a bitset go), then
    # the counts above it and the table below, which take longer with many events.
    metrics = st.container(horizontal=True, gap="medium")  # wraps, not stacks, on a phone
    if "start_view" not in st.session_state:  # the URL's view, applied once per visit of the page
        st.session_state["start_view"] = MapView.from_query(st.query_params.get("at"))
    start_view = st.session_state["start_view"]
    ready = app_state.prepared(store_path, index_path, version)
    data = app_state.map_data(store_path, index_path, version)
    st_folium(
        app_base_map(
            Path(index_path),
            ready["bounds"],
            (start_view.lat, start_view.lon, start_view.zoom) if start_view else None,
            basemap_url=app_state.basemap(index_path, app_state.data_dir()),
            events_url=data["url"],
            assets=app_state.map_assets(),
        ),
        key="map",
        feature_group_to_add=app_event_layer(
            data["url"], event_filter.date_from, event_filter.date_to,
            app_state.map_mask(store_path, index_path, version, base_filter),
        ),
        center=(start_view.lat, start_view.lon) if start_view else None,
        zoom=start_view.zoom if start_view else None,
        returned_objects=["last_object_clicked_count", "last_object_clicked_tooltip", "center", "zoom"],
        on_change=on_map_change,
        height=560,
        use_container_width=True,
    )  # fmt: skip
    view = app_state.view_of(store_path, index_path, version, event_filter)
    with metrics:
        for label, value in view["metrics"].items():
            st.metric(label, value, width="content", help=METRIC_HELP.get(label))
    st.caption("Click a marker for its details below. The map keeps its place while you change the dates "
               "or filters; the address bar keeps the whole view, so a copied link opens it again.")  # fmt: skip
    download(event_filter)
    st.session_state["table_ids"] = view["ids"]
    shown = view["metrics"]["Events"]
    if shown > len(view["ids"]):
        st.caption(f"The table lists the latest {len(view['ids']):,} of the {shown:,} events in view; "
                   "the download has them all.")  # fmt: skip
    st.dataframe(view["table"], hide_index=True, on_select=on_table_select, selection_mode="single-row",
                 key="table", height=240)  # fmt: skip
    selected = st.session_state.get("selected_event", st.query_params.get("event"))
    wanted = str(selected or "")
    event_id = int(wanted) if wanted.isascii() and wanted.isdigit() else None  # not "²"
    chosen = app_state.event_by_id(store_path, event_id) if event_id is not None else None
    if chosen is not None:
        show_details(chosen)
        if not app_state.in_view(store_path, version, view, chosen.id):
            st.caption("This event is outside the current dates or filters.")
    elif selected:
        st.warning(plain(f"No event {selected} in the store: the link may be older than the data."))
    app_state.keep_query("map", app_state.MAP_KEYS)


def filters(url_filter: EventFilter, offered: Facets) -> EventFilter:
    """The filter widgets, started from the URL; the filter they make goes back into the URL."""
    with st.expander("Filters", expanded=True):
        col_a, col_b = st.columns(2)
        text = col_b.text_input("Search the quotes", value=url_filter.text, key="text")
        picked = {}
        for column, (label, key) in zip((col_a, col_b, col_a, col_b, col_a), FILTER_WIDGETS, strict=True):
            offered_values = getattr(offered, key)
            wanted = [v for v in getattr(url_filter, key) if v in offered_values]
            picked[key] = tuple(column.multiselect(label, offered_values, default=wanted, key=key,
                                                   help=FILTER_HELP.get(key)))  # fmt: skip
        undated = col_b.checkbox("Include undated events", value=url_filter.include_undated, key="undated")
    base_filter = EventFilter(**picked, text=text.strip(), include_undated=undated)
    for key in app_state.FILTER_KEYS:
        if key not in ("from", "to"):
            st.query_params.pop(key, None)
    st.query_params.update(base_filter.to_query())
    return base_filter


def events_per_day(base_filter: EventFilter) -> None:
    unit, counts = app_state.over_time(store_path, version, base_filter)
    if counts:
        st.caption(f"Events per {unit}{' (weeks from Monday)' if unit == 'week' else ''}, "
                   "all dates, with the filters above")  # fmt: skip
        st.vega_lite_chart(  # a plain spec: no Altair object to build and validate on each run
            {"data": {"values": [{unit: d, "type": t, "events": n} for d, t, n in counts]},
             "mark": {"type": "bar", "tooltip": True}, "height": 200,
             "encoding": {"x": {"field": unit, "type": "temporal", "title": None},
                          "y": {"field": "events", "type": "quantitative", "aggregate": "sum"},
                          "color": {"field": "type", "type": "nominal"}}},
            width="stretch",
        )  # fmt: skip


if not len(app_state.stored_columns(store_path, version)):
    st.info(
        "No events yet. Add articles on the 'Add articles' page, or ingest them with `conflictmap ingest PATH`."
    )
else:
    url_filter = EventFilter.from_query(st.query_params.to_dict())
    for problem in url_filter.problems:
        st.warning(plain(problem))
    offered = app_state.facets_of(store_path, version)
    base_filter = filters(url_filter, offered)
    map_part(base_filter, offered, url_filter)
    events_per_day(base_filter)
