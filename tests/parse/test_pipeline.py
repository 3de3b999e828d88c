"""The geoparser on the sample articles (golden files), spatial phrases, bad input."""

from __future__ import annotations

import json

import pytest

from geo.gazetteer.place import distance_km
from geo.parse.pipeline import MAX_CHARS, TextError, sections
from tests.golden import SEEDS, golden_path, parse_records

INDEPENDENT, TELEGRAPH = SEEDS  # the two sample articles


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_golden_file(geoparser, seed):
    """Output equals the reviewed golden file (rewrite with: python -m tests.golden)."""
    expected = json.loads(golden_path(seed).read_text(encoding="utf-8"))
    assert parse_records(geoparser, seed) == expected


def _places(geoparser, seed):
    return geoparser.parse(seed.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("seed", "surface", "place_id"),
    [
        (INDEPENDENT, "Ukraine-Belarus border", "border:BY-UA"),
        (INDEPENDENT, "Belarusian border", "border:BY-UA"),
        (INDEPENDENT, "Belarus border", "border:BY-UA"),
        (INDEPENDENT, "Kyiv", "geonames:703448"),
        (INDEPENDENT, "Kharkiv", "geonames:706483"),
        (INDEPENDENT, "Poland", "geonames:798544"),
        (INDEPENDENT, "Moscow", "geonames:524901"),
        # ... and "the border of Ukraine and Belarus" is the border line
        (INDEPENDENT, "Belarus", ("geonames:630336", "border:BY-UA")),
        (INDEPENDENT, "Ukraine", ("geonames:690791", "border:BY-UA")),
        (INDEPENDENT, "Russia", "geonames:2017370"),
        (TELEGRAPH, "Pripyat river", "ne:1159120231"),
        (TELEGRAPH, "Chernobyl", "geonames:710403"),
        (TELEGRAPH, "Gomel", "geonames:627907"),
        (TELEGRAPH, "Kyiv", "geonames:703448"),
        (TELEGRAPH, "Belarusian border", "border:BY-UA"),
        (TELEGRAPH, "Belarus-Ukraine border", "border:BY-UA"),
        (TELEGRAPH, "Moscow", "geonames:524901"),
    ],
)
def test_every_place_a_reader_marks_is_resolved(geoparser, seed, surface, place_id):
    found = [r for r in _places(geoparser, seed) if r.mention.text == surface]
    assert found, f"{surface} not found"
    allowed = set(place_id) if isinstance(place_id, tuple) else {place_id}
    assert {r.place.id for r in found} <= allowed
    assert any(r.place.id == sorted(allowed)[-1] for r in found)


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_no_false_places(geoparser, seed):
    resolved = _places(geoparser, seed)
    words = {w for r in resolved for w in r.mention.text.split()}
    assert not words & {"Linda", "Thomas-Greenfield", "Vladimir", "Volodymyr", "Iskander", "Zelensky",
                        "Zelenskyy", "Putin", "Lukashenko", "Sunday", "Thursday", "Saturday"}  # fmt: skip
    assert all(r.place.country != "US" or r.place.kind == "country" for r in resolved)  # no Poland, Maine
    assert all(r.place.country != "UZ" for r in resolved)


def test_demonyms_are_actors(geoparser):
    resolved = _places(geoparser, INDEPENDENT)
    roles = {(r.mention.text, r.role) for r in resolved}
    assert ("Ukrainian", "actor") in roles and ("Russian", "actor") in roles
    assert ("Ukraine", "location") in roles


def test_pripyat_river_on_the_border_north_of_chernobyl(geoparser):
    resolved = _places(geoparser, TELEGRAPH)
    river = next(r for r in resolved if r.mention.text == "Pripyat river")
    assert river.precision == "border"
    assert distance_km(river.point, (51.47, 29.97)) < 10
    assert "north of Chornobyl" in river.spatial


