"""The classifier on new articles written for these tests, one file per class of miss.

``data/unseen_*.yaml`` hold short articles (simplified and traditional Chinese, English) written
for this purpose, not taken from any labelled set, each with the salience the labelling
conventions give per label (one value, or a list of values the conventions allow). Classes:
ex vivo gene-modified cells, compound terms in every order and script, stem cells repairing
an injury, cell banks and translation centres, bulletins with one brief, single mentions in
lists of fields, drugs that activate the body's own stem cells; and guards (articles near
those classes that the conventions keep out or in). A case with ``xfail`` is a known miss,
with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.classify import Classifier, default_classifier

CONFIG = Path(__file__).resolve().parents[3] / "config"
DATA = Path(__file__).with_name("data")
LABELS = {"cell": "cell_therapy", "gene": "gene_therapy"}


def _cases() -> list[Any]:
    out = []
    for path in sorted(DATA.glob("unseen_*.yaml")):
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
        for n, row in enumerate(rows):
            marks = [pytest.mark.xfail(reason=row["xfail"], strict=True)] if "xfail" in row else []
            out.append(pytest.param(row, id=f"{path.stem.removeprefix('unseen_')}-{n}",
                                    marks=marks))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return default_classifier(CONFIG)


def test_every_class_has_cases() -> None:
    """The counts README.md gives: cases, files, known misses."""
    assert len(CASES) == 179
    assert len(list(DATA.glob("unseen_*.yaml"))) == 8
    assert sum(1 for case in CASES if case.marks) == 6


@pytest.mark.parametrize("case", CASES)
def test_salience_follows_the_conventions(clf: Classifier, case: dict[str, Any]) -> None:
    result = clf.classify(case["title"], case["text"])
    got = {key: result.results[label].salience for key, label in LABELS.items()}
    want = {key: case[key] if isinstance(case[key], list) else [case[key]] for key in LABELS}
    assert all(got[k] in want[k] for k in LABELS), f"{case['title']}: got {got}, want {want}"
