"""Prometheus metrics of the indexer stage, with the thin recording calls ``indexer.agent`` makes.

Input: outcomes of one bulk batch (articles written, per-item failures, dead letters, transport
errors). Output: counters and histograms in the process-wide ``prometheus_client`` registry,
served on ``/metrics`` by ``cgtwatch.runtime.health``. Names start with ``cgtwatch_indexer_``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Histogram

from config.contracts.articles import ClassifiedArticle
from config.contracts.wire import utcnow

#: Seconds from ``fetched_at`` to a downstream stage: seconds for the live path, up to a day
#: for backlogs. Shared with ``alerts.metrics`` by value (the packages may not import each other).
LATENCY_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
                   7200.0, 21600.0, 86400.0)
BATCH_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)

ARTICLES_INDEXED = Counter(
    "cgtwatch_indexer_articles_indexed", "Articles written to the articles index")
BULK_FAILURES = Counter(
    "cgtwatch_indexer_bulk_failures",
    "Bulk items that failed for good, by HTTP status; status=transport counts bulk requests "
    "that failed as a whole and were retried", ["status"])
DEAD_LETTERED = Counter(
    "cgtwatch_indexer_dead_lettered",
    "Messages the indexer sent to articles.deadletter, by reason (undecodable, bulk_failed)",
    ["reason"])
BATCH_SIZE = Histogram(
    "cgtwatch_indexer_batch_size", "Messages per indexer batch", buckets=BATCH_BUCKETS)
FETCH_TO_INDEX = Histogram(
    "cgtwatch_indexer_fetch_to_index_seconds",
    "Seconds from an article's fetched_at to its document being written", buckets=LATENCY_BUCKETS)


def record_batch(*, undecodable: int, failed: Sequence[dict[str, Any]],
                 written: Iterable[ClassifiedArticle] = (), size: int | None = None,
                 now: datetime | None = None) -> None:
    """Record one batch: its size (article batches only), the undecodable messages and the
    bulk items that failed for good (both dead-lettered), and the articles written."""
    if size is not None:
        BATCH_SIZE.observe(size)
    if undecodable:
        DEAD_LETTERED.labels(reason="undecodable").inc(undecodable)
    for item in failed:
        BULK_FAILURES.labels(status=str(item.get("status", "unknown"))).inc()
        DEAD_LETTERED.labels(reason="bulk_failed").inc()
    at = now or utcnow()
    for article in written:
        ARTICLES_INDEXED.inc()
        FETCH_TO_INDEX.observe(max((at - article.fetched_at).total_seconds(), 0.0))


def record_transport_error() -> None:
    """A bulk request failed as a whole (connection, timeout, 5xx on the request); retried."""
    BULK_FAILURES.labels(status="transport").inc()
