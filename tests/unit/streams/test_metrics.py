"""Classifier metrics: outcomes of raw articles and classified articles by label."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import REGISTRY

from config.contracts.articles import ClassifiedArticle
from streams import metrics


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_outcomes_and_labels(make_article: Callable[..., ClassifiedArticle]) -> None:
    before = {o: value("cgtwatch_streams_articles_total", outcome=o)
              for o in (*metrics.OUTCOMES, "other")}
    labels = {label: value("cgtwatch_streams_articles_classified_total", label=label)
              for label in ("cell_therapy", "gene_therapy", "none")}
    for outcome in ("classified", "classified", "duplicate", "deadletter", "weird"):
        metrics.record_outcome(outcome)
    metrics.record_classified(make_article(gene=("primary", 0.9)))
    metrics.record_classified(make_article(cell=("none", 0.0)))
    after = {o: value("cgtwatch_streams_articles_total", outcome=o) - n for o, n in before.items()}
    assert after == {"classified": 2, "duplicate": 1, "deadletter": 1, "other": 1}
    assert {label: value("cgtwatch_streams_articles_classified_total", label=label) - n
            for label, n in labels.items()} == {"cell_therapy": 1, "gene_therapy": 1, "none": 1}
