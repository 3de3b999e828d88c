"""Events from articles into the store: the sample articles, merging, dates, input kinds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.errors import StoreError
from geo.events.articles import ArticleError, parse_article, read_article
from geo.events.dates import resolve_when
from geo.events.extract import EventExtractor
from geo.gazetteer.place import distance_km
from geo.store import SQLiteStore
from tests.helpers import ingest_one

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SUNDAY = date(2022, 2, 27)


@pytest.fixture(scope="module")
def seeded(extractor, tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("seeded") / "events.sqlite")
    for path in sorted(SEEDS.glob("*.txt")):
        ingest_one(store, read_article(path), extractor)
    return store


def _find(events, event_type, location=None, quote=None):
    return [e for e in events if e.event_type == event_type and (location is None or e.location == location)
            and (quote is None or quote in (e.notes or "") or any(quote in s["quote"] for s in e.sources))]  # fmt: skip


def test_seed_metadata():
    independent, telegraph = (read_article(p) for p in sorted(SEEDS.glob("*.txt")))
    assert independent.published == SUNDAY and independent.date_origin == "dateline"
    assert independent.source == "The Independent"
    assert telegraph.published == SUNDAY and telegraph.date_origin == "sidecar"


def test_the_talks_are_one_event_with_two_sources_at_the_pripyat_crossing(seeded):
    # Both articles report the agreement to meet at the crossing: one event, every quote kept.
    crossing = [e for e in seeded.events() if e.location == "Prypiat"]
    assert len(crossing) == 1
    event = crossing[0]
    assert len({s["article_id"] for s in event.sources}) == 2
    assert (event.date_start, event.date_end) == ("2022-02-27", "2022-02-27")
    assert distance_km((event.latitude, event.longitude), (51.47, 29.97)) < 10
    assert event.geo_precision == "border" and "crosses the border" in event.location_reason
    assert {s["publisher"] for s in event.sources} >= {"The Independent"}
    assert event.location not in ("Minsk", "Kyiv")


def test_an_event_told_on_sunday_of_thursday_is_dated_thursday(extractor):
    (event,) = extractor.extract(
        parse_article("Russian forces shelled Kharkiv on Thursday.", date="2022-02-27")
    )
    assert (event.event_type, event.date_start) == ("Explosions/Remote violence", "2022-02-24")


@pytest.mark.parametrize(
    ("event_type", "location", "quote"),
    [
        ("Explosions/Remote violence", "Kharkiv", "blew up a natural gas pipeline"),
        ("Battles", "Kyiv", "The fighting goes on"),
        ("Displacement", "Poland", "escaping to Poland"),
        ("Diplomacy", "Belarus", "flown to Belarus to await the peace talks"),
        ("Explosions/Remote violence", None, "Iskander ballistic missiles"),
    ],
)
def test_seed_events(seeded, event_type, location, quote):
    found = _find(seeded.events(), event_type, location, quote)
    assert found, f"no {event_type} at {location} for {quote!r}"
    assert all(e.date_start == "2022-02-27" for e in found)


def test_one_sentence_one_incident_one_event(seeded):
    # "repelled a Russian attack on Kharkiv ... after Russian troops blew up a gas pipeline"
    kharkiv = [
        e
        for e in seeded.events()
        if any("repelled a Russian attack on Kharkiv" in s["quote"] for s in e.sources)
    ]
    assert len(kharkiv) == 1


def test_promotions_and_rejected_proposals_give_no_events(seeded):
    quotes = " ".join(s["quote"] for e in seeded.events() for s in e.sources)
    assert "Elon Musk" not in quotes and "Your donation" not in quotes  # the publisher's appeal
    # "Ukraine had earlier rejected a proposal from Russia to hold the talks in ... Gomel"
    assert not [e for e in seeded.events() if e.location == "Homyel'"]


def test_belarus_launched_missiles_at_ukraine(seeded):
    event = _find(seeded.events(), "Explosions/Remote violence", quote="Iskander")[0]
    assert (event.actor1, event.actor2) == ("Belarus", "Ukraine")
    assert event.location == "Ukraine"


def test_opinions_are_not_events(seeded):
    assert not any("do not really believe" in (s["quote"]) for e in seeded.events() for s in e.sources)


def test_reingest_changes_nothing(extractor, seeded):
    before = [(e.id, len(e.sources)) for e in seeded.events()]
    for path in sorted(SEEDS.glob("*.txt")):
        assert ingest_one(seeded, read_article(path), extractor).new is False
    assert [(e.id, len(e.sources)) for e in seeded.events()] == before


def test_merge_only_the_same_event(extractor, store):
    a = parse_article("Russian forces shelled Kharkiv on Saturday.", date="2022-03-06", source="A")
    b = parse_article(
        "On Saturday Kharkiv came under Russian shelling again, officials said.",
        date="2022-03-06",
        source="B",
    )
    c = parse_article("Russian forces shelled Lviv on Saturday.", date="2022-03-06", source="C")
    for article in (a, b, c):
        ingest_one(store, article, extractor)
    shelling = store.events(event_type="Explosions/Remote violence")
    assert sorted((e.location, len(e.sources)) for e in shelling) == [("Kharkiv", 2), ("Lviv", 1)]


def test_an_undated_article_gives_undated_events(extractor, store):
    ingest_one(store, parse_article("Troops shelled Kharkiv on Thursday."), extractor)
    (event,) = store.events()
    assert event.date_start is None and event.time_precision == "undated"
    assert resolve_when("on Thursday", None).undated


def test_dates_resolve_against_the_article():
    assert resolve_when("Russia invaded on Thursday", SUNDAY).start == date(2022, 2, 24)
    assert resolve_when("On Saturday, sanctions", SUNDAY).start == date(2022, 2, 26)
    assert resolve_when("they meet today", SUNDAY).start == SUNDAY
    fortnight = resolve_when("drills less than a fortnight before the invasion", SUNDAY)
    assert (fortnight.start, fortnight.end, fortnight.precision) == (date(2022, 2, 13), SUNDAY, "interval")
    assert resolve_when("talks on 3 March 2022", SUNDAY).start == date(2022, 3, 3)


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-16", b""), ("cp1251", b"")],
)
def test_encodings(extractor, store, tmp_path, encoding, prefix):
    text = "---\ndate: 2022-03-01\n---\nОбстріл Харкова. Russian forces shelled Kharkiv; refugees fled to Київ.\n"
    path = tmp_path / f"article-{encoding}.txt"
    path.write_bytes(prefix + text.encode(encoding))
    article = read_article(path)
    assert "Київ" in article.text and article.published == date(2022, 3, 1)
    ingest_one(store, article, extractor)
    assert {e.location for e in store.events()} >= {"Kharkiv"}


HTML = """<!doctype html><html><head><title>Shelling in Kharkiv</title>
<meta property="article:published_time" content="2022-03-02T08:00:00">
<link rel="canonical" href="https://news.example/kharkiv"></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Shelling in Kharkiv</h1>
<p>Russian forces shelled the centre of Kharkiv overnight, regional officials said on Wednesday morning.</p>
<p>Thousands of residents fled to Lviv in the west of the country, according to the city council.</p>
</article>
<div class="share">Share this article on Facebook and Twitter</div>
<div class="donate">Your support helps us to tell the story. Donate now to keep our journalism free.</div>
<section id="comments"><h2>Comments</h2><p>Great reporting, thanks!</p></section>
</body></html>"""


def test_html_main_text_and_metadata_without_chrome(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    article = read_article(path)
    assert article.title == "Shelling in Kharkiv" and article.published == date(2022, 3, 2)
    assert article.url == "https://news.example/kharkiv"
    assert "shelled the centre of Kharkiv" in article.text
    for chrome in ("Share this article", "Donate now", "Great reporting", "Home"):
        assert chrome not in article.text


@pytest.mark.parametrize("depth", [300, 50_000])
def test_an_article_deep_in_wrappers_reads_as_the_page_itself(tmp_path, depth):
    """Issue 21, 13: inside 50,000 nested <div>s (libxml2 stops at 256) the page had "no
    article text"; now its text, paragraphs and title are those of the page unwrapped."""
    body_at = HTML.index("<body>") + len("<body>")
    wrapped = (
        HTML[:body_at]
        + "<div class='x'>" * depth
        + HTML[body_at : -len("</body></html>")]
        + "</div>" * depth
        + "</body></html>"
    )
    path = tmp_path / "deep.html"
    path.write_text(wrapped, encoding="utf-8")
    article = read_article(path)
    flat = tmp_path / "page.html"
    flat.write_text(HTML, encoding="utf-8")
    assert (article.text, article.title, article.published) == (lambda a: (a.text, a.title, a.published))(
        read_article(flat)
    )
    assert article.text.count("\n") >= 1 and "Donate now" not in article.text


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ArticleError, match=r"photo\.txt looks binary, not text"):
        read_article(path)


