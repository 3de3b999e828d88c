"""Ukrainian and Russian names as the texts inflect them."""

from __future__ import annotations

import pytest

from geo.events.articles import parse_article
from geo.parse.morphology import nominative_forms

INFLECTED = [
    ("у Києві", "Києві", "geonames:703448"),
    ("під Харковом", "Харковом", "geonames:706483"),
    ("з Маріуполя", "Маріуполя", "geonames:701822"),
    ("в Херсоні", "Херсоні", "geonames:706448"),
    ("у Бучі та Ірпені", "Бучі", "geonames:711350"),
    ("у Бучі та Ірпені", "Ірпені", "geonames:707565"),
    ("бої в Харківській області", "Харківській області", "ne:1159309631"),
    ("бои в Харьковской области", "Харьковской области", "ne:1159309631"),
    ("обстрелы Запорізької області", "Запорізької області", "ne:1159309637"),
    ("в Мариуполе", "Мариуполе", "geonames:701822"),
    # The genitive of a town that is also an adjective: the town, not a village named by
    # the adjective (Донецький) nor its namesake in Russia.
    ("евакуація з Донецька", "Донецька", "geonames:709717"),
    ("зі Слов'янська", "Слов'янська", "geonames:693468"),
    # Homonyms abroad: in Ukrainian, the Ukrainian town (not Tokmok, Kyrgyzstan).
    ("під Токмаком", "Токмаком", "geonames:691469"),
]


@pytest.mark.parametrize(("sentence", "surface", "place_id"), INFLECTED, ids=[i[0] for i in INFLECTED])
def test_an_inflected_name_is_found_and_placed(geoparser, sentence, surface, place_id):
    text = f"Сьогодні {sentence} було неспокійно."
    found = {r.mention.text: r.place.id for r in geoparser.parse(text)}
    assert found.get(surface) == place_id, found


@pytest.mark.parametrize(("text", "surface", "place_id"), [
    ("Обстріл Херсона 25 лютого.", "Херсона", "geonames:706448"),
    ("Обстрел Харькова продолжается.", "Харькова", "geonames:706483"),
])  # fmt: skip
def test_a_headline_noun_before_a_name_is_no_first_name(geoparser, text, surface, place_id):
    found = {r.mention.text: r.place.id for r in geoparser.parse(text)}
    assert found.get(surface) == place_id, found


def test_person_names_stay_people(geoparser):
    text = "Володимир Зеленський заявив, що Петро Порошенко виїхав до Львова."
    found = {r.mention.text: r.place.id for r in geoparser.parse(text)}
    assert "Зеленський" not in " ".join(found) and "Порошенко" not in " ".join(found)
    assert found.get("Львова") == "geonames:702550"


IMPLIED = [
    # An adjective made from a city's name: the city ("Kyiv's mayor", "Kharkiv's rescuers").
    ("Київський міський голова заявив", "Київський", "geonames:703448"),
    ("працюють харківські рятувальники", "харківські", "geonames:706483"),
    ("Харьковские власти сообщили", "Харьковские", "geonames:706483"),
    ("поранено двох запорізьких енергетиків", "запорізьких", "geonames:687700"),
    # With a region word: the region the city names, even when the data names it otherwise.
    ("Харківська ОВА повідомила", "Харківська ОВА", "ne:1159309631"),
    ("обстріл у Київській області", "Київській області", "ne:1159309615"),
    ("взрыв в Луганской области", "Луганской области", "ne:1159309633"),
    # Informal region names ("Kharkiv land"), inflected.
    ("вибухи на Харківщині", "Харківщині", "ne:1159309631"),
    ("бої на Донеччині", "Донеччині", "ne:1159309627"),
    ("обстріл Київщини та Одещини", "Київщини", "ne:1159309615"),
    ("обстріл Київщини та Одещини", "Одещини", "ne:1159309617"),
]


@pytest.mark.parametrize(("sentence", "surface", "place_id"), IMPLIED, ids=[i[0] for i in IMPLIED])
def test_a_word_that_implies_a_place_is_placed(geoparser, sentence, surface, place_id):
    found = {r.mention.text: r for r in geoparser.parse(f"Сьогодні {sentence}.")}
    assert surface in found, {k: v.place.id for k, v in found.items()}
    assert found[surface].place.id == place_id
    assert f"'{surface}' is said of" in found[surface].reason


@pytest.mark.parametrize("text", [
    "людський фактор і військовий обов'язок",  # adjectives of no place
    "Українська армія відповіла",  # the country's adjective: Ukraine as an actor, not Ukrainsk
])  # fmt: skip
def test_adjectives_of_no_city_are_no_place(geoparser, text):
    located = [(r.mention.text, r.place.name) for r in geoparser.parse(text) if r.role == "location"]
    assert located == []


def test_adjectives_agree_with_the_noun():
    assert nominative_forms("Харківської області")[0] == "Харківська область"
    assert nominative_forms("Донецької Народної Республіки")[0] == "Донецька Народна Республіка"
    assert nominative_forms("Kyiv") == ()


@pytest.mark.parametrize(
    ("text", "location", "day"),
    [
        ("У неділю 27 лютого 2022 року російські війська обстріляли Харків, загинули троє цивільних.",
         "Kharkiv", "2022-02-27"),
        ("27 февраля 2022 года российские войска обстреляли Харьков.", "Kharkiv", "2022-02-27"),
        ("Вчора почалася евакуація з Маріуполя.", "Mariupol", "2022-02-28"),
        ("В воскресенье российские войска обстреляли Мариуполь.", "Mariupol", "2022-02-27"),
        ("Переговори відбулися в Гомелі в понеділок.", "Homyel'", "2022-02-28"),
    ],
)  # fmt: skip
def test_ukrainian_and_russian_sentences_give_events(geoparser, text, location, day):
    from geo.events.extract import EventExtractor

    (event,) = EventExtractor(geoparser).extract(parse_article(text, date="2022-03-01"))
    assert (event.location, event.date_start, event.time_precision) == (location, day, "day")


def test_each_article_has_its_language_stored_and_listed(tmp_path, geoparser):
    from geo.events.extract import EventExtractor
    from geo.events.ingest import RawArticle, ingest_many
    from geo.store import SQLiteStore

    store = SQLiteStore(tmp_path / "events.sqlite")
    texts = {"uk": "У неділю російські війська обстріляли Харків, загинули троє цивільних.",
             "ru": "В воскресенье российские войска обстреляли Харьков, погибли трое мирных жителей.",
             "en": "On Sunday Russian forces shelled Kharkiv, killing three civilians."}  # fmt: skip
    ingest_many([RawArticle(t, code) for code, t in texts.items()], store, EventExtractor(geoparser),
                given={"date": "2022-02-28"})  # fmt: skip
    assert sorted(a["language"] for a in store.articles()) == ["en", "ru", "uk"]
    assert {s["language"] for e in store.events() for s in e.sources} == {"en", "ru", "uk"}