@pytest.mark.parametrize(
    ("text", "surface", "expected", "km", "precision"),
    [
        ("Shelling was reported 30 km north of Kharkiv.", "Kharkiv", (50.25, 36.25), 3, "near"),
        ("A convoy was seen 20 miles west of Kyiv.", "Kyiv", (50.45, 30.07), 3, "near"),
        ("Fighting broke out south of Kharkiv.", "Kharkiv", (49.76, 36.25), 3, "near"),
        ("Troops massed near Kharkiv on Friday.", "Kharkiv", (49.98, 36.25), 1, "near"),
        ("Talks were held between Kyiv and Kharkiv.", "Kyiv", (50.30, 33.40), 40, "near"),
        ("the Pripyat river on the border north of Chernobyl", "Pripyat river", (51.47, 29.97), 10, "border"),
    ],
)
def test_spatial_phrases(geoparser, text, surface, expected, km, precision):
    item = next(r for r in geoparser.parse(text) if r.mention.text == surface)
    assert item.precision == precision
    assert distance_km(item.point, expected) <= km, item.point
    assert item.spatial


def test_deterministic(geoparser):
    text = TELEGRAPH.read_text(encoding="utf-8")
    assert parse_records_of(geoparser, text) == parse_records_of(geoparser, text)


def parse_records_of(geoparser, text):
    from geo.parse.pipeline import to_record

    return [to_record(r) for r in geoparser.parse(text)]


@pytest.mark.parametrize("text", ["", "   \n\n ", "the cat sat on the mat, and nobody went anywhere at all."])
def test_text_without_places(geoparser, text):
    assert geoparser.parse(text) == []


def test_binary_junk_is_a_clear_error(geoparser):
    with pytest.raises(TextError, match=r"The input is not UTF-8 text \(byte 128 is invalid\)"):
        geoparser.parse(bytes(range(256)) * 4)
    with pytest.raises(TextError, match="looks binary"):
        geoparser.parse("PK\x03\x04\x00\x00 Kyiv")


def test_mixed_scripts(geoparser):
    found = {r.place.id for r in geoparser.parse("Київ і Гомель; Kharkiv and Москва, 東京 and Paris.")}
    assert {"geonames:703448", "geonames:627907", "geonames:706483", "geonames:524901"} <= found


def test_the_longest_text_allowed_gives_a_result_and_a_longer_one_is_refused(geoparser):
    paragraph = (
        "The committee met again and discussed the budget at length, " * 30
    ) + "Troops left Kharkiv.\n\n"
    text = paragraph * (MAX_CHARS // len(paragraph))
    assert len(text) >= MAX_CHARS - len(paragraph)
    assert len(sections(text)) >= 240
    found = geoparser.parse(text)
    assert len(found) == text.count("Kharkiv")
    assert {r.place.id for r in found} == {"geonames:706483"}
    with pytest.raises(
        TextError, match=r"The text is 5,\d{3},\d{3} characters; the limit is 5,000,000. Split it first."
    ):
        geoparser.parse(text + paragraph * 2)


class _Span:
    def __init__(self, text, start, label):
        self.start_char, self.end_char, self.text, self.label_ = start, start + len(text), text, label


class _FakeSpacy:
    """Stands in for a spaCy pipeline: entities at fixed labels (no model download)."""

    def __call__(self, text):
        labels = {"Kharkiv": "GPE", "Ukrainian": "NORP", "Putin": "PERSON"}
        ents = [_Span(w, text.index(w), labels[w]) for w in labels if w in text]
        return type("Doc", (), {"ents": ents})()


def test_a_spacy_model_can_recognise_the_mentions(gazetteer):
    from geo.parse.pipeline import Geoparser
    from geo.parse.spacy_recognise import SpacyRecogniser

    parser = Geoparser(gazetteer, SpacyRecogniser(_FakeSpacy()))
    found = {
        (r.mention.text, r.role, r.place.id)
        for r in parser.parse("Putin said Ukrainian troops held Kharkiv.")
    }
    assert found == {("Ukrainian", "actor", "geonames:690791"), ("Kharkiv", "location", "geonames:706483")}
