"""The one ingest path: sources in, articles read, events extracted, everything stored.

``ingest_many`` is what the CLI (``conflictmap ingest``) and the app ("Add articles") call.

- **Sources**: files and folders (text, Markdown, HTML), JSON Lines files (one article per
  line: ``{"text", "title", "date", "source", "url"}``, the shape news APIs and archives
  deliver), and in-memory texts (``RawArticle``: stdin, an upload, a pasted text).
- **Metadata, one rule**: what the article itself says (front matter, HTML metadata, a
  sidecar ``.meta.json``, a JSON Lines record, a dateline) wins; ``given`` values (the
  CLI's ``--date``/``--source``..., the app's fields) fill only what is missing.
- **Parallel**: with ``workers`` > 1, or a ``scheduler`` address, extraction runs on a
  Dask cluster (a local one, or an existing one). Each worker builds its extractor once from
  an ``ExtractorSpec`` (paths only, so it pickles). Articles are read here and events come
  back as plain records; this process writes them one article per transaction, in input
  order, so the store ends up exactly as after a serial run (same events, same ids).
- One bad source never stops the others: it is reported in ``IngestReport.failures``.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo import config
from geo.errors import ArticleError, ClusterError, ConflictmapError
from geo.events.articles import Article, apply_metadata, iter_paths, parse_article, read_article
from geo.events.extract import EventExtractor
from geo.events.record import Event
from geo.events.rules import load_rules
from geo.gazetteer.lookup import Gazetteer
from geo.parse.pipeline import Geoparser

if TYPE_CHECKING:  # the store sits above this layer; only its protocol is named here
    from geo.store.base import Store

JSONL_SUFFIXES = (".jsonl", ".ndjson")
BATCH_MAX = 32  # articles per Dask task
# Dask's housekeeping on each worker (a stack-sampling profiler every 10 ms, an event-loop
# watchdog every 20 ms, system and memory monitors) competes with pure Python work for the
# GIL: with it, extraction took 25% more CPU on a worker than in a plain process
# (bench/ingest_bench.py, 2 cores). Our tasks are short and small, so it can be sparse.
WORKER_CONFIG = {
    # Worker processes fork from a server that has imported Dask once (not a fresh
    # interpreter each): a second less per worker to start.
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}
METADATA_KEYS = ("date", "source", "title", "url")


@dataclass(frozen=True)
class RawArticle:
    """An article that is not a file: stdin, an uploaded file's bytes, a pasted text."""

    data: bytes | str
    name: str
    kind: str = "text"  # "text" or "html"


@dataclass(frozen=True)
class ExtractorSpec:
    """How to build an ``EventExtractor``: paths only, so it travels to Dask workers."""

    index_path: Path
    data_dir: Path

    def build(self) -> EventExtractor:
        """The extractor, built once per process (a worker reuses it for every article),
        and again when the user's places or rules change."""
        return _extractor_for(self, _stamp(config.user_places_path(self.data_dir)), _stamp(self.rules_path))

    @property
    def rules_path(self) -> Path:
        return self.data_dir / "event_rules.toml"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _extractor_for(spec: ExtractorSpec, *_stamps) -> EventExtractor:
    gazetteer = Gazetteer.open(spec.index_path, spec.data_dir, build=False)
    return EventExtractor(Geoparser(gazetteer), load_rules(spec.rules_path))


@dataclass
class IngestReport:
    """What one ``ingest_many`` did."""

    new: int = 0  # articles stored now
    seen: int = 0  # articles already stored (nothing changed)
    added: int = 0  # new events
    merged: int = 0  # reports merged into events already stored
    failures: list[str] = field(default_factory=list)  # one line per source that failed

    def summary(self) -> str:
        return (
            f"{self.new} new article(s), {self.seen} already stored; "
            f"{self.added} new event(s), {self.merged} merged into known events"
        )


Progress = Callable[[int, int, str], None]  # (done, total, the source just finished)


