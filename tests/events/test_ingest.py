"""ingest_many: the one ingest path (sources, metadata rule, failures, Dask, identical results)."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from pathlib import Path

import pytest

from geo import config
from geo.errors import ArticleError, ClusterError
from geo.events.articles import parse_article
from geo.events.ingest import ExtractorSpec, RawArticle, ingest_many
from geo.store import SQLiteStore

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REPORTS = [
    "Russian forces shelled Kharkiv on Monday, killing 3 civilians.",
    "Talks between the delegations were held in Gomel on Sunday.",
    "Protesters gathered in Lviv on Tuesday against the war.",
    "An explosion hit a fuel depot near Odesa overnight.",
    "Troops shelled Kharkiv on Monday.",  # the same event as the first, told again
    "Thousands fled Mariupol by bus on Friday.",
]


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _snapshot(store) -> list[tuple]:
    return [(e.id, e.event_type, e.date_start, e.date_end, e.gazetteer_id, e.latitude, e.longitude,
             e.fatalities, sorted((s["article_id"], s["start"]) for s in e.sources)) for e in store.events()]  # fmt: skip


def test_files_folders_and_json_lines_in_one_run(tmp_path, store, extractor):
    feed = _jsonl(tmp_path / "feed.jsonl", [
        {"text": REPORTS[0], "title": "Kharkiv", "date": "2022-03-08", "source": "Wire", "url": "https://example.org/1"},
        {"text": REPORTS[1], "date": "2022-02-28"},
    ])  # fmt: skip
    report = ingest_many([SEEDS, feed], store, extractor)
    assert (report.new, report.seen, report.failures) == (4, 0, [])
    stored = {a["title"]: a for a in store.articles()}
    assert stored["Kharkiv"]["source"] == "Wire" and stored["Kharkiv"]["published"] == "2022-03-08"
    assert stored["Kharkiv"]["path"] == f"{feed}:1"
    (kharkiv,) = [
        e for e in store.events() if e.location == "Kharkiv" and e.sources[0]["publisher"] == "Wire"
    ]
    assert (kharkiv.date_start, kharkiv.fatalities) == ("2022-03-07", 3)
    again = ingest_many([SEEDS, feed], store, extractor)
    assert (again.new, again.seen, again.added) == (0, 4, 0)


def test_what_the_article_says_wins_given_values_fill_the_rest(tmp_path, store, extractor):
    feed = _jsonl(tmp_path / "feed.jsonl", [{"text": REPORTS[2], "date": "2022-03-01"}, {"text": REPORTS[3]}])
    pasted = RawArticle(REPORTS[5], "pasted text")
    ingest_many([feed, pasted], store, extractor, given={"date": "2022-04-01", "source": "Desk"})
    by_path = {a["path"]: a for a in store.articles()}
    assert by_path[f"{feed}:1"]["published"] == "2022-03-01"  # its own date stays
    assert by_path[f"{feed}:2"]["published"] == "2022-04-01"  # the given date fills in
    assert {a["source"] for a in by_path.values()} == {"Desk"}
    assert by_path[None]["published"] == "2022-04-01"  # in-memory text: the same rule


def test_a_bad_source_is_reported_and_the_rest_go_in(tmp_path, store, extractor):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"text": REPORTS[2]}) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n"
                    + json.dumps({"text": REPORTS[3], "date": "soon"}) + "\n", encoding="utf-8")  # fmt: skip
    empty = tmp_path / "empty.txt"
    empty.write_text("   ", encoding="utf-8")
    report = ingest_many([feed, empty, tmp_path / "missing.txt"], store, extractor)
    assert report.new == 1
    assert report.failures[0].startswith(f"{feed}:2 is not a JSON object")
    assert report.failures[1] == f'{feed}:3 needs a "text" string (and may have title, date, source, url).'
    assert report.failures[2].startswith(f"{feed}:4: Cannot read the date 'soon'")
    assert f"{empty} has no text to read." in report.failures[3]
    assert "missing.txt" in report.failures[4] and len(report.failures) == 5


def test_unknown_metadata_is_refused(store, extractor):
    with pytest.raises(
        ArticleError, match=r"Unknown metadata \['author'\]: give any of date, source, title, url"
    ):
        ingest_many([], store, extractor, given={"author": "me"})


def test_progress_counts_every_source(tmp_path, store, extractor):
    seen = []
    ingest_many([RawArticle(t, f"text {i}") for i, t in enumerate(REPORTS)], store, extractor,
                progress=lambda done, total, label: seen.append((done, total)))  # fmt: skip
    assert seen == [(n, len(REPORTS)) for n in range(1, len(REPORTS) + 1)]


def test_events_pickle(extractor):
    events = extractor.extract(parse_article(REPORTS[0], date="2022-03-08"))
    assert events and pickle.loads(pickle.dumps(events)) == events


def test_parallel_on_a_dask_cluster_gives_the_serial_result(tmp_path, index_path, extractor):
    """A real dask.distributed LocalCluster with two worker processes: same events, same ids."""
    records = [{"text": f"{text} (Dispatch {day}.)", "date": f"2022-03-{day:02d}", "source": "Wire"}
               for day, text in enumerate(REPORTS * 3, 1)]  # fmt: skip
    feed = _jsonl(tmp_path / "feed.jsonl", records)
    serial = SQLiteStore(tmp_path / "serial.sqlite")
    ingest_many([feed, SEEDS], serial, extractor)
    parallel = SQLiteStore(tmp_path / "parallel.sqlite")
    spec = ExtractorSpec(index_path, config.data_dir())
    report = ingest_many([feed, SEEDS], parallel, spec, workers=2)
    assert report.failures == [] and report.new == len(records) + 2
    assert _snapshot(parallel) == _snapshot(serial) and len(_snapshot(serial)) > 10


def test_parallel_needs_paths_not_an_extractor(store, extractor):
    with pytest.raises(ClusterError, match="Parallel ingest needs an ExtractorSpec"):
        ingest_many([RawArticle(REPORTS[0], "x")], store, extractor, workers=2)


def test_an_unreachable_scheduler_says_so(index_path, store):
    spec = ExtractorSpec(index_path, config.data_dir())
    with pytest.raises(ClusterError, match=r"Cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        ingest_many([RawArticle(REPORTS[0], "x")], store, spec, scheduler="tcp://127.0.0.1:9")


def test_a_scheduler_address_without_a_port_is_named(index_path, store):
    spec = ExtractorSpec(index_path, config.data_dir())
    with pytest.raises(ClusterError, match=r"address 'dask-host' is not one .*tcp://HOST:PORT"):
        ingest_many([RawArticle(REPORTS[0], "x")], store, spec, scheduler="dask-host")


def test_no_file_stops_a_folder_ingest(tmp_path, store, extractor):
    """Each of these once stopped the whole run with a traceback."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Russian forces shelled Kharkiv yesterday. The offer is valid until 9999-12-31.\n"
    )
    (folder / "b.txt").write_text("Shelling hit Kyiv yesterday.\n")
    (folder / "b.txt.meta.json").write_text('{"date": "0001-01-01"}')
    (folder / "c.txt").write_text("Shelling hit Lviv on Monday, officials in the western city said today.\n")
    (folder / "c.txt.meta.json").write_bytes(
        '{"source": "Львівська міська рада, прес-служба"}'.encode("cp1251")
    )
    (folder / "d.txt").write_text("Shelling hit Odesa on Monday.\n")
    (folder / "d.txt.meta.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    (folder / "e.txt").write_text("Shelling hit Dnipro 99999999999 days ago.\n")
    report = ingest_many([folder], store, extractor, given={"date": "2022-03-01"})
    assert report.new == 3 and len(report.failures) == 2
    assert report.failures[0] == (f"{folder / 'b.txt'}: Cannot read the date '0001-01-01' (sidecar): write it as "
                                  "YYYY-MM-DD, a year from 1800 to 2200.")  # fmt: skip
    assert (
        report.failures[1]
        == f"{folder / 'd.txt.meta.json'}: the sidecar metadata is nested too deeply to read."
    )
    by_path = {Path(a["path"]).name: a for a in store.articles()}
    assert by_path["a.txt"]["published"] == "2022-03-01"  # 9999-12-31 is not its date
    assert by_path["c.txt"]["source"] == "Львівська міська рада, прес-служба"
    (dnipro,) = [e for e in store.events() if e.location == "Dnipro"]
    assert dnipro.date_start == "2022-03-01" and dnipro.time_precision == "reported"


def _ingest_in_process(args: tuple[str, str, str]) -> list[str]:
    folder, store_path, index = args
    report = ingest_many(
        [Path(folder)], SQLiteStore(Path(store_path)), ExtractorSpec(Path(index), config.data_dir())
    )
    return report.failures


def test_two_processes_ingesting_overlapping_folders_store_everything(tmp_path, index_path):
    texts = [f"Shelling hit Kharkiv on Monday (dispatch {n})." for n in range(8)]
    for name, chosen in (("one", texts[:6]), ("two", texts[2:])):
        (tmp_path / name).mkdir()
        for n, text in enumerate(chosen):
            (tmp_path / name / f"{n}.txt").write_text(text, encoding="utf-8")
    store_path = tmp_path / "events.sqlite"
    SQLiteStore(store_path).close()
    jobs = [(str(tmp_path / name), str(store_path), str(index_path)) for name in ("one", "two")]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        failures = pool.map(_ingest_in_process, jobs)
    assert failures == [[], []]
    assert len(SQLiteStore(store_path).articles()) == 8
