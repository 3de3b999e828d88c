"""The learned event locator: candidates, the shipped model, the evaluation and training."""

from __future__ import annotations

import json

import pytest

from geo.events.evaluate import (
    LocationCase,
    evaluate_locations,
    is_location_file,
    model_locator,
    rule_locator,
)
from geo.events.locate import candidates, shipped_model
from geo.events.train_locator import best_threshold, fit, grouped_folds, rows_of, score

SENTENCE = (
    "In the West Bank city of Nablus Saturday, a Palestinian man riding a motorcycle was shot and killed."
)
SHOT = (SENTENCE.index("shot"), SENTENCE.index("shot") + 4)


def test_candidates_include_names_the_gazetteer_does_not_know(geoparser):
    text = "Gunmen attacked Sontyo village in Benue state on Friday."
    spans = {text[c.start : c.end] for c in candidates(text, geoparser.parse(text))}
    assert "Sontyo" in spans and "Benue state" in spans


def test_the_shipped_model_reads_and_scores_in_range(geoparser):
    model = shipped_model()
    assert 0 < model.threshold < 1 and len(model.weights) > 20
    picked = model.choose(SENTENCE, geoparser.parse(SENTENCE), SHOT)
    assert picked is not None
    _, probability, scored = picked
    assert all(0 <= p <= 1 for _, p in scored) and probability == max(p for _, p in scored)
    assert json.loads(model.to_json())["threshold"] == model.threshold


def test_no_candidate_means_not_stated(geoparser):
    text = "the protesters were beaten by police on saturday."
    assert (
        model_locator(text, geoparser.parse(text), (text.index("beaten"), text.index("beaten") + 6)) is None
    )


def test_location_files_are_recognised(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"text": SENTENCE, "trigger": {"start": SHOT[0], "end": SHOT[1]},
                                "locations": [{"start": 25, "end": 31}]}) + "\n", encoding="utf-8")  # fmt: skip
    assert is_location_file(path)
    (tmp_path / "toponyms.jsonl").write_text('{"id": "1", "text": "x", "toponyms": []}\n', encoding="utf-8")
    assert not is_location_file(tmp_path / "toponyms.jsonl")


def test_scoring_counts_a_wrong_place_as_both_errors(geoparser, extractor):
    cases = [
        LocationCase("hit", SENTENCE, SHOT, ((25, 31),)),
        LocationCase("none", "Talks were held in Gomel.", (0, 5), ()),
    ]
    report = evaluate_locations(cases, extractor, lambda text, mentions, trigger: (0, 2))
    assert (report["precision"], report["recall"], report["not_stated_accuracy"]) == (0.0, 0.0, 0.0)
    report = evaluate_locations(cases[:1], extractor, rule_locator)
    assert report["f1"] == 1.0


@pytest.mark.parametrize("c", [0.5])
def test_training_learns_from_cases(geoparser, c):
    """A tiny training set of one pattern is learned: the place after "in" is the event's."""
    cases = []
    for town in ("Kharkiv", "Lviv", "Odesa", "Mariupol", "Sumy", "Poltava", "Kherson", "Chernihiv"):
        text = f"Police said troops shelled the centre in {town} on Monday, Ukraine says."
        start = text.index(town)
        cases.append(LocationCase(town, text, (text.index("shelled"), text.index("shelled") + 7),
                                  ((start, start + len(town)),)))  # fmt: skip
    case_rows = [rows_of(case, geoparser.parse(case.text)) for case in cases]
    weights = fit([r for rows in case_rows for r in rows])
    threshold = best_threshold(cases, case_rows, weights)
    assert score(cases, case_rows, weights, threshold)["f1"] == 1.0


def test_grouped_folds_hold_out_one_source_at_a_time():
    cases = [LocationCase(str(i), "x", (0, 1), (), "big" if i < 150 else f"small{i % 2}") for i in range(170)]
    folds = grouped_folds(cases)
    assert sorted(folds) == ["big", "other"] and len(folds["big"]) == 150 and len(folds["other"]) == 20
