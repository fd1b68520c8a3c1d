"""Metric functions of streams.evaluate."""

from __future__ import annotations

from typing import Any

from config.contracts.articles import Classification, LabelResult
from streams.evaluate import evaluate, format_report


def pred(cell: str, gene: str) -> Classification:
    sal = {"cell_therapy": cell, "gene_therapy": gene}
    return Classification(
        labels=[k for k, v in sal.items() if v in ("primary", "secondary")],
        results={k: LabelResult(score=0.5, salience=v) for k, v in sal.items()})


GOLD: list[dict[str, Any]] = [
    {"id": "a", "lang": "zh", "labels": ["cell_therapy"], "salience": {"cell_therapy": "primary"}},
    {"id": "b", "lang": "en", "labels": [], "salience": {"gene_therapy": "passing"}},
    {"id": "c", "lang": "en", "labels": ["gene_therapy"], "salience": {"gene_therapy": "secondary"},
     "uncertain": True},
    {"id": "d", "lang": "zh", "labels": [], "salience": {}},
]


def test_evaluate_counts_prf_salience_and_passing() -> None:
    preds = [pred("primary", "none"), pred("none", "passing"), pred("none", "none"),
             pred("secondary", "none")]
    report = evaluate(GOLD, preds)
    cell, gene = report.per_label["cell_therapy"], report.per_label["gene_therapy"]
    assert (cell.tp, cell.fp, cell.fn) == (1, 1, 0)
    assert (gene.tp, gene.fp, gene.fn) == (0, 0, 1)
    assert cell.precision == 0.5 and gene.recall == 0.0
    assert report.per_label_lang["cell_therapy"]["zh"].fp == 1
    assert report.salience_accuracy["cell_therapy"] == 0.75
    assert report.confusion["gene_therapy"]["secondary"]["none"] == 1
    assert report.passing_recall == 1.0 and report.passing_total == 1
    assert report.errors == ["c", "d"]
    assert report.subsets["uncertain"].n == 1 and report.subsets["certain"].n == 3
    text = format_report(report)
    assert "cell_therapy" in text and "passing recall" in text and "misclassified: c, d" in text
