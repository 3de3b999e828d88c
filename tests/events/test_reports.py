"""Incident reports: monitor titles, headlines, notes and posts become events at their place."""

from __future__ import annotations

import json

from click.testing import CliRunner

from geo.cli import main
from geo.events.evaluate import evaluate_reports, file_kind, reports_table


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
