"""Accuracy floors of the classifier on the labelled development set, from a baseline file.

Reads ``shared/datasets/classification/dev.jsonl`` (the shared directory sits beside the
checkout or is named by ``CGTWATCH_SHARED_DIR``; without it the tests are skipped) and
``tests/quality/baseline.json``: per label floors for F1, precision and salience accuracy, a
floor for passing recall (gold passing mentions reported as passing or stronger), and the
sha256 of the corpus they were measured on. A fall below a floor fails; so does a corpus whose
digest differs from the baseline's, with a message saying so (the floors then mean nothing:
re-measure with ``cgtwatch eval --json`` and update the baseline). Positive = primary or
secondary salience. Every label of the taxonomy needs floors.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from config.labels import label_names
from streams.classify import default_classifier
from streams.evaluate import EvalReport, evaluate

pytestmark = pytest.mark.quality

SHARED = Path(os.environ.get("CGTWATCH_SHARED_DIR")
              or Path(__file__).resolve().parents[3] / "shared")
CONFIG = Path(__file__).resolve().parents[2] / "config"
BASELINE: dict[str, Any] = json.loads(
    (Path(__file__).with_name("baseline.json")).read_text(encoding="utf-8"))
CORPUS = SHARED / BASELINE["corpus"]
FLOORS: dict[str, dict[str, float]] = BASELINE["floors"]["labels"]


@pytest.fixture(scope="module")
def report() -> EvalReport:
    if not CORPUS.is_file():
        pytest.skip(f"labelled classification set not found at {CORPUS}")
    data = CORPUS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != BASELINE["corpus_sha256"]:
        pytest.fail(f"{CORPUS} is not the corpus the floors were measured on (sha256 {digest}, "
                    f"baseline {BASELINE['corpus_sha256']}): re-measure with `cgtwatch eval "
                    f"--json --input {CORPUS}` and update tests/quality/baseline.json",
                    pytrace=False)
    gold = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    clf = default_classifier(CONFIG)
    return evaluate(gold, [clf.classify(g["title"], g["text"], g.get("lang")) for g in gold])


def test_every_label_has_floors() -> None:
    assert set(FLOORS) == set(label_names(CONFIG / "taxonomy.yaml"))


@pytest.mark.parametrize("label", sorted(FLOORS))
def test_label_floors(report: EvalReport, label: str) -> None:
    prf, floor = report.per_label[label], FLOORS[label]
    measured = {"f1": prf.f1, "precision": prf.precision,
                "salience_accuracy": report.salience_accuracy[label]}
    below = {k: round(v, 4) for k, v in measured.items() if v < floor.get(k, 0.0)}
    assert not below, f"{label} below its floors {floor}: {below}"


def test_passing_mentions_are_reported(report: EvalReport) -> None:
    assert report.passing_recall >= BASELINE["floors"]["passing_recall"]
