"""The ``conflictmap`` command line: parse arguments, call the library, print.

Library errors (``ConflictmapError``) become ``Error: ...`` lines and exit code 1;
usage errors exit with 2.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import click
from geopy.geocoders import Nominatim

from geo import config
from geo.app import access
from geo.errors import ConflictmapError, PlaceNotFoundError
from geo.events.evaluate import LOCATORS, evaluate_file
from geo.events.ingest import ExtractorSpec, ingest_many, names_to_reread, reresolve, stdin_source
from geo.export import FORMATS, ExportOptions, appcache, export_bytes, export_events, format_for_path
from geo.export.acled import spreadsheet_safe
from geo.export.compare import compare_origins
from geo.export.datasets import FORMATS as IMPORT_FORMATS
from geo.export.datasets import ImportOptions, import_file
from geo.gazetteer.build import build_index, ensure_index, is_damaged, is_fresh
from geo.gazetteer.geocoder import Gazetteer as GazetteerGeocoder
from geo.gazetteer.layers import import_geonames, list_layers, remove_layer
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.place import Candidate, Place
from geo.gazetteer.sources import Sources
from geo.gazetteer.user_places import NewPlace, UserPlaces, features_from_text, new_place_from_feature
from geo.parse.pipeline import Geoparser, check_text, to_record
from geo.parse.spacy_recognise import SpacyRecogniser
from geo.store import Store, open_store

TEXT_OR_JSON = click.Choice(["text", "json"])


# Control characters (ESC, BEL, CSI...) from articles, imported rows or place names must not
# reach a terminal as themselves: they can retitle it, rewrite lines or worse.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters written as ``\\u001b`` (valid in JSON strings too)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for everything this command prints: control characters escaped."""
    click.echo(terminal_safe(message), err=err, nl=nl)


def _fail_cleanly(func):
    """Turn library errors into ``Error: ...`` and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConflictmapError as err:
            raise click.ClickException(terminal_safe(str(err))) from err

    return wrapper


def _open(ctx: click.Context) -> Gazetteer:
    options = ctx.find_root().obj
    path = options["index"]
    sources = _sources(ctx)
    if not is_fresh(path, sources):
        echo(f"Building the gazetteer index at {path} (about a minute, once)...", err=True)
        ensure_index(path, sources, progress=lambda m: echo(f"  {m}", err=True))
    return Gazetteer.open(path, options["data_dir"], build=False)


def _sources(ctx: click.Context) -> Sources:
    """The index's sources, with the GeoNames layers imported into the data directory."""
    return Sources(layers_dir=config.geonames_layers_dir(ctx.find_root().obj["data_dir"]))


def _user_places(ctx: click.Context) -> UserPlaces:
    return UserPlaces(config.user_places_path(ctx.find_root().obj["data_dir"]))


def _parse_point(value: str | None, option: str = "--near") -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lat, lon = (float(v) for v in value.split(","))
    except ValueError as err:
        raise click.BadParameter(f"expected LAT,LON such as 50.45,30.52, got {value!r}", param_hint=option) from err
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses nan, which compares false
        raise click.BadParameter(f"expected LAT,LON within -90..90 and -180..180, got {value!r}", param_hint=option)
    return (lat, lon)


def _parse_bbox(value: str | None, option: str = "--bbox") -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        south, west, north, east = (float(v) for v in value.split(","))
    except ValueError as err:
        raise click.BadParameter(f"expected SOUTH,WEST,NORTH,EAST, got {value!r}", param_hint=option) from err
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):  # nan fails too
        raise click.BadParameter(
            f"expected SOUTH,WEST,NORTH,EAST in degrees, south at most north, such as 44,22,53,41; got {value!r}",
            param_hint=option,
        )
    return (south, west, north, east)


def _place_line(place: Place) -> str:
    where = ", ".join(p for p in (place.admin1, place.country) if p and p != place.name)
    return f"{place.name} ({place.kind}{', ' + where if where else ''})  {place.lat:.4f}, {place.lon:.4f}  {place.id}"


