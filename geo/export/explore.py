"""Filtering and summarising stored events, for the app and any other front end.

A filter is a value (``EventFilter``) that round-trips through URL query parameters,
so a link reproduces a view.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from geo.events.record import Event

_LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class EventFilter:
    """Which events to show. Empty criteria match everything."""

    date_from: date | None = None
    date_to: date | None = None
    types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()  # datasets ("acled") or whole origins ("acled:ukraine.csv")
    text: str = ""
    include_undated: bool = True
    problems: tuple[str, ...] = field(default=(), compare=False)  # what a URL got wrong

    def matches(self, event: Event) -> bool:
        if event.date_start is None:
            if not self.include_undated:
                return False
        else:
            if self.date_from and event.date_end and event.date_end < self.date_from.isoformat():
                return False
            if self.date_to and event.date_start > self.date_to.isoformat():
                return False
        if self.types and event.event_type not in self.types:
            return False
        if self.actors and not ({event.actor1, event.actor2} & set(self.actors)):
            return False
        if self.countries and event.country not in self.countries:
            return False
        if self.precisions and event.geo_precision not in self.precisions:
            return False
        if self.origins and not any(origin_matches(event.origin, wanted) for wanted in self.origins):
            return False
        if self.text:
            needle = self.text.casefold()
            texts = [event.notes or "", event.location or ""] + [s.get("quote") or "" for s in event.sources]
            if not any(needle in t.casefold() for t in texts):
                return False
        return True

    def to_query(self) -> dict[str, str]:
        """URL query parameters for this filter (empty criteria are left out)."""
        query = {}
        if self.date_from:
            query["from"] = self.date_from.isoformat()
        if self.date_to:
            query["to"] = self.date_to.isoformat()
        for key, values in (("type", self.types), ("actor", self.actors), ("country", self.countries),
                            ("precision", self.precisions), ("origin", self.origins)):  # fmt: skip
            if values:
                query[key] = _LIST_SEPARATOR.join(values)
        if self.text:
            query["q"] = self.text
        if not self.include_undated:
            query["undated"] = "no"
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> EventFilter:
        """A filter from URL query parameters; bad values are dropped and named in ``problems``."""
        problems = []

        def day(key: str) -> date | None:
            value = query.get(key)
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                problems.append(f"Ignored {key}={value!r}: dates are YYYY-MM-DD.")
                return None

        def values(key: str) -> tuple[str, ...]:
            raw = query.get(key) or ""
            return tuple(v for v in raw.split(_LIST_SEPARATOR) if v)

        return cls(
            date_from=day("from"), date_to=day("to"), types=values("type"), actors=values("actor"),
            countries=values("country"), precisions=values("precision"), origins=values("origin"),
            text=query.get("q") or "",
            include_undated=query.get("undated") != "no", problems=tuple(problems),
        )  # fmt: skip


def dataset_of(origin: str) -> str:
    """The dataset an origin names: ``acled`` for ``acled:ukraine.csv``, ``extracted`` for itself."""
    return origin.split(":", 1)[0]


def origin_matches(origin: str, wanted: str) -> bool:
    """Whether an event's ``origin`` is ``wanted``: a dataset (``acled`` matches every
    ``acled:FILE``), a whole origin, or ``imported`` (every origin but ``extracted``). The
    store's ``origin_condition`` is the same rule in SQL.

    >>> [origin_matches("acled:ukraine.csv", w) for w in ("acled", "acled:ukraine.csv", "acle", "imported")]
    [True, True, False, True]
    """
    if wanted == "imported":
        return origin != "extracted"
    return origin == wanted or origin.startswith(f"{wanted}:")


def filter_events(events: Iterable[Event], event_filter: EventFilter) -> list[Event]:
    return [e for e in events if event_filter.matches(e)]


@dataclass(frozen=True)
class Facets:
    """The values the events offer, for the filter widgets."""

    types: tuple[str, ...]
    actors: tuple[str, ...]
    countries: tuple[str, ...]
    precisions: tuple[str, ...]
    first: date | None
    last: date | None
    origins: tuple[str, ...] = ()


def origin_choices(origins: Iterable[str]) -> tuple[str, ...]:
    """What a Dataset filter offers: each dataset, then each file of a dataset with several.

    >>> origin_choices(["extracted", "acled:a.csv", "acled:b.csv", "ucdp:ged.csv"])
    ('acled', 'extracted', 'ucdp', 'acled:a.csv', 'acled:b.csv')
    """
    found = set(origins)
    datasets = Counter(dataset_of(o) for o in found)
    files = sorted(o for o in found if o != dataset_of(o) and datasets[dataset_of(o)] > 1)
    return (*sorted(datasets), *files)


def facets(events: Sequence[Event]) -> Facets:
    days = sorted(d for e in events for d in (e.date_start, e.date_end) if d)
    return Facets(
        types=tuple(sorted({e.event_type for e in events})),
        actors=tuple(sorted({a for e in events for a in (e.actor1, e.actor2) if a})),
        countries=tuple(sorted({e.country for e in events if e.country})),
        precisions=tuple(sorted({e.geo_precision for e in events if e.geo_precision})),
        first=date.fromisoformat(days[0]) if days else None,
        last=date.fromisoformat(days[-1]) if days else None,
        origins=origin_choices(e.origin for e in events),
    )


def counts_by_day(events: Iterable[Event]) -> list[tuple[str, str, int]]:
    """(day, event type, count) for dated events, by start day: the events-over-time chart."""
    counts = Counter((e.date_start, e.event_type) for e in events if e.date_start)
    return [(d, t, n) for (d, t), n in sorted(counts.items())]


def counts_over_time(by_day: list[tuple[str, str, int]], most_bars: int = 150) -> tuple[str, list[tuple[str, str, int]]]:
    """``counts_by_day`` in bins a chart can show: by day, or by week (from Monday) when
    the days span more than ``most_bars`` (a year of days is a bar of two pixels, and a
    chart of thousands of bars is slow to draw). Returns ("day" or "week", the rows)."""
    if not by_day:
        return "day", []
    first, last = date.fromisoformat(by_day[0][0]), date.fromisoformat(by_day[-1][0])
    if (last - first).days < most_bars:
        return "day", by_day
    weeks: Counter = Counter()
    for day, kind, count in by_day:
        start = date.fromisoformat(day)
        weeks[((start - timedelta(days=start.weekday())).isoformat(), kind)] += count
    return "week", [(d, t, n) for (d, t), n in sorted(weeks.items())]


def highlight(text: str, start: int, end: int, *, context: int = 600) -> str:
    """HTML of ``text`` around [start, end) with that part marked; everything escaped."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    before = ("…" if left else "") + html.escape(text[left:start])
    after = html.escape(text[end:right]) + ("…" if right < len(text) else "")
    body = f"{before}<mark>{html.escape(text[start:end])}</mark>{after}"
    return body.replace("\n", "<br>")


