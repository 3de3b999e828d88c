"""Recognition: the shared table of sentences and the mentions a careful reader marks."""

from __future__ import annotations

import pytest

SENTENCES = [
    # (sentence, places expected as (surface, place id or kind), surfaces that must not be places)
    ("Talks will be held in Gomel, Belarus.", [("Gomel", "geonames:627907"), ("Belarus", "country")], []),
    ("Vladimir Putin launched an invasion on Thursday.", [], ["Vladimir", "Putin", "Thursday"]),
    (
        "President Volodymyr Zelensky spoke from Kyiv.",
        [("Kyiv", "geonames:703448")],
        ["Volodymyr", "Zelensky"],
    ),
    ("Linda Thomas-Greenfield, US Ambassador to the United Nations, said so.", [], ["Linda"]),
    (
        "Belarus launched two Iskander ballistic missiles at Ukraine from Gomel.",
        [("Belarus", "country"), ("Ukraine", "country"), ("Gomel", "geonames:627907")],
        ["Iskander"],
    ),
    (
        "Refugees are escaping to Poland and Moldova.",
        [("Poland", "geonames:798544"), ("Moldova", "country")],
        [],
    ),
    (
        "They met at the Pripyat river on the border north of Chernobyl.",
        [("Pripyat river", "river"), ("Chernobyl", "geonames:710403")],
        [],
    ),
    ("The talks take place on the Ukraine-Belarus border.", [("Ukraine-Belarus border", "border:BY-UA")], []),
    ("Ukrainian officials rejected the plan.", [("Ukrainian", "actor")], []),
    ("In Columbus, firefighters agreed to a pay freeze.", [("Columbus", "city")], ["In"]),
    ("He moved to St. Louis in March.", [("St. Louis", "city")], ["March"]),
    (
        "Mr Jones said the road to Lviv was open. Jones added that he would stay.",
        [("Lviv", "geonames:702550")],
        ["Jones"],
    ),
    ("The UN and NATO met in Brussels on Monday.", [("Brussels", "capital")], ["UN", "NATO", "Monday"]),
    (
        "Shelling hit Kharkiv Oblast and the Donetsk region overnight.",
        [("Kharkiv Oblast", "region"), ("Donetsk region", "region")],
        [],
    ),
    ("Columbia, S.C. officials met on Tuesday.", [("Columbia", "city"), ("S.C.", "region")], ["Tuesday"]),
    ("Обстріл Харкова і Київ.", [("Київ", "geonames:703448")], []),
    ("the southern Belarusian city of Gomel", [("Gomel", "geonames:627907")], []),
    ("The Texas Department of Health said it would act.", [("Texas", "region")], ["Department", "Health"]),
]


def _check(resolved, places, not_places):
    found = {r.mention.text: r for r in resolved}
    for surface, expected in places:
        assert surface in found, f"{surface!r} not found in {sorted(found)}"
        item = found[surface]
        assert expected in (item.place.id, item.place.kind, item.role), (surface, item.place, item.role)
    for surface in not_places:
        assert not any(surface in r.mention.text.split() for r in resolved), f"{surface!r} taken as a place"


@pytest.mark.parametrize(("sentence", "places", "not_places"), SENTENCES, ids=[s[0][:40] for s in SENTENCES])
def test_sentence_table(geoparser, sentence, places, not_places):
    _check(geoparser.parse(sentence), places, not_places)


def test_mentions_have_spans_that_match_the_text(geoparser):
    text = "Fighting continued in Kharkiv; refugees reached Poland."
    for item in geoparser.parse(text):
        assert text[item.mention.start : item.mention.end] == item.mention.text


def test_kind_and_country_hints(geoparser):
    mentions = geoparser.recognise("the southern Belarusian city of Gomel and the Pripyat River")
    hints = {m.text: (m.kind_hint, m.country_hint) for m in mentions}
    assert hints["Gomel"] == ("city", "BY")
    assert hints["Pripyat River"] == ("river", None)


@pytest.mark.parametrize(("text", "place", "facility"), [
    ("Strike on Kyiv TV tower.", "Kyiv", "TV tower"),
    ("Kharkiv National University buildings destroyed in strikes.", "Kharkiv", "National University"),
    ("A missile hit Odesa Airport overnight.", "Odesa", "Airport"),
])  # fmt: skip
def test_a_facility_keeps_its_city_near_it(geoparser, text, place, facility):
    (found,) = [r for r in geoparser.parse(text) if r.role == "location"]
    assert (found.place.name, found.precision, found.mention.facility) == (place, "near", facility)
    assert f"the place of {place} {facility}" in found.reason