def _candidates_table(candidates: list[Candidate]) -> str:
    lines = [f"{'score':>6}  {'id':<24} {'name':<28} {'kind':<15} {'cc':<3} {'lat':>9} {'lon':>10}  why"]
    for c in candidates:
        p = c.place
        lines.append(
            f"{c.score:6.3f}  {p.id:<24} {p.name[:28]:<28} {p.kind:<15} {p.country or '':<3}"
            f" {p.lat:9.4f} {p.lon:10.4f}  {'; '.join(c.reasons)}"
        )
    return "\n".join(lines)


@click.group()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar=config.DATA_DIR_ENV,
    help="Folder of your own data (gazetteer additions). Env: CONFLICTMAP_DATA_DIR.",
)
@click.option(
    "--index",
    "index_path",
    type=click.Path(path_type=Path),
    envvar=config.INDEX_ENV,
    help="The gazetteer index file. Env: CONFLICTMAP_INDEX.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    envvar=config.STORE_ENV,
    help="The event store file. Env: CONFLICTMAP_STORE.",
)
@click.version_option(package_name="conflictmap")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, index_path: Path | None, store_path: Path | None) -> None:
    """conflictmap: an offline geoparser and map of conflict events."""
    ctx.obj = {
        "data_dir": data_dir or config.data_dir(),
        "index": index_path or config.index_path(),
        "store": store_path or (data_dir / "events.sqlite" if data_dir else config.store_path()),
    }


@main.command()
@click.argument("name")
@click.option("--country", help="Prefer places in this country (ISO code, e.g. UA).")
@click.option("--kind", help="Prefer places of this kind (city, river, country, border...).")
@click.option("--near", help="Prefer places near LAT,LON.")
@click.option("--bbox", help="Prefer places inside SOUTH,WEST,NORTH,EAST.")
@click.option("--all", "show_all", is_flag=True, help="Show every candidate with its score.")
@click.option("--limit", default=10, show_default=True, help="How many candidates --all shows.")
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.option(
    "--online-fallback",
    is_flag=True,
    help="Ask OpenStreetMap's Nominatim when nothing matches (needs the network).",
)
@click.pass_context
@_fail_cleanly
def geocode(ctx, name, country, kind, near, bbox, show_all, limit, fmt, online_fallback):
    """Find where NAME is."""
    fallback = Nominatim(user_agent="conflictmap") if online_fallback else None
    geocoder = GazetteerGeocoder(_open(ctx), fallback=fallback)
    found = geocoder.geocode(
        name, exactly_one=not show_all, limit=limit, country=country, kind=kind,
        near=_parse_point(near), bbox=_bbox_for_geopy(_parse_bbox(bbox)),
    )  # fmt: skip
    if not found:
        raise click.ClickException(f"No place named {name!r}. Add it: conflictmap gazetteer add --name ...")
    locations = found if isinstance(found, list) else [found]
    if fmt == "json":
        records = [loc.raw for loc in locations]
        echo(json.dumps(records if show_all else records[0], ensure_ascii=False, indent=2))
        return
    for loc in locations:
        raw = loc.raw
        score = f"{raw['score']:.3f}  " if "score" in raw else ""
        echo(
            f"{score}{loc.address}  {loc.latitude:.4f}, {loc.longitude:.4f}  {raw.get('kind', '')}  {raw.get('id', '')}"
        )


def _bbox_for_geopy(box):
    if box is None:
        return None
    south, west, north, east = box
    return [(south, west), (north, east)]


@main.command()
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.pass_context
@_fail_cleanly
def reverse(ctx, lat, lon, fmt):
    """What is at LAT LON: nearest populated place, region and country."""
    result = _open(ctx).reverse(lat, lon)
    if fmt == "json":
        record = result.to_record()
        echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    if result.nearest is None and result.country is None:
        raise click.ClickException(f"Nothing known near {lat}, {lon}.")
    distance = f" ({result.distance_km:.1f} km away)" if result.distance_km is not None else ""
    echo(f"{result.label()}{distance}")


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--spacy-model", help="Recognise mentions with this installed spaCy model instead.")
@click.pass_context
@_fail_cleanly
def parse(ctx, source, fmt, spacy_model):
    """Find and resolve every place SOURCE mentions (a text file, or - for stdin)."""
    text = check_text(source.read())
    recogniser = SpacyRecogniser.load(spacy_model) if spacy_model else None
    records = [to_record(r) for r in Geoparser(_open(ctx), recogniser).parse(text)]
    if fmt == "json":
        echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not records:
        echo("No places found.", err=True)
        return
    echo(f"{'span':>11}  {'text':<24} {'role':<8} {'place id':<22} {'name':<22} {'kind':<8} "
               f"{'lat':>8} {'lon':>9} {'precision':<9} {'conf':>5}  reason")  # fmt: skip
    for r in records:
        echo(
            f"{r['start']:>5}-{r['end']:<5}  {r['text'][:24]:<24} {r['role']:<8} {r['place_id'][:22]:<22} "
            f"{r['name'][:22]:<22} {r['kind'][:8]:<8} {r['lat']:>8.3f} {r['lon']:>9.3f} {r['precision']:<9} "
            f"{r['confidence']:>5.2f}  {r['reason']}{'; ' + r['spatial'] if r['spatial'] else ''}"
        )


