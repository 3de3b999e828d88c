"""What happened: one incident, one event, typed as ACLED's codebook types it."""

from __future__ import annotations

import json

import pytest

from geo.events.articles import parse_article
from geo.events.boilerplate import boilerplate_spans
from geo.events.classify import shipped_types
from geo.events.evaluate import evaluate_articles, evaluate_types, file_kind, types_table


def _events(extractor, text, date="2022-03-06"):
    return extractor.extract(parse_article(text, date=date))


def test_one_incident_is_one_event_and_its_dead_are_counted_once(extractor):
    text = ("On 5 March 2022, Russian forces shelled the town of Irpin (Kyiv oblast) as civilians were being "
            "evacuated across the bridge; 8 civilians were killed, including two children.")  # fmt: skip
    (event,) = _events(extractor, text)
    assert (event.event_type, event.location, event.fatalities) == ("Explosions/Remote violence", "Irpin", 8)


def test_a_tally_with_its_place_is_still_an_event(extractor):
    (event,) = _events(extractor, "At least 12 civilians have been killed in Irpin.")
    assert (event.location, event.fatalities) == ("Irpin", 12)


def test_the_toll_in_the_next_sentence_joins_the_incident(extractor):
    text = "Russian forces shelled Kharkiv on Saturday. 3 civilians were killed."
    (event,) = _events(extractor, text)
    assert (event.location, event.fatalities, len(event.sources)) == ("Kharkiv", 3, 2)


@pytest.mark.parametrize("text", [
    "Russia denied shelling the city of Kharkiv on Saturday.",
    "Lukashenko promised that no missiles would carry out strikes from Belarus.",
    "He asked if there was a chance to end the war and stop the shelling of Kharkiv.",
    "Russia threatened to strike Kyiv with missiles.",
    "Kyiv wants talks to end the shelling of Kharkiv.",
    "Moscow rejected a proposal to hold the talks in Gomel.",
    "The mayor called for an evacuation of Irpin.",
    "At least 240 Ukrainians have died, according to the UN.",  # a running tally, no incident
    "More than 400,000 people have been killed since 2011 in Syria.",
])  # fmt: skip
def test_denials_negations_conditionals_and_threats_are_no_events(extractor, text):
    assert _events(extractor, text) == []


def test_boilerplate_lines_are_found():
    text = (
        "Russian forces shelled Kharkiv on Saturday.\n"
        "Your donation allows us to keep sending journalists to speak to both sides of the story.\n"
        "Sign up for our newsletter\n"
        "Smoke rises over Kyiv after bombardment\n"
        "Smoke rises over Kyiv after bombardment (AP)\n"
        "Ukrainian troops repelled an attack near Kyiv."
    )
    lines = [text[a:b] for a, b in boilerplate_spans(text)]
    assert lines == [
        "Your donation allows us to keep sending journalists to speak to both sides of the story.",
        "Sign up for our newsletter",
        "Smoke rises over Kyiv after bombardment",
        "Smoke rises over Kyiv after bombardment (AP)",
    ]


def test_a_promotion_that_mentions_an_investigation_gives_no_event(extractor):
    text = (
        "Your support helps us to tell the story\n\n"
        "Whether it's investigating the financials of Elon Musk's pro-Trump PAC or producing our latest "
        "documentary, we know how important it is to fight for the facts in Ukraine.\n\n"
        "Russian forces shelled Kharkiv on Saturday."
    )
    assert [e.location for e in _events(extractor, text)] == ["Kharkiv"]


@pytest.mark.parametrize(("text", "event_type"), [
    ("Police arrested 40 opposition activists in Minsk on Saturday.", "Strategic developments"),
    ("Turkish forces set up a new military base near Idlib on Saturday.", "Strategic developments"),
    ("Russian forces shelled residential areas of Kharkiv on Saturday, killing 12 civilians.",
     "Explosions/Remote violence"),
])  # fmt: skip
def test_types_follow_the_acled_codebook(extractor, text, event_type):
    (event,) = _events(extractor, text)
    assert event.event_type == event_type


@pytest.mark.parametrize("text", [
    "Floods swept through villages near Kherson on Saturday, and 12 people were killed by the water.",
    "A fire broke out at a chemical plant near Dnipro on Saturday, killing 12 workers.",
])  # fmt: skip
def test_disasters_are_no_conflict_events(extractor, text):
    assert _events(extractor, text) == []


def test_the_model_ships_and_names_its_types():
    model = shipped_types()
    assert model is not None and len(model.labels) == 30
    assert "Strategic developments" in model.event_types and "none" not in model.event_types


def test_eval_recognises_the_formats_and_scores_them(tmp_path, extractor):
    types = tmp_path / "types.jsonl"
    types.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "text": "Russian forces shelled Kharkiv on Saturday.", "label": "ART_MISS_ATTACK"},
        {"id": "2", "text": "Police arrested 40 activists in Minsk.", "label": "ARREST"},
        {"id": "3", "text": "The weather was mild in Lviv.", "label": "NATURAL_DISASTER"},
    ]), encoding="utf-8")  # fmt: skip
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a", "title": "Shelling in Aleppo", "date": "2016-08-01",
                                    "text": "Government forces shelled the city of Aleppo on Monday.",
                                    "governorate": "aleppo"}) + "\n", encoding="utf-8")  # fmt: skip
    assert (file_kind(types), file_kind(articles)) == ("types", "articles")
    report = evaluate_types(types, extractor)
    assert report["snippets"] == 3 and report["accuracy"] == 1.0
    assert report["confusion"]["none"] == {"none": 1}
    assert "accuracy 1.000" in types_table("types.jsonl", report)
    scored = evaluate_articles(articles, extractor)
    assert (scored["articles"], scored["main_event_in_governorate"], scored["events_per_article"]) == (
        1,
        1.0,
        1.0,
    )


def test_an_event_told_only_at_the_country_goes_to_the_region_the_article_is_about(extractor):
    text = ("Rebels in Aleppo held the old city on Monday. Fighting went on around Manbij and Al Bab.\n\n"
            "Government air strikes killed 12 civilians in Syria, monitors said.")  # fmt: skip
    strike = next(e for e in _events(extractor, text) if e.fatalities == 12)
    assert (strike.location, strike.geo_precision) == ("Aleppo Province", "region")
    assert strike.location_reason.startswith("only the country (Syria) where it is told; the region")


def test_an_event_stays_at_the_country_when_the_article_spreads_over_regions(extractor):
    text = ("Rebels in Aleppo held the old city on Monday. Fighting went on around Homs and Daraa.\n\n"
            "Government air strikes killed 12 civilians in Syria, monitors said.")  # fmt: skip
    strike = next(e for e in _events(extractor, text) if e.fatalities == 12)
    assert (strike.location, strike.geo_precision) == ("Syria", "country")


def test_no_protest_without_a_crowd(extractor):
    text = ("During a phone discussion with Belarus' authoritarian leader Alexander Lukashenko on Sunday, "
            "Ukrainian President Volodymyr Zelenskyy agreed to send a delegation to meet with Russian "
            "negotiators, according to a representative for the president's office.")  # fmt: skip
    assert {e.event_type for e in _events(extractor, text)} <= {"Diplomacy", "Strategic developments"}