def test_crash_mid_ingest_loses_nothing(extractor, store):
    first = parse_article("Russian forces shelled Kharkiv on Saturday.", date="2022-03-06")
    ingest_one(store, first, extractor)
    before = ([e.to_record() for e in store.events()], store.articles())
    second = parse_article(
        "Fighting in Mariupol. Refugees fled to Poland. Talks in Gomel.", date="2022-03-07"
    )
    with pytest.raises(StoreError, match="simulated crash"):
        store.add(second, extractor.extract(second), _fail_after_events=1)
    assert ([e.to_record() for e in store.events()], store.articles()) == before
    assert ingest_one(store, second, extractor).new is True  # and it can be ingested afterwards


def test_cli_ingest_folder_with_a_bad_file(index_path, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "---\ndate: 2022-03-06\n---\nRussian forces shelled Kharkiv.\n", encoding="utf-8"
    )
    (folder / "b.md").write_text(
        "---\ndate: 2022-03-07\n---\n# Kyiv\nFighting continued in Kyiv.\n", encoding="utf-8"
    )
    (folder / "c.txt").write_bytes(b"\x00\x01\x02garbage\x00")
    store = tmp_path / "events.sqlite"
    runner = CliRunner()
    result = runner.invoke(main, ["--index", str(index_path), "--store", str(store), "ingest", str(folder)])
    assert result.exit_code == 1
    assert result.stdout.startswith("2 new article(s), 0 already stored;")
    assert f"Error: {folder / 'c.txt'} looks binary, not text (it contains NUL bytes)." in result.stderr
    listed = runner.invoke(main, ["--store", str(store), "events", "--format", "json"])
    events = json.loads(listed.stdout)
    assert {(e["event_type"], e["location"]) for e in events} >= {
        ("Explosions/Remote violence", "Kharkiv"),
        ("Battles", "Kyiv"),
    }