@main.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--limit", type=int, help="Only the first N documents of each file.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "both"]), default="both", show_default=True
)
@click.option("--locator", type=click.Choice(list(LOCATORS)), default="model", show_default=True,
              help="For event-location files: the learned locator (as the extractor uses in short "
                   "reports) or the place rules (as in articles). The table warns when the file holds "
                   "sentences the locator was trained on; its held-out figures come from "
                   "python -m geo.events.train_locator.")  # fmt: skip
@click.pass_context
@_fail_cleanly
def eval_command(ctx, paths, limit, fmt, locator):
    """Measure on annotated JSON Lines files, each recognised by its keys: toponyms (the
    geoparser), event triggers with their locations (where events are placed), event
    snippets with a sub-event label (event types), whole articles with the governorate
    of their event (FA-KES), or incident reports with their verified point (text, date,
    lat, lon). See ../shared/eval/README.md."""
    reports, tables = {}, []
    for path in paths:
        report, table = evaluate_file(path, _open(ctx), limit=limit, locator=locator)
        reports[str(path)] = report
        tables.append(table)
    if fmt in ("json", "both"):
        echo(json.dumps(reports if len(paths) > 1 else reports[str(paths[0])], indent=2))
    if fmt in ("table", "both"):
        echo("\n".join(tables))


def _store(ctx: click.Context) -> Store:
    return open_store(ctx.find_root().obj["store"])


def _warm_app(ctx: click.Context, store: Store) -> None:
    """Have the app's map of the store ready for its first visit (issue 13)."""
    options = ctx.find_root().obj
    appcache.warm(store, options["index"], options["data_dir"])


def _extractor_spec(ctx: click.Context) -> ExtractorSpec:
    _open(ctx)  # builds the index first if it is missing or stale
    options = ctx.find_root().obj
    return ExtractorSpec(Path(options["index"]), Path(options["data_dir"]))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--date", "published", help="Publication date (YYYY-MM-DD) for articles that do not say.")
@click.option("--source", help="Publisher, for articles that do not say.")
@click.option("--title", help="Title, for articles that do not say.")
@click.option("--url", help="URL, for articles that do not say.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Extract on a local Dask cluster of this many worker processes.")  # fmt: skip
@click.option("--scheduler", help="Extract on an existing Dask cluster (tcp://HOST:PORT).")
@click.pass_context
@_fail_cleanly
def ingest(ctx, paths, published, source, title, url, workers, scheduler):
    """Read articles into the event store: files, folders, JSON Lines files (.jsonl, one
    article per line: {"text", "title", "date", "source", "url"}), or - for stdin."""
    store, spec = _store(ctx), _extractor_spec(ctx)
    sources = [stdin_source() if str(p) == "-" else p for p in paths]
    given = {"date": published, "source": source, "title": title, "url": url}
    with click.progressbar(
        length=1, label="Ingesting", file=sys.stderr, hidden=not sys.stderr.isatty()
    ) as bar:

        def progress(done: int, total: int, label: str) -> None:
            bar.length = total
            bar.update(done - bar.pos, terminal_safe(label))

        report = ingest_many(sources, store, spec, given=given, workers=workers, scheduler=scheduler,
                             progress=progress)  # fmt: skip
    echo(f"{report.summary()}. Store: {ctx.find_root().obj['store']}")
    _warm_app(ctx, store)
    for failure in report.failures:
        echo(f"Error: {failure}", err=True)
    if report.failures:
        ctx.exit(1)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from err


