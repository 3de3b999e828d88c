"""Incident reports: monitor titles, headlines, notes and posts become events at their place."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.events.articles import parse_article
from geo.events.evaluate import evaluate_reports, file_kind, reports_table
from geo.events.ingest import ingest_many
from geo.gazetteer.place import distance_km


def _write(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


REPORTS = [  # made for the tests: two shellings far apart, one report naming no incident
    {"id": "1", "text": "Russian forces shelled Kharkiv on 10 March, killing two civilians.", "date": "2022-03-10",
     "lat": 49.99, "lon": 36.23, "where_prec": 1},
    {"id": "2", "text": "Russian forces shelled Mykolaiv on 10 March.", "date": "2022-03-10",
     "lat": 46.97, "lon": 31.99, "where_prec": 1},
    {"id": "3", "text": "The weather was mild.", "date": "2022-03-10", "lat": 50.45, "lon": 30.52,
     "where_prec": 4},
]  # fmt: skip


def test_report_files_are_recognised_and_scored(tmp_path, extractor):
    path = _write(tmp_path / "reports.jsonl", REPORTS)
    assert file_kind(path) == "reports"
    report = evaluate_reports(path, extractor)
    assert (report["reports"], report["with_event"], report["within_25km_of"]) == (3, 0.667, 2)
    assert (report["within_25km"], report["within_100km"], report["date_right"]) == (1.0, 0.667, 1.0)
    assert report["events_per_report"] == 0.67 and report["merged_distinct"] == 0.0
    assert "with an event 0.667" in reports_table("reports.jsonl", report)


def test_eval_takes_several_files_of_different_kinds(tmp_path, gazetteer):
    reports = _write(tmp_path / "reports.jsonl", REPORTS[:1])
    types = _write(tmp_path / "types.jsonl", [{"text": "Police arrested 40 activists in Minsk.", "label": "ARREST"}])
    result = CliRunner().invoke(main, ["eval", str(reports), str(types), "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures[str(reports)]["with_event"] == 1.0 and figures[str(types)]["accuracy"] == 1.0


def _events(extractor, text, date="2022-03-10"):
    return extractor.extract(parse_article(text, date=date))


@pytest.mark.parametrize(("text", "point"), [
    ("Damaged hospital in Izium", (49.21, 37.26)),
    ("Civilians protesting in Melitopol", (46.85, 35.37)),
    ("Tank firing at apartment blocks in Sievierodonetsk", (48.95, 38.49)),
    ("Russian military convoy near Popasna, Luhansk Oblast", (48.63, 38.38)),
])  # fmt: skip
def test_a_report_told_without_a_verb_of_war_is_an_event_at_its_place(extractor, text, point):
    (event,) = _events(extractor, text)
    assert distance_km(point, (event.latitude, event.longitude)) < 10, event.location_reason
    assert event.geo_precision in ("exact", "near") and event.trigger


@pytest.mark.parametrize("text", [
    "The weather was mild in Lviv.",
    "Euromaidan Press",
    "A man robbed a bank in Kyiv.",
])  # fmt: skip
def test_a_report_that_tells_no_conflict_incident_gives_no_event(extractor, text):
    assert _events(extractor, text) == []


def test_todays_spelling_of_a_ukrainian_town_is_known(extractor):
    (event,) = _events(extractor, "Russian artillery shelled Chuhuiv overnight")
    assert event.gazetteer_id is not None and abs(event.latitude - 49.84) < 0.1 and abs(event.longitude - 36.69) < 0.1


THREE = [  # three distinct shellings, 15 to 35 km apart, on two days
    {"text": "Russian forces shelled Kharkiv on 10 March, killing two civilians.", "date": "2022-03-10"},
    {"text": "Russian forces shelled Chuhuiv on 10 March, killing one civilian.", "date": "2022-03-10"},
    {"text": "Russian forces shelled Derhachi on 11 March, wounding three people.", "date": "2022-03-11"},
]


def test_distinct_incidents_nearby_stay_distinct(tmp_path, store, extractor):
    path = _write(tmp_path / "three.jsonl", THREE)
    ingest_many([path], store, extractor)
    shellings = store.events(event_type="Explosions/Remote violence")
    assert sorted((round(e.latitude, 1), round(e.longitude, 1), len(e.sources)) for e in shellings) == [
        (49.8, 36.7, 1), (50.0, 36.3, 1), (50.1, 36.1, 1)]  # Chuhuiv, Kharkiv, Derhachi  # fmt: skip


def test_repeated_reports_of_one_incident_merge_and_keep_the_highest_toll(tmp_path, store, extractor):
    path = _write(tmp_path / "two.jsonl", [
        {"text": "Russian forces shelled Kharkiv on 10 March, killing two civilians.", "date": "2022-03-10",
         "source": "A"},
        {"text": "On 10 March Russian shelling hit Kharkiv; 3 civilians were killed, officials said.",
         "date": "2022-03-10", "source": "B"},
        {"text": "Two civilians were killed when Russian forces shelled Kharkiv on 10 March, the governor said.",
         "date": "2022-03-11", "source": "C"},
    ])  # fmt: skip
    ingest_many([path], store, extractor)
    (event,) = store.events(event_type="Explosions/Remote violence")
    assert event.fatalities == 3
    assert sorted(s.get("fatalities") for s in event.sources) == [2, 2, 3]


@pytest.mark.parametrize(("text", "point", "why"), [
    ("Bakhmut. Artillery hit a residential area; one civilian killed.", (48.59, 38.00), "location line"),
    ("KHARKIV, Ukraine — Russian shelling hit a school on Tuesday, officials said.", (49.98, 36.25),
     "location line"),
    ("17/03/2022 Shelling of Kindagarten No: 33, Kharkiv", (49.99, 36.23), "only place"),
])  # fmt: skip
def test_the_place_a_report_names_is_the_events_place(extractor, text, point, why):
    (event,) = _events(extractor, text)
    assert distance_km(point, (event.latitude, event.longitude)) < 10
    assert why in event.location_reason and event.geo_precision == "exact"


def test_a_report_place_inside_the_country_the_sentence_names_replaces_it(extractor):
    (event,) = _events(extractor, "Russian forces destroying the Glory to Ukraine Memorial in Kherson")
    assert event.location == "Kherson" and event.geo_precision == "exact"


def test_a_date_before_the_title_does_not_hide_its_place(extractor):
    (event,) = _events(extractor, "30/03/2022 Shelled Lysychansk, civilian casualties")
    assert distance_km((48.90, 38.43), (event.latitude, event.longitude)) < 10


@pytest.mark.parametrize(("text", "point"), [
    ("19/07/2022 Destroyed school in Oleksandrivka, Kherson oblast", (46.76, 33.37)),
    ("Russian TOS-1 impacts in the town of Myrne, Mykolaiv Oblast.", (46.55, 32.13)),
])  # fmt: skip
def test_a_village_is_the_homonym_in_the_region_the_text_names(extractor, text, point):
    (event,) = _events(extractor, text)
    assert event.admin1 is not None and distance_km(point, (event.latitude, event.longitude)) < 60


def test_a_village_the_gazetteer_lacks_in_the_named_region_falls_back_to_the_region(extractor):
    (event,) = _events(extractor, "03/07/2022 Destroyed building in Druzhba, Luhansk Oblast, Ukraine")
    assert event.geo_precision == "region" and "Luhans" in event.location



@pytest.mark.parametrize(("text", "place"), [
    ("Fire at the Thermal Power Plant in Kurakhove, Donetsk Oblast", "Kurakhove"),
    ("Destroyed bridge over the Desna in Chernihiv", "Chernihiv"),
])  # fmt: skip
def test_a_short_report_is_placed_by_the_learned_locator(extractor, text, place):
    # The place rules take the first capitalised name the gazetteer knows ("Thermal", the
    # river); the learned locator, the default in short reports, takes the town.
    (event,) = _events(extractor, text)
    assert event.location == place

@pytest.mark.parametrize(("text", "place"), [
    ("Russian forces shelled the town of Irpin near Kyiv, killing eight civilians.", "Irpin"),
    ("Russian troops attacked Hostomel, 25 km northwest of Kyiv.", "Hostomel"),
])  # fmt: skip
def test_a_place_placed_near_another_is_the_events_place(extractor, text, place):
    (event,) = _events(extractor, text)
    assert event.location == place and event.geo_precision == "exact" and "Kyiv" in event.location_reason


def test_the_trigger_says_the_sub_type(extractor):
    (event,) = _events(extractor, "Russian forces shelled the town of Irpin near Kyiv, killing eight civilians.")
    assert event.sub_event_type == "Shelling/artillery/missile attack" and event.fatalities == 8


def test_one_headline_given_to_two_incidents_counts_as_merged_but_not_as_told_apart(tmp_path, extractor):
    text = "Russian forces shelled Kharkiv on 10 March, killing two civilians."
    path = _write(tmp_path / "same.jsonl", [
        {"text": text, "date": "2022-03-10", "lat": 49.99, "lon": 36.23},
        {"text": text, "date": "2022-03-10", "lat": 49.80, "lon": 36.60},
    ])  # fmt: skip
    report = evaluate_reports(path, extractor)
    assert report["merged_distinct"] == 1.0 and report["merged_distinct_told_apart"] == 0.0


def test_one_line_in_two_reports_that_place_it_apart_stays_two_events(tmp_path, store, extractor):
    line = "Three Ukrainian soldiers were killed in clashes in the east."
    path = _write(tmp_path / "two.jsonl", [
        {"text": f"{line}\nDerhachi.", "date": "2022-03-10", "source": "A"},
        {"text": f"{line}\nChuhuiv.", "date": "2022-03-10", "source": "B"},
    ])  # fmt: skip
    ingest_many([path], store, extractor)
    assert len(store.events()) == 2


@pytest.mark.parametrize("text", [
    "Damaged bus stop after shelling in Kharkiv",
    "Large fire in Chernihiv industrial district reportedly after shelling.",
])  # fmt: skip
def test_damage_by_a_weapon_of_war_is_no_accident(extractor, text):
    (event,) = _events(extractor, text)
    assert event.event_type == "Explosions/Remote violence" and event.gazetteer_id is not None


def test_sentences_of_local_news_in_an_article_are_no_conflict_events(extractor):
    article = " ".join([
        "The device, called the Watchman, targets a heartbeat problem called atrial fibrillation.",
        "Soccer powers Chelsea and Club America will play at the stadium in Dallas in July.",
        "The new venture opened about two weeks ago on Main Street in Springfield, Illinois.",
        "Highway Patrol troopers are looking for leads in the crash near Charleston.",
        "Patrol officers searched the area near the river for hours.",
        "The city council will vote on the budget next Tuesday, the mayor of Springfield said.",
        "Tickets for the game in Dallas go on sale on Friday at the box office and online.",
        "The school board in Springfield approved a new schedule for the autumn term.",
        "Volunteers planted two hundred trees along the river in Charleston on Saturday.",
        "The library will stay open late during the exam weeks, its director said.",
    ])  # an article, not a short report: longer than a post  # fmt: skip
    assert _events(extractor, article) == []


def test_two_shellings_near_one_city_in_an_article_stay_two_with_their_tolls(extractor):
    events = _events(extractor, "Russian forces shelled Bucha near Kyiv on Sunday, killing three civilians. "
                                "Russian forces also shelled the town of Irpin near Kyiv, killing eight civilians.")  # fmt: skip
    assert [(e.location, e.fatalities) for e in events] == [("Bucha", 3), ("Irpin", 8)]
