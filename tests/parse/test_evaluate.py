"""The evaluation command on small files made here (any file in the format works)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.parse.evaluate import EvalFileError, Gold, auc, error_km, evaluate, read_documents


def _write(path, docs):
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


def _doc(text, *spans):
    toponyms = []
    for surface, lat, lon, geonameid in spans:
        start = text.index(surface)
        toponyms.append({"start": start, "end": start + len(surface), "surface": surface,
                         "lat": lat, "lon": lon, "geonameid": geonameid})  # fmt: skip
    return {"id": text[:10], "text": text, "toponyms": toponyms}


DOCS = [
    _doc(
        "Shelling hit Kharkiv and Kyiv overnight.",
        ("Kharkiv", 49.98, 36.25, 706483),
        ("Kyiv", 50.45, 30.52, 703448),
    ),
    _doc(
        "Refugees crossed into Poland from Lviv.",
        ("Poland", 52.0, 20.0, 798544),
        ("Lviv", 49.84, 24.02, 702550),
    ),
    _doc(
        "Paris, Texas, held a parade.", ("Paris", 33.66, -95.56, 4717560), ("Texas", 31.25, -99.25, 4736286)
    ),
    _doc(
        "Ukrainian officials met in Gomel.", ("Ukrainian", None, None, None), ("Gomel", 52.43, 30.98, 627907)
    ),
]


def test_perfect_small_corpus(geoparser, tmp_path):
    report = evaluate(read_documents(_write(tmp_path / "tiny.jsonl", DOCS)), geoparser)
    assert report["documents"] == 4 and report["gold_geocoded"] == 7
    assert report["resolution"]["accuracy_161"] == 1.0
    assert report["resolution"]["median_km"] == 0.0
    e2e = report["end_to_end"]
    assert e2e["recall"] == 1.0 and e2e["precision"] == 1.0 and e2e["f1"] == 1.0
    # "Ukrainian" is annotated without coordinates: found, but neither right nor wrong.
    assert e2e["predicted"] == 8


def test_population_baseline_is_reported_side_by_side(geoparser, tmp_path):
    report = evaluate(read_documents(_write(tmp_path / "tiny.jsonl", DOCS)), geoparser)
    # The most populous Paris is in France, and Natural Earth regions carry no population,
    # so a village called Texas (Mexico) outranks the state: the baseline misses both.
    assert report["population_baseline"]["accuracy_161"] == pytest.approx(5 / 7, abs=1e-3)


def test_error_is_zero_for_the_gold_id_or_a_point_inside_the_area(gazetteer):
    poland = gazetteer.best("Poland").place
    gold = Gold(0, 6, "Poland", 52.0, 20.0, 798544)
    assert error_km(gold, poland, poland.point, strict=False) == 0.0
    assert error_km(gold, poland, poland.point, strict=True) > 0
    elsewhere = Gold(0, 6, "Poland", 50.06, 19.94, None)  # Krakow, inside Poland
    assert error_km(elsewhere, poland, poland.point, strict=False) == 0.0


def test_auc():
    assert auc([0.0, 0.0]) == 0.0
    assert auc([20039.0, 20039.0]) == pytest.approx(1.0)
    assert 0 < auc([1.0, 10.0, 100.0, 1000.0]) < 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "x", "toponyms": []}\n{not json\n', r"line 2: not valid JSON"),
        ('{"toponyms": []}\n', r"line 1: expected an object with \"text\""),
        (
            '{"text": "Kyiv", "toponyms": [{"start": 0, "end": 99, "surface": "Kyiv"}]}\n',
            r"span 0-99 outside the text",
        ),
    ],
)
def test_malformed_files_are_refused_with_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvalFileError, match=message):
        list(read_documents(path))


def test_eval_command(index_path, tmp_path):
    path = _write(tmp_path / "tiny.jsonl", DOCS)
    result = CliRunner().invoke(main, ["--index", str(index_path), "eval", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[: result.stdout.index("\n}\n") + 2])
    assert report["end_to_end"]["f1"] == 1.0
    assert "population baseline" in result.stdout and "end to end" in result.stdout
    missing = CliRunner().invoke(main, ["--index", str(index_path), "eval", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1
    assert missing.output.strip().startswith(f"Error: Cannot read {tmp_path / 'none.jsonl'}: No such file")


def test_parse_command(index_path, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Ukraine said talks would be held in Gomel, Belarus.", encoding="utf-8")
    runner = CliRunner()
    as_json = runner.invoke(main, ["--index", str(index_path), "parse", str(article), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert [(r["text"], r["place_id"]) for r in records] == [
        ("Ukraine", "geonames:690791"), ("Gomel", "geonames:627907"), ("Belarus", "geonames:630336")
    ]  # fmt: skip
    assert set(records[1]) >= {"start", "end", "kind", "lat", "lon", "precision", "confidence", "reason"}
    again = runner.invoke(main, ["--index", str(index_path), "parse", str(article), "--format", "json"])
    assert again.stdout == as_json.stdout  # deterministic
    table = runner.invoke(main, ["--index", str(index_path), "parse", "-"], input="Fighting in Kharkiv.")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split()[:3] == ["span", "text", "role"]
    assert "geonames:706483" in table.stdout
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)))
    bad = runner.invoke(main, ["--index", str(index_path), "parse", str(junk)])
    assert bad.exit_code == 1
    assert bad.output.strip() == (
        "Error: The input is not UTF-8 text (byte 128 is invalid). Convert it first, e.g. iconv -f cp1251 -t utf-8."
    )