def _event_filters(command):
    """The --from/--to/--type/--country options shared by `events` and `export`."""
    for option in reversed([
        click.option("--from", "date_from", help="Events on or after this day (YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Events on or before this day (YYYY-MM-DD)."),
        click.option("--type", "event_type", help="Event type, e.g. Battles or Diplomacy."),
        click.option("--country", help="Country (ISO code) of the place or an actor."),
        click.option("--origin", "origins", multiple=True, help=ORIGIN_HELP),
        click.option("--bbox", help="Only events located in this box: SOUTH,WEST,NORTH,EAST (as for geocode)."),
    ]):  # fmt: skip
        command = option(command)
    return command


ORIGIN_HELP = ("Events of this dataset (acled, ucdp, gdelt, csv, geojson, extracted, or imported for all "
               "imported) or of one file (acled:ukraine.csv); repeatable.")  # fmt: skip


def _filtered_events(ctx, date_from, date_to, event_type, country, origins=(), bbox=None):
    store = _store(ctx)
    box = _parse_bbox(bbox)
    found = store.events(date_from=_parse_day(date_from, "--from"), date_to=_parse_day(date_to, "--to"),
                         event_type=event_type, country=country, origins=origins,
                         bbox=(box[1], box[0], box[3], box[2]) if box else None)  # fmt: skip
    if origins and not found:  # a misspelt dataset gives nothing: say what there is
        held = ", ".join(f"{o} ({n:,})" for o, n in store.origins().items()) or "no events"
        echo(f"No events of origin {', '.join(origins)} match; the store holds {held}.", err=True)
    return found


@main.group(invoke_without_command=True)
@_event_filters
@click.option("--format", "fmt", type=click.Choice(["table", "json", "geojson", "csv"]), default="table",
              show_default=True)  # fmt: skip
@click.pass_context
@_fail_cleanly
def events(ctx, date_from, date_to, event_type, country, origins, bbox, fmt):
    """List stored events (or: events delete ID...)."""
    if ctx.invoked_subcommand is not None:
        given = [name for name, value in (("--from", date_from), ("--to", date_to), ("--type", event_type),
                 ("--country", country), ("--origin", origins), ("--bbox", bbox)) if value]  # fmt: skip
        if given:  # never delete more, or other, events than the user meant
            raise click.UsageError(
                f"`events {ctx.invoked_subcommand}` does not apply {', '.join(given)}: give the ids to delete "
                "(list them first with `conflictmap events` and the same filters), or --origin after it."
            )
        return
    found = _filtered_events(ctx, date_from, date_to, event_type, country, origins, bbox)
    if fmt == "json":
        echo(json.dumps([e.to_record() for e in found], ensure_ascii=False, indent=2))
    elif fmt in FORMATS:
        echo(export_bytes(found, fmt).decode("utf-8"), nl=False)
    else:
        echo(
            f"{'id':>4}  {'date':<10} {'prec':<8} {'type':<26} {'location':<24} {'geo':<7} {'src':>3}  quote"
        )
        for e in found:
            echo(
                f"{e.id:>4}  {e.date_start or 'undated':<10} {e.time_precision[:8]:<8} {e.event_type[:26]:<26} "
                f"{(e.location or '')[:24]:<24} {(e.geo_precision or '')[:7]:<7} {len({s['article_id'] for s in e.sources}):>3}  {(e.notes or '')[:60]}"
            )


@events.command("delete")
@click.argument("event_ids", nargs=-1, type=click.IntRange(min=1, max=2**63 - 1))
@click.option("--origin", type=click.Choice(["imported", "extracted"]),
              help="Delete every event of this origin (e.g. all imported rows).")  # fmt: skip
