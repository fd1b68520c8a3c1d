"""``cgtwatch classify`` and ``cgtwatch eval`` on small files (typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cgtwatch.cli import classify
from cgtwatch.cli.app import app

runner = CliRunner()

ARTICLES: list[dict[str, Any]] = [
    {"id": "zh-1", "lang": "zh", "title": "大连医科大学开展CAR-T细胞治疗临床研究",
     "text": "大连医科大学附属医院近日完成首例CAR-T细胞治疗，患者为复发难治淋巴瘤。"
             "医院表示，将继续开展细胞治疗临床研究。"},
    {"id": 2, "title": "FDA approves gene therapy for hemophilia B",
     "text": "The U.S. Food and Drug Administration approved Hemgenix, an adeno-associated "
             "virus vector-based gene therapy for adults with hemophilia B."},
    {"id": "neg", "title": "City approves budget", "text": "A solar cell plant will open."},
]


def write_jsonl(path: Path, rows: list[Any], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + extra,
                    encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_classify_writes_one_line_per_article(tmp_path: Path) -> None:
    src, out = write_jsonl(tmp_path / "in.jsonl", ARTICLES), tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["zh-1", 2, "neg"]
    zh, en, neg = rows
    assert set(zh) == {"id", "labels", "scores", "salience", "evidence", "tags", "entities"}
    assert zh["labels"] == ["cell_therapy"] and zh["salience"]["cell_therapy"] == "primary"
    assert 0.0 < zh["scores"]["cell_therapy"] <= 1.0
    assert {"term", "snippet", "field"} == set(zh["evidence"]["cell_therapy"][0])
    assert "Dalian Medical University" in [i["name_en"] for i in
                                          zh["entities"]["institutions"]]
    assert {"Dalian", "Liaoning"} <= {r["name_en"] for r in zh["entities"]["regions"]}
    assert en["labels"] == ["gene_therapy"]
    assert "U.S. Food and Drug Administration" in [
        i["name_en"] for i in en["entities"]["institutions"]]
    assert neg["labels"] == [] and neg["evidence"]["cell_therapy"] == []
    assert "classified 3 articles" in result.output


def test_bad_lines_are_named_skipped_and_fail_the_run(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [ARTICLES[0], {"id": "x", "title": "no text"}],
                      extra="{not json\n\n[1, 2]\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "-i", str(src), "-o", str(out)])
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "line 2: text: Field required" in flat
    assert "line 3: not valid JSON" in flat
    assert "line 5: expected a JSON object" in flat
    assert "3 bad line(s) skipped" in flat
    assert [r["id"] for r in read_jsonl(out)] == ["zh-1"]


def test_classify_reports_progress_on_long_inputs(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classify, "PROGRESS_EVERY", 2)
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES * 2)
    result = runner.invoke(app, ["classify", "-i", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0
    assert "classified 2 articles …" in result.output
    assert "classified 4 articles …" in result.output


def test_classify_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", "-i", str(tmp_path / "nope.jsonl"),
                                 "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.output


LABELLED: list[dict[str, Any]] = [
    {**ARTICLES[0], "labels": ["cell_therapy"], "salience": {"cell_therapy": "primary"}},
    {**ARTICLES[1], "lang": "en", "labels": ["gene_therapy"],
     "salience": {"gene_therapy": "primary"}},
    {**ARTICLES[2], "lang": "en", "labels": ["cell_therapy"],
     "salience": {"cell_therapy": "secondary"}, "uncertain": True},
]


def test_eval_prints_metrics_confusion_and_uncertain_items(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "gold.jsonl", LABELLED)
    result = runner.invoke(app, ["eval", "--input", str(src)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "all: 3 items" in text and "cell_therapy[zh]" in text and "gene_therapy[en]" in text
    assert "salience confusion cell_therapy" in text and "passing recall" in text
    assert "uncertain: 1 items" in text and "certain: 2 items" in text
    assert "misclassified (uncertain): neg" in text


def test_eval_json_and_bad_labels(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "gold.jsonl", LABELLED)
    result = runner.invoke(app, ["eval", "-i", str(src), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["per_label"]["gene_therapy"]["f1"] == 1.0
    assert data["subsets"]["uncertain"]["n"] == 1
    bad = write_jsonl(tmp_path / "bad.jsonl", [{**LABELLED[0], "labels": ["cells"]}])
    result = runner.invoke(app, ["eval", "-i", str(bad)])
    assert result.exit_code == 2
    assert "line 1: labels must be a subset" in " ".join(result.output.split())


def test_classify_output_dash_is_stdout(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["classify", "-i", str(src), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "-").exists()
    ids = [json.loads(line)["id"] for line in result.output.splitlines() if line.startswith("{")]
    assert ids == ["zh-1", 2, "neg"]


def test_classify_output_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    out = tmp_path / "nosuch" / "out.jsonl"
    result = runner.invoke(app, ["classify", "-i", str(src), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "does not exist" in " ".join(result.output.split())


def test_eval_refuses_unlabelled_records(tmp_path: Path) -> None:
    """Unlabelled input used to give P = R = F1 = 1.000 and exit 0."""
    src = write_jsonl(tmp_path / "plain.jsonl", ARTICLES)
    result = runner.invoke(app, ["eval", "-i", str(src)])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert "line 1: no \"labels\" field" in flat and "cgtwatch classify" in flat


def test_eval_shows_misclassified_items_with_their_titles(tmp_path: Path) -> None:
    wrong = {"id": "w1", "title": "City approves budget", "text": "A solar cell plant will open.",
             "labels": ["cell_therapy"], "salience": {"cell_therapy": "primary"}, "lang": "en"}
    src = write_jsonl(tmp_path / "gold.jsonl", [wrong])
    result = runner.invoke(app, ["eval", "-i", str(src)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "misclassified items" in flat and "City approves budget" in flat