@pytest.mark.parametrize(("text", "kind"), [
    ("Russian forces withdrew from Kherson.", "town"),  # the city (GeoNames counts it a town)
    ("Protesters demonstrated in Kherson city.", "town"),
    ("Shelling in the Kherson region.", "region"),
    ("Shelling in Kherson Oblast.", "region"),
])  # fmt: skip
def test_an_eponymous_region_yields_to_its_city_unless_the_text_says_region(geoparser, text, kind):
    (found,) = [r for r in geoparser.parse(text) if "Kherson" in r.mention.text]
    assert (found.place.name.split()[0], found.place.kind) == ("Kherson", kind)


@pytest.mark.parametrize(("text", "place"), [
    ("Fires in kharkiv crossing.", "Kharkiv"),
    ("Shelling near kryvyi rih overnight.", "Kryvyy Rih"),
    ("Bucha was freed; bodies were found in bucha later.", "Bucha"),  # capitalised elsewhere
])  # fmt: skip
def test_a_place_in_lower_case_after_in_or_near(geoparser, text, place):
    found = [r for r in geoparser.parse(text) if r.mention.text.islower()]
    assert [r.place.name for r in found] == [place]


@pytest.mark.parametrize("text", [
    "We spent the evening in reading and the night in turkey country.",
    "Shelling near bucha overnight.",  # a small town, never capitalised here: not enough
    "Prices rose in china shops.",
])  # fmt: skip
def test_common_words_in_lower_case_stay_words(geoparser, text):
    assert [r.mention.text for r in geoparser.parse(text) if r.mention.text.islower()] == []


@pytest.mark.parametrize(("text", "place"), [
    ("Ukrainian troops held positions in Popsana, west of Luhansk.", "Popasna"),
    ("Russian shelling hit the Donetsk region overnight; the troops in Mariupl held.", "Mariupol"),
    ("Fighting near Zolocheve in the Kharkiv region.", "Zolochiv"),
])  # fmt: skip
def test_a_misspelt_place_said_as_a_place_is_its_nearest_spelling(geoparser, text, place):
    found = [r for r in geoparser.parse(text) if r.mention.edits]
    assert found and {r.place.name for r in found} == {place}
    assert all(f"spelled like {place} (1 edit)" in r.reason and r.confidence < 0.9 for r in found)


@pytest.mark.parametrize("text", [
    "According to Zelenskyy, talks in Kyiv went well.",  # a person, not Zelensk
    "Fighting near Popsana.",  # nothing else in the article supports the village
    "Troops in Kharkov held.",  # a known variant: no edits needed
])  # fmt: skip
def test_no_spelling_guess_for_people_unsupported_or_known_names(geoparser, text):
    assert [r.mention.text for r in geoparser.parse(text) if r.mention.edits] == []


@pytest.mark.parametrize(("text", "country", "reason"), [
    ("Ukrainian forces shelled Russian positions near Tokmak.", "UA", "in a country this article names (UA)"),
    ("In Ukraine, the shelling of Tokmak went on.", "UA", "in a country this article names (UA)"),
    ("Fighting near Tokmak, Kyrgyzstan.", "KG", "in Kyrgyzstan, named right after it"),
])  # fmt: skip
def test_a_homonym_abroad_yields_to_the_articles_country_unless_the_text_names_the_other(
    geoparser, text, country, reason
):
    (found,) = [r for r in geoparser.parse(text) if r.mention.text == "Tokmak"]
    assert found.place.country == country and reason in found.reason


def test_arabic_names_with_the_article_are_whole_names(geoparser):
    text = ("President Bashar al-Assad spoke. The Assad regime shelled Bustan al-Qasr, "
            "and rebels held Deir al-Zor.")  # fmt: skip
    found = {r.mention.text: r.place.name for r in geoparser.parse(text)}
    assert found == {"Deir al-Zor": "Deir ez-Zor"}  # not Lake Assad, not Bŭston in Uzbekistan


def test_the_article_of_an_arabic_name_in_any_spelling(geoparser):
    text = "Fighting in Deir el-Zour and Deir az-Zour, and near Ras al-Ain."
    found = {r.mention.text: r.place.name for r in geoparser.parse(text)}
    assert found == {
        "Deir el-Zour": "Deir ez-Zor",
        "Deir az-Zour": "Deir ez-Zor",
        "Ras al-Ain": "Ra’s al ‘Ayn",
    }