@click.pass_context
@_fail_cleanly
def events_delete(ctx, event_ids, origin):
    """Delete events by id (see `conflictmap events`), or all of one origin."""
    if not event_ids and origin is None:
        raise click.UsageError("Give the ids of the events to delete, or --origin imported.")
    store = _store(ctx)
    deleted = store.delete_events(ids=event_ids or None, origin=origin)
    missing = sorted(set(event_ids) - set(deleted))
    echo(f"Deleted {len(deleted)} event(s).")
    if missing:
        raise click.ClickException(
            f"No event with id {', '.join(map(str, missing))}: see `conflictmap events` for the ids."
        )


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="One of the export formats (default: from --out's suffix, else html).")  # fmt: skip
@_event_filters
@click.option("--title", help="A title (shown on the map).")
@click.option(
    "--force", is_flag=True,
    help="Replace --out even if it is not an earlier export of conflictmap (never a database, never a file "
         "in the data directory).",
)
@click.pass_context
@_fail_cleanly
def export(ctx, out, fmt, date_from, date_to, event_type, country, origins, bbox, title, force):
    """Write the events to a file: a self-contained HTML map (works offline), ACLED-style
    CSV, GeoJSON or GeoParquet."""
    fmt = fmt or format_for_path(out)
    found = _filtered_events(ctx, date_from, date_to, event_type, country, origins, bbox)
    with click.progressbar(length=2, label="Exporting", file=sys.stderr, hidden=len(found) < 5000) as bar:
        options = ExportOptions(title=title, index_path=ctx.find_root().obj["index"],
                                progress=lambda _m: bar.update(1))  # fmt: skip
        size = export_events(found, fmt, out, options, force=force, data_dir=ctx.find_root().obj["data_dir"])
    offline = " It opens offline in any browser." if fmt == "html" else ""
    echo(f"Wrote {out} ({size / 2**20:.1f} MB, {len(found)} events, {fmt}).{offline}")


@main.command()
@click.option("--a", "set_a", required=True, metavar="ORIGIN",
              help="The events to look up: a dataset (acled, ucdp, gdelt, csv, geojson, extracted, imported) "
                   "or one file (acled:ukraine.csv).")  # fmt: skip
@click.option("--b", "set_b", required=True, metavar="ORIGIN", help="The events to find counterparts among.")
@click.option("--km", type=float, default=10.0, show_default=True, help="How far a counterpart may be.")
@click.option("--days", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many days apart a counterpart's start may be.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.pass_context
@_fail_cleanly
def compare(ctx, set_a, set_b, km, days, fmt):
    """Which events of --a have no counterpart in --b, within --km and --days (and the
    counts the other way)? Lists the unmatched events of --a."""
    comparison = compare_origins(_store(ctx), set_a, set_b, km=km, days=days)
    if fmt == "json":
        echo(json.dumps(comparison.to_record(), ensure_ascii=False, indent=2))
        return
    rows = comparison.unmatched_rows()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["id", "date", "type", "place", "quote"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
        echo(buffer.getvalue(), nl=False)
        echo(comparison.summary(), err=True)
        return
    echo(comparison.summary())
    if rows:
        echo(f"\n{set_a} events with no {set_b} counterpart:")
        echo(f"{'id':>6}  {'date':<10} {'type':<26} {'place':<24} quote")
    for row in rows:
        quote = " ".join(row["quote"].split())
        echo(f"{row['id']:>6}  {row['date']:<10} {row['type'][:26]:<26} {row['place'][:24]:<24} {quote[:70]}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@_fail_cleanly
def articles(ctx, fmt):
    """List stored articles."""
    rows = _store(ctx).articles()
    if fmt == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        echo(f"{row['id']}  {row['published'] or 'undated':<10}  {row['language'] or '?':<2}  {row['events']:>3} events  "
                   f"{(row['source'] or '')[:20]:<20}  {(row['title'] or row['path'] or '')[:60]}")  # fmt: skip


SHOWN_PROBLEMS = 20


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS),
              help="The file's format (default: detected from its header or first row).")  # fmt: skip
@click.option("--lat", help="The latitude column (default: found by its name or content).")
@click.option("--lon", help="The longitude column (default: found by its name or content).")
@click.option("--date", "date_column", help="The date column (default: found by its name or content).")
@click.option("--text", help="The column describing the event (default: found by its name or content).")
@click.option("--encoding", help="The files' encoding, e.g. cp1252 (default: detected).")
@click.pass_context
@_fail_cleanly
def import_command(ctx, paths, fmt, lat, lon, date_column, text, encoding):
    """Import events from ACLED, UCDP GED or GDELT files, or any CSV or GeoJSON of
    geolocated incidents. Bad rows are reported and skipped; importing a file again changes
    nothing."""
    store = _store(ctx)
    options = ImportOptions(format=fmt, lat=lat, lon=lon, date=date_column, text=text, encoding=encoding)
    failed = False
    for path in paths:
        with click.progressbar(
            length=1, label=f"Importing {path.name}", file=sys.stderr, hidden=not sys.stderr.isatty()
        ) as bar:

            def progress(done: int, total: int, label: str, bar=bar) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos, label)

            try:
                report = import_file(path, store, options, progress=progress)
            except ConflictmapError as err:
                echo(f"Error: {err}", err=True)
                failed = True
                continue
        echo(report.summary())
        for problem in report.problems[:SHOWN_PROBLEMS]:
            echo(f"Error: {path}, {problem}", err=True)
        if report.bad > SHOWN_PROBLEMS:
            echo(f"... and {report.bad - SHOWN_PROBLEMS:,} more bad rows.", err=True)
        for line in report.repeat_lines(SHOWN_PROBLEMS):
            echo(f"Note: {path}, {line}" if not line.startswith("...") else line, err=True)
        failed = failed or report.bad > 0
    echo(f"Store: {ctx.find_root().obj['store']}", err=True)
    _warm_app(ctx, store)
    if failed:
        ctx.exit(1)