def precision_label(precision: str | None) -> str:
    """How precisely an event is placed, as the table and details say it."""
    return "country only" if precision == "country" else (precision or "unknown")


def table_rows(events: Iterable[Event]) -> list[dict]:
    """One row per event for the app's table (the quote cut to 120 characters)."""
    return [
        {"id": e.id, "date": e.date_start or "undated", "type": e.event_type, "place": e.location,
         "precision": precision_label(e.geo_precision), "actors": ", ".join(a for a in (e.actor1, e.actor2) if a),
         "sources": len({s["article_id"] for s in e.sources}) or (1 if e.source else 0),
         "quote": (e.notes or "")[:120]}
        for e in events
    ]  # fmt: skip


def next_window(
    window: tuple[date, date], first: date, last: date, *, width_days: int = 7
) -> tuple[date, date]:
    """The date window one day on, for playback. A window over the whole span starts again
    at ``first``, ``width_days`` wide (narrower for a short span, so there is something to
    step through); a window at the end starts again from ``first`` with its width."""
    low, high = window
    if low <= first and high >= last:
        width = min(width_days, max(1, (last - first).days // 2))
        return first, first + timedelta(days=width - 1)
    if high >= last:
        return first, min(last, first + (high - low))
    return low + timedelta(days=1), high + timedelta(days=1)


_CLICKED_ID = re.compile(r"#(\d+)\s*$")


def clicked_event_id(tooltip: str | None) -> int | None:
    """The event id at the end of a map marker's tooltip ("Battles · … · #12")."""
    match = _CLICKED_ID.search(tooltip or "")
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class MapView:
    """Where the map looks: centre and zoom, as ``lat,lon,zoom`` in a URL (``at=``)."""

    lat: float
    lon: float
    zoom: int

    def to_query(self) -> str:
        return f"{self.lat:.4f},{self.lon:.4f},{self.zoom}"

    @classmethod
    def from_query(cls, value: str | None) -> MapView | None:
        """The view in ``value``, or None when it is missing or not ``lat,lon,zoom`` on Earth."""
        try:
            lat, lon, zoom = (value or "").split(",")
            view = cls(float(lat), float(lon), int(zoom))
        except ValueError:
            return None
        if not (-90 <= view.lat <= 90 and -180 <= view.lon <= 180 and 0 <= view.zoom <= 20):
            return None
        return view
