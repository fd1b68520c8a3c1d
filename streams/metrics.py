"""Prometheus metrics of the classifier stage (definitions and recording calls only).

Input: the outcome of each raw article the classifier agent handled (``classified``,
``duplicate``, ``deadletter``: what ``streams.agents.handle_raw`` returns) and each classified
article. Output: counters in the process-wide ``prometheus_client`` registry, served on
``/metrics`` by ``cgtwatch.runtime.health``. Names start with ``cgtwatch_streams_``. Imports only
``config`` (dependency rule).
"""

from __future__ import annotations

from prometheus_client import Counter

from config.contracts.articles import ClassifiedArticle

OUTCOMES = ("classified", "duplicate", "deadletter")

ARTICLES = Counter(
    "cgtwatch_streams_articles",
    "Raw articles handled by the classifier, by outcome (classified, duplicate, deadletter)",
    ["outcome"])
ARTICLES_CLASSIFIED = Counter(
    "cgtwatch_streams_articles_classified",
    "Classified articles by label (none: neither label); an article with both labels counts "
    "once under each", ["label"])


def record_outcome(outcome: str) -> None:
    """One raw article handled; ``outcome`` is what ``handle_raw`` returned."""
    ARTICLES.labels(outcome=outcome if outcome in OUTCOMES else "other").inc()


def record_classified(article: ClassifiedArticle) -> None:
    """Count a classified article under each of its labels, or under ``none``."""
    for label in article.labels or ["none"]:
        ARTICLES_CLASSIFIED.labels(label=label).inc()
