"""Prometheus metrics of the alerter stage, with the thin recording calls the delivery path makes.

Input: final delivery outcomes per channel (``alerts.delivery.Deliverer``), accepted immediate
alerts (``alerts.agent.Alerter``) and operator alerts raised. Output: counters and a histogram
in the process-wide ``prometheus_client`` registry, served on ``/metrics`` by
``cgtwatch.runtime.health``. Names start with ``cgtwatch_alert_``.
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
    "(sent, failed)", ["channel", "status"])
DELIVERY_FAILURES = Counter(
    "cgtwatch_alert_delivery_failures",
    "Delivery attempts the channel did not accept (retried ones included), by channel",
    ["channel"])
FETCH_TO_ALERT = Histogram(
    "cgtwatch_alert_fetch_to_alert_seconds",
    "Seconds from an article's fetched_at to a channel accepting its immediate alert",
    ["channel"], buckets=LATENCY_BUCKETS)
OPS_EVENTS = Counter(
    "cgtwatch_alert_ops_events",
    "Operator alerts raised by the alerter (e.g. a channel keeps failing), by kind", ["kind"])


def record_delivery(channel: str, ok: bool, attempts: int) -> None:
    """One final outcome after ``attempts`` tries: every try but an accepted last one failed."""
    DELIVERIES.labels(channel=channel, status="sent" if ok else "failed").inc()
    failed_attempts = attempts - 1 if ok else attempts
    if failed_attempts > 0:
        DELIVERY_FAILURES.labels(channel=channel).inc(failed_attempts)


def record_alert_latency(channel: str, fetched_at: datetime, now: datetime) -> None:
    """An immediate alert about an article fetched at ``fetched_at`` was accepted ``now``."""
    FETCH_TO_ALERT.labels(channel=channel).observe(max((now - fetched_at).total_seconds(), 0.0))


def record_ops_event(kind: str) -> None:
    OPS_EVENTS.labels(kind=kind).inc()
