"""The evaluation says when it scores a shipped model on the texts it was trained on."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from geo.cli import main
from geo.events import evaluate
from geo.events.classify import shipped_types
from geo.events.detect import shipped_detector
from geo.events.locate import shipped_model
from geo.events.trained import keys_of, share_seen, text_key

SEEN = "Rebels shelled the market of Idlib on Monday."
NEW = "Police arrested 40 activists in Minsk."


def test_a_texts_key_ignores_how_its_spaces_are_laid_out():
    assert text_key("Rebels  shelled\nthe town.") == text_key(" Rebels shelled the town. ")
    assert text_key("Rebels shelled the town.") != text_key("Rebels shelled the city.")
    assert share_seen([SEEN, NEW], keys_of([SEEN])) == 0.5 and share_seen([NEW], None) == 0.0


def test_every_shipped_model_knows_what_it_was_trained_on():
    # the type model on the 496 CASE snippets, the locator on the 7,732 sentences, the
    # detector on the records of every dev set it learned from
    assert len(shipped_types().trained_on) > 400
    assert len(shipped_model().trained_on) > 6000  # 6,597 distinct sentences
    assert len(shipped_detector().model.trained_on) > 10000


class _Trained:
    def __init__(self, texts):
        self.trained_on = keys_of(texts)


def test_eval_warns_of_a_train_set_figure_and_only_then(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "shipped_types", lambda: _Trained([SEEN]))
    seen = tmp_path / "seen.jsonl"
    seen.write_text(json.dumps({"text": SEEN, "label": "ART_MISS_ATTACK"}) + "\n" +
                    json.dumps({"text": NEW, "label": "ARREST"}) + "\n", encoding="utf-8")  # fmt: skip
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"text": NEW, "label": "ARREST"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(seen), str(new), "--format", "both"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[: result.output.rindex("}") + 1])
    assert figures[str(seen)]["trained_on"] == {"the type model": 0.5}
    assert "trained_on" not in figures[str(new)]
    warnings = [line for line in result.output.splitlines() if "Warning" in line]
    assert len(warnings) == 1 and "the type model 50%: a train-set figure" in warnings[0]


def test_the_locator_is_named_only_when_it_is_used(tmp_path):
    text = "Rebels shelled the market of Idlib on Monday."
    record = {"text": text, "trigger": {"start": 7, "end": 14}, "locations": [{"start": 29, "end": 34}]}
    path = tmp_path / "location.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    trained = np.array(shipped_model().trained_on, dtype=np.uint32)
    assert share_seen([text], trained) == 0.0  # a sentence written for the test
    assert evaluate.seen_in_training(path, "location", "rules") == {}