@main.command("reresolve")
@click.option(
    "--all", "everything", is_flag=True, help="Re-read every article, not only those naming your places."
)
@click.pass_context
@_fail_cleanly
def reresolve_command(ctx, everything):
    """Update stored events after gazetteer additions changed how names resolve."""
    store = _store(ctx)
    names = None
    if not everything:
        names = names_to_reread(store, _user_places(ctx).places())
        if not names:
            echo("You have no places of your own; nothing to re-resolve (use --all to re-read everything).")
            return
    moved = reresolve(store, _extractor_spec(ctx).build(), names)
    for item in moved:
        before, after = item["before"], item["after"]
        echo(f"{item['quote'][:70]}\n    {before[0] if before else '-'} -> {after[0] if after else '-'}")
    echo(f"{len(moved)} event(s) moved.")


APP_SERVER = Path(__file__).resolve().parent.parent / "app_server.py"


@main.command("app")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but this machine needs --read-only or --password.")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--read-only", "read_only", is_flag=True,
              help="Serve the map, filters, details, downloads and lookup only: no page that writes.")  # fmt: skip
@click.option("--password", "use_password", is_flag=True,
              help="The pages that write ask for the password in CONFLICTMAP_APP_PASSWORD (asked here if unset).")  # fmt: skip
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name or address others use in their browser (repeatable); other Host headers are refused.")  # fmt: skip
@click.pass_context
@_fail_cleanly
def app_command(ctx, host, port, read_only, use_password, allowed_hosts):
    """Start the app (Streamlit) on this machine only, or, with --read-only or --password, for others."""
    if read_only and use_password:
        raise click.UsageError("Choose one mode: --read-only or --password.")
    env = dict(os.environ)
    env[access.MODE_ENV] = "read-only" if read_only else "password" if use_password else "local"
    if use_password and not env.get(access.PASSWORD_ENV):
        env[access.PASSWORD_ENV] = click.prompt("Password for the pages that write", hide_input=True,
                                                confirmation_prompt=True, err=True)  # fmt: skip
    if allowed_hosts:
        env[access.HOSTS_ENV] = ",".join(allowed_hosts)
    access.AccessPolicy.from_env(env).check_address(host)  # refused here, before anything starts
    if not APP_SERVER.exists():
        raise click.ClickException(f"The app is not here ({APP_SERVER}): run it from a source checkout.")
    options = ctx.find_root().obj
    env.update({config.DATA_DIR_ENV: str(options["data_dir"]), config.INDEX_ENV: str(options["index"]),
                config.STORE_ENV: str(options["store"])})  # fmt: skip
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SERVER), "--server.address", host,
               "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
    ctx.exit(subprocess.call(command, env=env, cwd=APP_SERVER.parent))


@main.group()
def gazetteer():
    """Build the index, look names up, and manage your own places."""


