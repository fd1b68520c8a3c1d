"""Prometheus metrics of the alerter stage, with the thin recording calls the delivery path makes.

Input: attempts and final delivery outcomes per channel (``alerts.delivery.Reporter``),
accepted immediate alerts (``alerts.worker``), operator alerts raised and dead letters.
Output: counters and a histogram in the process-wide ``prometheus_client`` registry, served
on ``/metrics`` by ``cgtwatch.runtime.health``. Names start with ``cgtwatch_alert_``.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Histogram

#: Seconds from ``fetched_at`` to an accepted alert; the same buckets as the indexer's.
LATENCY_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
                   7200.0, 21600.0, 86400.0)

DELIVERIES = Counter(
    "cgtwatch_alert_deliveries",
    "Final outcome of each delivery (alert or digest) after retries, by channel and status "
    "(sent, failed, unknown)", ["channel", "status"])
DELIVERY_FAILURES = Counter(
    "cgtwatch_alert_delivery_failures",
    "Delivery attempts the channel did not accept (retried ones included), by channel",
    ["channel"])
DEAD_LETTERS = Counter(
    "cgtwatch_alert_dead_lettered",
    "Classified messages or deliveries the alerter sent to articles.deadletter")
FETCH_TO_ALERT = Histogram(
    "cgtwatch_alert_fetch_to_alert_seconds",
    "Seconds from an article's fetched_at to a channel accepting its immediate alert",
    ["channel"], buckets=LATENCY_BUCKETS)
OPS_EVENTS = Counter(
    "cgtwatch_alert_ops_events",
    "Operator alerts raised by the alerter (e.g. a channel keeps failing), by kind", ["kind"])


def record_attempt(channel: str, ok: bool) -> None:
    """One try on ``channel``; a refused or failed one counts as a delivery failure."""
    if not ok:
        DELIVERY_FAILURES.labels(channel=channel).inc()


def record_delivery(channel: str, status: str, count: int = 1) -> None:
    """Final outcomes (sent, failed, unknown) of ``count`` deliveries."""
    DELIVERIES.labels(channel=channel, status=status).inc(count)


def record_dead_letter() -> None:
    DEAD_LETTERS.inc()


def record_alert_latency(channel: str, fetched_at: datetime, now: datetime) -> None:
    """An immediate alert about an article fetched at ``fetched_at`` was accepted ``now``."""
    FETCH_TO_ALERT.labels(channel=channel).observe(max((now - fetched_at).total_seconds(), 0.0))


def record_ops_event(kind: str) -> None:
    OPS_EVENTS.labels(kind=kind).inc()
