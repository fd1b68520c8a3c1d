"""Alerter metrics: deliveries and failed attempts per channel, fetch-to-alert latency, ops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from alerts.agent import Alerter
from alerts.channels import Delivery
from config.contracts import ClassifiedArticle, OpsEvent
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import MemoryLedger, ScriptedSender

NOW = datetime.fromisoformat("2026-11-18T10:00:00+00:00")
CHANNEL = "metrics-test"  # a channel name of its own: counters are process-wide


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def rules() -> AlertRulesFile:
    return AlertRulesFile.model_validate({
        "channels": [{"name": CHANNEL, "type": "file", "path": "alerts.jsonl"}],
        "rules": [{"name": "cgt", "labels": ["cell_therapy"], "channels": [CHANNEL]}]})


def alerter(sender: ScriptedSender, ops: list[OpsEvent], failing_after: int = 3) -> Alerter:
    async def sink(event: OpsEvent) -> None:
        ops.append(event)

    return Alerter(rules(), {CHANNEL: sender}, MemoryLedger(), attempts=3,  # type: ignore[arg-type]
                   backoff_s=0.001, failing_after=failing_after, ops=sink, clock=lambda: NOW)


def test_sent_after_a_retry_counts_one_delivery_one_failure_and_the_latency(
        make_article: Callable[..., ClassifiedArticle],
        caplog: pytest.LogCaptureFixture) -> None:
    sender = ScriptedSender([Delivery(False, "429", retryable=True)])
    article = make_article(fetched_at=NOW - timedelta(seconds=40))
    sent = value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="sent")
    failures = value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL)
    latency = value("cgtwatch_alert_fetch_to_alert_seconds_sum", channel=CHANNEL)
    le_60 = value("cgtwatch_alert_fetch_to_alert_seconds_bucket", channel=CHANNEL, le="60.0")
    with caplog.at_level(logging.INFO, logger="alerts.agent"):
        assert asyncio.run(alerter(sender, []).handle(article)) == 1
    assert value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="sent") == sent + 1
    assert value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL) == failures + 1
    assert value("cgtwatch_alert_fetch_to_alert_seconds_sum", channel=CHANNEL) == latency + 40
    assert value("cgtwatch_alert_fetch_to_alert_seconds_bucket", channel=CHANNEL,
                 le="60.0") == le_60 + 1
    (line,) = [r for r in caplog.records if getattr(r, "article_id", None)]
    assert (line.article_id, line.source, line.stage) == (  # type: ignore[attr-defined]
        article.article_id, article.source_id, "alerter")


def test_a_failing_channel_counts_failures_and_raises_one_ops_event(
        make_article: Callable[..., ClassifiedArticle]) -> None:
    sender = ScriptedSender([Delivery(False, "boom", retryable=False)] * 2)
    ops: list[OpsEvent] = []
    worker = alerter(sender, ops, failing_after=2)
    failed = value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="failed")
    failures = value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL)
    latency = value("cgtwatch_alert_fetch_to_alert_seconds_count", channel=CHANNEL)
    for n in (1, 2):
        asyncio.run(worker.handle(make_article(url=f"https://a.gov.cn/{n}.html")))
    assert value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="failed") == failed + 2
    assert value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL) == failures + 2
    assert value("cgtwatch_alert_fetch_to_alert_seconds_count", channel=CHANNEL) == latency
    (event,) = ops
    assert value("cgtwatch_alert_ops_events_total", kind=event.kind) >= 1
