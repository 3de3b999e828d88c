"""The incident detector: what it reads, how it is trained and saved, how its thresholds are chosen."""

from __future__ import annotations

import numpy as np
import pytest

from geo.events import train_detect
from geo.events.detect import IncidentModel, detector_text, is_report, shipped_detector
from geo.events.train_detect import Example

pytest.importorskip("sklearn")

INCIDENTS = ["Damaged hospital in Izium", "Aftermath of a strike in Kramatorsk", "Tank firing at houses in Lyman",
             "Explosions heard overnight in Zhytomyr", "Destroyed bridge near Irpin", "Burnt cars in Bucha"]
QUIET = ["The minister spoke to reporters in Kyiv", "Markets rose on Monday in London", "The weather was mild in Lviv",
         "Tickets for the concert in Odesa sold out", "The committee will meet in Brussels", "Read more on our site"]


def _items() -> list[Example]:
    return ([Example(t, (), True, "reports") for t in INCIDENTS]
            + [Example(t, (), False, "news") for t in QUIET])  # fmt: skip


def test_names_and_digits_say_nothing():
    assert detector_text("16/02/2022 Damaged hospital in Izium") == "00/00/0000 Damaged hospital in Name"
    assert detector_text("Russian troops in Kharkiv") == "Russian troops in Name"


def test_training_is_deterministic_and_the_saved_model_scores_the_same(tmp_path):
    a, b = train_detect.fit(_items()), train_detect.fit(_items())
    assert a.vocabulary == b.vocabulary and np.array_equal(a.weights, b.weights)
    detector = IncidentModel(a, 0.5, 0.3)
    detector.save(tmp_path / "detector.npz")
    loaded = IncidentModel.load(tmp_path / "detector.npz")
    assert (loaded.threshold, loaded.report_threshold) == pytest.approx((0.5, 0.3))
    for text in ["Damaged school in Kupiansk", "The minister spoke in Lviv"]:
        assert loaded.probability(text) == pytest.approx(detector.probability(text), abs=2e-3)
    assert detector.probability("Damaged school in Kupiansk") > detector.probability("The minister spoke in Lviv")


def test_the_anchor_is_a_word_of_the_incident_not_a_function_word():
    start, end = shipped_detector().anchor("Aftermath of a strike in Kramatorsk")
    assert "Aftermath of a strike in Kramatorsk"[start:end] in ("Aftermath", "strike")


def test_thresholds_keep_the_reports_and_spare_the_quiet_news():
    items = [Example(f"r{i}", (), True, "cir") for i in range(100)] + [
        Example(f"n{i}", (), False, g) for g in ("lgl", "gwn") for i in range(100)]  # fmt: skip
    scores = {"cir": np.linspace(0.2, 1.0, 100), "lgl": np.linspace(0.0, 0.6, 100), "gwn": np.linspace(0.0, 0.6, 100)}
    article, report = train_detect.choose_thresholds(items, scores, ("cir",))
    assert (scores["lgl"] >= article).mean() <= train_detect.ARTICLE_FALSE_RATE
    assert (scores["cir"] >= report).mean() >= train_detect.REPORT_RECALL and report <= 0.25


def test_a_title_is_a_short_report_and_an_article_is_not():
    assert is_report("Damaged hospital in Izium", 1)
    assert not is_report("A sentence of news. " * 60, 60)


def test_the_shipped_detector_loads_and_takes_a_monitor_title():
    detector = shipped_detector()
    assert detector is not None and detector.reports("Aftermath of a strike in Kramatorsk", short=True)