def test_cli_events_formats_and_filters(index_path, tmp_path, seeded):
    runner = CliRunner()
    args = ["--store", str(seeded.path), "events"]
    geojson = json.loads(runner.invoke(main, [*args, "--format", "geojson"]).stdout)
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == len(seeded.events())
    early = json.loads(runner.invoke(main, [*args, "--to", "2022-02-26", "--format", "json"]).stdout)
    assert {e["date_start"] for e in early} == {"2022-02-26"}
    typed = json.loads(runner.invoke(main, [*args, "--type", "displacement", "--format", "json"]).stdout)
    assert {e["location"] for e in typed} == {"Poland"}
    bad = runner.invoke(main, [*args, "--from", "27/02/2022"])
    assert bad.exit_code == 2 and "expected YYYY-MM-DD, got '27/02/2022'" in bad.output


def test_csv_round_trip_with_acled_columns(index_path, tmp_path, seeded):
    runner = CliRunner()
    csv_text = runner.invoke(main, ["--store", str(seeded.path), "events", "--format", "csv"]).stdout
    header = csv_text.splitlines()[0].split(",")
    assert header[:6] == [
        "event_id_cnty",
        "event_date",
        "year",
        "time_precision",
        "event_type",
        "sub_event_type",
    ]
    path = tmp_path / "export.csv"
    path.write_text(csv_text, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    result = runner.invoke(main, ["--store", str(other), "import", str(path)])
    assert result.exit_code == 0, result.output
    imported = SQLiteStore(other).events()
    assert len(imported) == len(seeded.events())
    assert sorted((e.event_type, round(e.latitude, 3)) for e in imported) == sorted(
        (e.event_type, round(e.latitude, 3)) for e in seeded.events()
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,event_type\n2022-01-01,Battles\n", encoding="utf-8")
    refused = runner.invoke(main, ["--store", str(other), "import", str(bad)])
    assert refused.exit_code == 1
    assert "lacks the column(s) latitude, longitude" in refused.output


def test_reresolve_after_a_gazetteer_addition(index_path, tmp_path, extractor, _private_data_dir):
    store_path = tmp_path / "events.sqlite"
    store = SQLiteStore(store_path)
    ingest_one(store, parse_article("Talks were held in Gomel on Sunday.", date="2022-02-27"), extractor)
    assert [e.location for e in store.events()] == ["Homyel'"]
    runner = CliRunner()
    add = ["gazetteer", "add", "--name", "Gomel", "--lat", "52.40", "--lon", "31.00", "--kind", "site"]
    assert runner.invoke(main, ["--index", str(index_path), *add]).exit_code == 0
    result = runner.invoke(main, ["--index", str(index_path), "--store", str(store_path), "reresolve"])
    assert result.exit_code == 0, result.output
    assert "Homyel' -> Gomel" in result.stdout and "1 event(s) moved." in result.stdout
    assert [e.gazetteer_id for e in SQLiteStore(store_path).events()] == ["user:gomel"]
    # Removing the place and re-resolving puts the event back (the old name is still looked for).
    revision = SQLiteStore(store_path).revision()
    assert (
        runner.invoke(main, ["--index", str(index_path), "gazetteer", "remove", "user:gomel"]).exit_code == 0
    )
    result = runner.invoke(main, ["--index", str(index_path), "--store", str(store_path), "reresolve"])
    assert "Gomel -> Homyel'" in result.stdout, result.output
    assert [e.location for e in SQLiteStore(store_path).events()] == ["Homyel'"]
    assert SQLiteStore(store_path).revision() > revision  # caches of the store see the change


def test_fatalities_when_stated(extractor):
    article = parse_article("Shelling killed 12 civilians in Kharkiv on Monday. Fighting continued near Izium.",
                            date="2022-03-08")  # fmt: skip
    events = extractor.extract(article)
    by_place = {e.location: e for e in events}
    assert by_place["Kharkiv"].fatalities == 12
    assert by_place["Kharkiv"].when.start == date(2022, 3, 7)


def test_users_extend_the_trigger_rules(gazetteer, _private_data_dir):
    from geo.events.rules import load_rules
    from geo.parse.pipeline import Geoparser

    _private_data_dir.mkdir(parents=True, exist_ok=True)
    (_private_data_dir / "event_rules.toml").write_text(
        '[[rule]]\nevent_type = "Strategic developments"\nsub_event_type = "Cyber attack"\n'
        'triggers = ["cyber ?attacks?", "hack(?:ed|ers)"]\n',
        encoding="utf-8",
    )
    extractor = EventExtractor(Geoparser(gazetteer), load_rules())
    (event,) = extractor.extract(parse_article("Hackers hit banks in Kyiv on Tuesday.", date="2022-02-16"))
    assert (event.sub_event_type, event.location) == ("Cyber attack", "Kyiv")
    (_private_data_dir / "event_rules.toml").write_text("[[rule]]\nevent_type = 1\n", encoding="utf-8")
    from geo.errors import RulesError

    with pytest.raises(RulesError, match=r"rule 1 needs event_type, sub_event_type and a list of triggers"):
        load_rules()


def test_a_long_article_is_hashed_once(extractor, monkeypatch):
    """Every event and mention asks for the article's id: recomputing it made long texts
    quadratic (300 KB took 14.6 s, 1 MB minutes)."""
    import hashlib

    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda data=b"": calls.append(1) or real(data))
    text = " ".join(
        f"Russian forces shelled Kharkiv on Monday, day {n}. Talks were held in Gomel." for n in range(200)
    )
    events = extractor.extract(parse_article(text, date="2022-03-08"))
    assert len(events) >= 2 and len(calls) == 1


def test_a_text_over_the_limit_is_refused_with_its_size(tmp_path, store, extractor):
    from geo.events.articles import MAX_FILE_BYTES

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(
        ArticleError, match=r"big.txt is 20 MB; the limit is 20 MB \(5 MB of text\). Split it first."
    ):
        read_article(big)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text", ["Russian forces shelled Kharkiv on Monday.\n", "Обстріл Харкова у понеділок.\n"]
)
def test_utf16_without_a_bom_is_read(codec, text):
    article = parse_article(text.encode(codec), name="x.txt")
    assert (article.text, article.encoding) == (text, codec)


def test_binary_is_still_refused():
    with pytest.raises(ArticleError, match="bin looks binary, not text"):
        parse_article(bytes(range(256)) * 20, name="bin")