@gazetteer.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
@click.pass_context
@_fail_cleanly
def gazetteer_build(ctx, force):
    """Build the gazetteer index from its sources (only if missing or stale)."""
    path = ctx.find_root().obj["index"]
    say = functools.partial(click.echo, err=True)
    sources = _sources(ctx)
    damage = None if force or not path.exists() else is_damaged(path)
    if damage:
        say(f"The index at {path} is damaged ({damage}): building it again.")
    if force or damage:
        counts = build_index(path, sources, progress=lambda m: say(f"  {m}"))
    elif ensure_index(path, sources, progress=lambda m: say(f"  {m}")):
        counts = Gazetteer.open(path, build=False).index.counts()
    else:
        echo(f"The index at {path} is up to date.")
        return
    layers = counts.pop("layers", {})
    echo(f"Built {path}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for name, added in layers.items():
        echo(f"  GeoNames layer {name}: {added['added']} places, {added['known']} already known")


@gazetteer.command("import-geonames")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--layer", help="Name the layer (one file only); by default the file's name: UA.txt -> UA.")
@click.pass_context
@_fail_cleanly
def gazetteer_import_geonames(ctx, files, layer):
    """Add every place of GeoNames dump FILES (UA.txt or UA.zip from
    download.geonames.org/export/dump, any country or allCountries) to the gazetteer as
    regional layers: ranked like the built-in GeoNames places, and kept across rebuilds."""
    options = ctx.find_root().obj
    report = import_geonames(
        files, index_path=options["index"], data_dir=options["data_dir"], layer=layer,
        sources=_sources(ctx), progress=lambda m: echo(f"  {m}", err=True),
    )  # fmt: skip
    for done in report.imports:
        echo(f"{done.summary()} ({done.seconds:.1f} s)")
    if report.imports:
        echo(f"Saved in {config.geonames_layers_dir(options['data_dir'])}", err=True)
    for failure in report.failures:
        echo(f"Error: {failure}", err=True)
    if report.failures:
        ctx.exit(1)


@gazetteer.command("layers")
@click.option(
    "--remove", "to_remove", metavar="NAME", help="Remove this layer and rebuild the index without it."
)
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.pass_context
@_fail_cleanly
def gazetteer_layers(ctx, to_remove, fmt):
    """List the GeoNames layers you imported (or remove one)."""
    options = ctx.find_root().obj
    if to_remove:
        say = functools.partial(echo, err=True)
        say(f"Removing {to_remove} and rebuilding the index (about a minute)...")
        removed = remove_layer(to_remove, index_path=options["index"], sources=_sources(ctx),
                               progress=lambda m: say(f"  {m}"))  # fmt: skip
        echo(f"Removed the GeoNames layer {removed.name} ({removed.path}).")
        return
    layers = list_layers(sources=_sources(ctx))
    if fmt == "json":
        echo(json.dumps([layer.to_record() for layer in layers], ensure_ascii=False, indent=2))
        return
    if not layers:
        echo(f"No GeoNames layers yet ({_sources(ctx).layers_dir}). Add one: conflictmap gazetteer import-geonames UA.txt",
             err=True)  # fmt: skip
    for layer in layers:
        rows = f"{layer.rows:,} rows" if layer.rows is not None else "rows not recorded"
        source = f" from {layer.source_file}" if layer.source_file else ""
        when = f", imported {layer.imported}" if layer.imported else ""
        echo(f"{layer.name}  {rows}{source}{when}  {layer.path}")


@gazetteer.command("show")
@click.argument("name")
@click.option("--country")
@click.option("--kind")
@click.option("--near", help="LAT,LON")
@click.option("--limit", default=10, show_default=True)
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.pass_context
@_fail_cleanly
def gazetteer_show(ctx, name, country, kind, near, limit, fmt):
    """The candidates for NAME with their scores and why."""
    candidates = _open(ctx).lookup(name, country=country, kind=kind, near=_parse_point(near), limit=limit)
    if fmt == "json":
        echo(json.dumps([c.to_record() for c in candidates], ensure_ascii=False, indent=2))
    elif not candidates:
        raise click.ClickException(f"No place named {name!r}.")
    else:
        echo(_candidates_table(candidates))


@gazetteer.command("add")
@click.option("--name", help="The place's name.")
@click.option("--lat", type=float, help="Latitude of a point (-90..90).")
@click.option("--lon", type=float, help="Longitude of a point (-180..180).")
@click.option("--geometry", help="A line or area as WKT or GeoJSON (longitude first).")
@click.option("--kind", default="site", show_default=True, help="airport, bridge, city, river...")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@click.option("--country", help="ISO 3166-1 code, e.g. UA.")
@click.option("--population", type=int)
@click.option("--note", help="Where the location comes from.")
@click.option(
    "--file",
    "file_",
    type=click.Path(path_type=Path),
    help="A GeoJSON FeatureCollection of places (properties: name, kind, aliases, country).",
)
@click.pass_context
@_fail_cleanly
def gazetteer_add(ctx, name, lat, lon, geometry, kind, aliases, country, population, note, file_):
    """Add your own place (it wins over built-in places of the same name)."""
    user_places = _user_places(ctx)
    if file_ is not None:
        if name or lat is not None or lon is not None or geometry:
            raise click.UsageError("Give either --file or --name with a location, not both.")
        try:
            text = file_.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise click.ClickException(f"Cannot read {file_}: {err}") from err
        news = [new_place_from_feature(f) for f in features_from_text(text, source=str(file_))]
        added = user_places.add_many(news)
    else:
        added = [user_places.add(NewPlace(
            name=name or "", kind=kind, lat=lat, lon=lon, geometry=geometry, aliases=aliases,
            country=country, population=population, note=note,
        ))]  # fmt: skip
    for place in added:
        echo(f"Added {_place_line(place)}")
    echo(f"Saved in {user_places.path}", err=True)


@gazetteer.command("edit")
@click.argument("place_id")
@click.option("--name", help="A new name.")
@click.option("--lat", type=float, help="A new latitude (give --lon too).")
@click.option("--lon", type=float, help="A new longitude (give --lat too).")
@click.option("--geometry", help="A new line or area as WKT or GeoJSON (longitude first).")
@click.option("--kind", help="A new kind.")
@click.option("--alias", "aliases", multiple=True, help="Replaces all other names (repeatable).")
@click.option("--country", help="A new ISO 3166-1 code.")
@click.pass_context
@_fail_cleanly
def gazetteer_edit(ctx, place_id, name, lat, lon, geometry, kind, aliases, country):
    """Change one of your places (what you do not give stays); its id stays the same."""
    user_places = _user_places(ctx)
    place = user_places.get(place_id)
    if place is None:
        raise PlaceNotFoundError(f"No place with id {place_id}. See: conflictmap gazetteer list")
    moved = lat is not None or lon is not None or geometry is not None
    kept_point = not moved and place.geometry.geom_type == "Point"
    saved = user_places.update(place_id, NewPlace(
        name=name or place.name, kind=kind or place.kind,
        lat=lat if moved else (place.lat if kept_point else None),
        lon=lon if moved else (place.lon if kept_point else None),
        geometry=geometry if moved else (None if kept_point else place.geometry),
        aliases=list(aliases) if aliases else list(place.alternate_names),
        country=country or place.country,
    ))  # fmt: skip
    echo(f"Saved {_place_line(saved)}")
    echo(f"Saved in {user_places.path}. Run `conflictmap reresolve` to move stored events.", err=True)


@gazetteer.command("list")
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.pass_context
@_fail_cleanly
def gazetteer_list(ctx, fmt):
    """List your own places."""
    user_places = _user_places(ctx)
    places = user_places.places()
    if fmt == "json":
        echo(json.dumps([p.to_record() for p in places], ensure_ascii=False, indent=2))
        return
    if not places:
        echo(f"No places of your own yet ({user_places.path}).", err=True)
    for place in places:
        aliases = f"  aka {', '.join(place.alternate_names)}" if place.alternate_names else ""
        echo(f"{_place_line(place)}{aliases}")


@gazetteer.command("remove")
@click.argument("place_id")
@click.pass_context
@_fail_cleanly
def gazetteer_remove(ctx, place_id):
    """Remove one of your own places by its id (user:...)."""
    user_places = _user_places(ctx)
    place = user_places.remove(place_id)
    echo(f"Removed {_place_line(place)}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