def ingest_many(
    sources: Iterable[Path | RawArticle],
    store: Store,
    extractor: EventExtractor | ExtractorSpec,
    *,
    given: dict[str, str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Read every source, extract its events and store them; see the module docstring."""
    given = {k: v for k, v in (given or {}).items() if v}
    unknown = set(given) - set(METADATA_KEYS)
    if unknown:
        raise ArticleError(f"Unknown metadata {sorted(unknown)}: give any of {', '.join(METADATA_KEYS)}.")
    parallel = workers > 1 or bool(scheduler)
    if parallel and not isinstance(extractor, ExtractorSpec):
        raise ClusterError("Parallel ingest needs an ExtractorSpec (paths), not an extractor object.")
    # The cluster starts (and its workers open their gazetteers) while this process reads.
    cluster = _DaskExtraction(extractor, workers, scheduler) if parallel else None
    try:
        return _ingest(sources, store, extractor, given, cluster, progress)
    finally:
        if cluster is not None:
            cluster.close()


def _ingest(sources, store, extractor, given, cluster, progress) -> IngestReport:
    report = IngestReport()
    jobs = list(_expand(sources))
    total, done = len(jobs), 0
    pending = []
    for label, article in _read_all(jobs, given, report):
        if article is not None and not store.has_article(article.id):
            pending.append((label, article))
            continue
        report.seen += article is not None
        done += 1
        if progress:
            progress(done, total, label)
    if cluster is not None:
        results = cluster.results(pending)
    else:
        built = extractor.build() if isinstance(extractor, ExtractorSpec) else extractor
        results = ((label, article, _extract(built, article)) for label, article in pending)
    for label, article, outcome in results:
        if isinstance(outcome, str):
            report.failures.append(f"{label}: {outcome}")
        else:
            try:
                result = store.add(article, outcome)
            except Exception as err:  # noqa: BLE001 (one article never stops the others)
                report.failures.append(f"{label}: {describe(err)}")
            else:
                report.new += result.new
                report.seen += not result.new
                report.added += result.events_added
                report.merged += result.events_merged
        done += 1
        if progress:
            progress(done, total, label)
    return report


def reresolve(store: Store, extractor: EventExtractor, names: Iterable[str] | None = None) -> list[dict]:
    """Read the stored articles that mention any of ``names`` (all if None) again, after the
    gazetteer changed, and replace their events. Returns what moved:
    ``[{article_id, quote, before, after}]`` with (location, gazetteer id, lat, lon)."""
    wanted = [n.lower() for n in names] if names is not None else None
    moved = []
    for row in store.articles():
        article = store.article(row["id"])
        if article is None or (wanted is not None and not any(n in article.text.lower() for n in wanted)):
            continue
        before = _locations(store, article.id)
        store.replace(article, extractor.extract(article))
        after = _locations(store, article.id)
        for quote, old in before.items():
            if after.get(quote) != old:
                moved.append(
                    {"article_id": article.id, "quote": quote, "before": old, "after": after.get(quote)}
                )
    return moved


def names_to_reread(store: Store, places: Iterable) -> list[str]:
    """What ``reresolve`` should look for after the user's places changed: every name of
    ``places``, and the names of events now at a ``user:`` place, which an edit may have
    renamed or a removal taken away."""
    names = [n for p in places for n in (p.name, *p.alternate_names)]
    return list(dict.fromkeys(names + store.locations_at("user:")))


def _locations(store: Store, article_id: str) -> dict[str, tuple]:
    return {
        f"{s['quote']} [{e.event_type}]": (e.location, e.gazetteer_id, e.latitude, e.longitude)
        for e in store.events(article_id=article_id)
        for s in e.sources
        if s["article_id"] == article_id
    }


def _extract(extractor: EventExtractor, article: Article) -> list[Event] | str:
    """The events, or the error's message (so one article cannot stop the run)."""
    try:
        return extractor.extract(article)
    except Exception as err:  # noqa: BLE001 (one article never stops the others)
        return describe(err)


def describe(err: Exception) -> str:
    """An error as one line: our own errors say what to do; others also name their kind."""
    return str(err) if isinstance(err, ConflictmapError) else f"{type(err).__name__}: {err}"


def _extract_batch(spec: ExtractorSpec, articles: list[Article]) -> list[list[Event] | str]:
    """A worker's task: several articles at once (one task per article costs Dask more
    than the extraction itself on short news)."""
    extractor = spec.build()
    return [_extract(extractor, article) for article in articles]


def _warm(spec: ExtractorSpec) -> None:
    spec.build()


class _DaskExtraction:
    """Extraction on a Dask cluster (a local one, or one at ``scheduler``), started in the
    background at once; ``results`` gives them back in input order, a window at a time."""

    def __init__(self, spec: ExtractorSpec, workers: int, scheduler: str | None) -> None:
        self.spec, self.workers, self.scheduler = spec, workers, scheduler
        self.client = self.cluster = None
        self._starting = ThreadPoolExecutor(1, thread_name_prefix="dask-start").submit(self._start)

    def _start(self) -> None:
        try:
            import dask  # imported here: it adds a second to every command that does not need it
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            raise ClusterError(
                f"Parallel ingest needs dask.distributed ({err}): pip install 'dask[distributed]'."
            ) from err
        dask.config.set(WORKER_CONFIG)
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout="10s")
            else:
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None)  # fmt: skip
                self.client = Client(self.cluster)
        except (OSError, TimeoutError, RuntimeError) as err:
            raise ClusterError(
                f"Cannot reach the Dask scheduler {self.scheduler or 'local'}: {err}."
            ) from err
        except ValueError as err:  # "missing port number in address 'dask-host'"
            raise ClusterError(
                f"The Dask scheduler address {self.scheduler!r} is not one ({err}): "
                "give it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786."
            ) from err
        self.client.run(_warm, self.spec)  # every worker opens its gazetteer now, not on its first batch

    def results(self, pending: list[tuple[str, Article]]) -> Iterator[tuple[str, Article, list[Event] | str]]:
        self._starting.result()  # raises the ClusterError of a failed start
        client = self.client
        slots = max(1, len(client.scheduler_info().get("workers", {})) or self.workers)
        size = max(1, min(BATCH_MAX, len(pending) // (slots * 8)))
        batches = iter([pending[i : i + size] for i in range(0, len(pending), size)])
        queue: deque = deque()

        def submit_next() -> None:
            batch = next(batches, None)
            if batch is not None:
                articles = [a for _, a in batch]
                queue.append((batch, client.submit(_extract_batch, self.spec, articles, pure=False)))

        for _ in range(slots * 3):  # enough in flight to keep every worker busy
            submit_next()
        while queue:
            batch, future = queue.popleft()
            submit_next()
            for (label, article), outcome in zip(batch, future.result(), strict=True):
                yield label, article, outcome

    def close(self) -> None:
        try:
            self._starting.result()
        except ClusterError:
            pass
        finally:
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()


def _expand(sources: Iterable[Path | RawArticle]) -> Iterator[tuple[str, Callable[[], list[Article]]]]:
    """(label, reader) per source: a reader returns the article(s) or raises ArticleError."""
    files = []
    for source in sources:
        if isinstance(source, RawArticle):
            yield source.name, _raw_reader(source)
        else:
            files.append(Path(source))
    for path in iter_paths(files):
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _jsonl_readers(path)
        else:
            yield str(path), _file_reader(path)


def _raw_reader(source: RawArticle) -> Callable[[], list[Article]]:
    return lambda: [parse_article(source.data, kind=source.kind, name=source.name)]


def _file_reader(path: Path) -> Callable[[], list[Article]]:
    return lambda: [read_article(path)]


def _jsonl_readers(path: Path) -> Iterator[tuple[str, Callable[[], list[Article]]]]:
    try:
        handle = path.open("rb")
    except OSError as err:
        yield str(path), _failing(ArticleError(f"Cannot read {path}: {err.strerror}."))
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if line.decode("utf-8", "replace").strip():  # a line of Unicode spaces is blank too
                yield f"{path}:{number}", _record_reader(line, f"{path}:{number}")


def _record_reader(line: bytes, label: str) -> Callable[[], list[Article]]:
    def read() -> list[Article]:
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ArticleError(f"{label} is not a JSON object: {err}.") from err
        except RecursionError as err:
            raise ArticleError(f"{label} is nested too deeply to be an article record.") from err
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ArticleError(f'{label} needs a "text" string (and may have title, date, source, url).')
        article = parse_article(record["text"], kind=str(record.get("kind", "text")), name=label)
        meta = {k: record[k] for k in (*METADATA_KEYS, "published", "publisher") if record.get(k)}
        apply_metadata(article, meta, "record")
        article.path = label
        return [article]

    return read


def _failing(err: Exception) -> Callable[[], list[Article]]:
    def read() -> list[Article]:
        raise err

    return read


def _read_all(jobs, given: dict[str, str], report: IngestReport) -> list[tuple[str, Article | None]]:
    read: list[tuple[str, Article | None]] = []
    for label, reader in jobs:
        try:
            for article in reader():
                fill_metadata(article, given)
                read.append((label, article))
        except Exception as err:  # noqa: BLE001 (one source never stops the others)
            message = describe(err)
            report.failures.append(message if label in message else f"{label}: {message}")
            read.append((label, None))
    return read


def fill_metadata(article: Article, given: dict[str, str]) -> None:
    """The one metadata rule: ``given`` values fill only what the article does not say."""
    have = {"date": article.published, "source": article.source, "title": article.title, "url": article.url}
    missing = {k: v for k, v in given.items() if v and not have.get(k)}
    if missing:
        apply_metadata(article, missing, "given")


def stdin_source(name: str = "<stdin>") -> RawArticle:
    """Standard input as a source."""
    return RawArticle(sys.stdin.buffer.read(), name)
