"""Accuracy floors of the classifier on the labelled development set.

Reads ``shared/datasets/classification/dev.jsonl`` (the shared directory sits beside the
checkout or is named by ``CGTWATCH_SHARED_DIR``; without it the tests are skipped). Positive =
primary or secondary salience. Floors sit a little below the figures measured on all 163 items
(cell F1 0.957 / P 0.978, gene F1 0.962 / P 0.962, salience accuracy 0.939 / 0.957, passing
recall 1.000); the held-out acceptance floors are cell F1 ≥ 0.93, gene F1 ≥ 0.95, precision
≥ 0.92, salience accuracy ≥ 0.92 and passing recall ≥ 0.95.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from streams.classify import default_classifier
from streams.evaluate import EvalReport, evaluate

pytestmark = pytest.mark.quality

SHARED = Path(os.environ.get("CGTWATCH_SHARED_DIR")
              or Path(__file__).resolve().parents[3] / "shared")
DEV = SHARED / "datasets" / "classification" / "dev.jsonl"
CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    if not DEV.is_file():
        pytest.skip(f"labelled classification set not found at {DEV}")
    gold: list[dict[str, Any]] = [json.loads(line) for line in
                                  DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    clf = default_classifier(CONFIG)
    return evaluate(gold, [clf.classify(g["title"], g["text"], g.get("lang")) for g in gold])


def test_cell_therapy_floor(report: EvalReport) -> None:
    prf = report.per_label["cell_therapy"]
    assert prf.f1 >= 0.93 and prf.precision >= 0.93


def test_gene_therapy_floor(report: EvalReport) -> None:
    prf = report.per_label["gene_therapy"]
    assert prf.f1 >= 0.95 and prf.precision >= 0.93


def test_salience_accuracy_floor(report: EvalReport) -> None:
    assert report.salience_accuracy["cell_therapy"] >= 0.92
    assert report.salience_accuracy["gene_therapy"] >= 0.94


def test_passing_mentions_are_reported(report: EvalReport) -> None:
    assert report.passing_recall >= 0.95
