"""Alerter metrics: deliveries and failed attempts per channel, fetch-to-alert latency, ops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from alerts.channels import Delivery
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from config.sections import AlertSettings
from tests.unit.alerts.fakes import Clock, Harness, ScriptedSender

NOW = datetime.fromisoformat("2026-11-18T10:00:00+00:00")
CHANNEL = "metrics-test"  # a channel name of its own: counters are process-wide


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def rules() -> AlertRulesFile:
    return AlertRulesFile.model_validate({
        "channels": [{"name": CHANNEL, "type": "file", "path": "alerts.jsonl"}],
        "rules": [{"name": "cgt", "labels": ["cell_therapy"], "channels": [CHANNEL]}]})


def harness(sender: ScriptedSender, failing_after: int = 3) -> Harness:
    return Harness(rules(), {CHANNEL: sender}, clock=Clock(NOW),
                   settings=AlertSettings(failing_after=failing_after))


def test_sent_after_a_retry_counts_one_delivery_one_failure_and_the_latency(
        make_article: Callable[..., ClassifiedArticle],
        caplog: pytest.LogCaptureFixture) -> None:
    sender = ScriptedSender([Delivery(False, "429", retryable=True)])
    article = make_article(fetched_at=NOW - timedelta(seconds=40))
    sent = value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="sent")
    failures = value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL)
    latency = value("cgtwatch_alert_fetch_to_alert_seconds_sum", channel=CHANNEL)
    le_60 = value("cgtwatch_alert_fetch_to_alert_seconds_bucket", channel=CHANNEL, le="60.0")
    h = harness(sender)
    assert asyncio.run(h.handle(article)) == 1
    h.clock.now += timedelta(seconds=5)
    asyncio.run(h.drain())
    assert value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="sent") == sent + 1
    assert value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL) == failures + 1
    assert value("cgtwatch_alert_fetch_to_alert_seconds_sum", channel=CHANNEL) == latency + 45
    assert value("cgtwatch_alert_fetch_to_alert_seconds_bucket", channel=CHANNEL,
                 le="60.0") == le_60 + 1


def test_a_poison_message_is_logged_with_its_article_and_stage(
        make_article: Callable[..., ClassifiedArticle],
        caplog: pytest.LogCaptureFixture) -> None:
    article = make_article(title="坏")
    dead = value("cgtwatch_alert_dead_lettered_total")
    with caplog.at_level(logging.WARNING, logger="alerts.agent"):
        asyncio.run(harness(ScriptedSender(broken_titles={"坏"})).handle(article))
    (line,) = [r for r in caplog.records if getattr(r, "article_id", None)]
    assert (line.article_id, line.source, line.stage) == (  # type: ignore[attr-defined]
        article.article_id, article.source_id, "alerter")
    assert value("cgtwatch_alert_dead_lettered_total") == dead + 1


def test_a_failing_channel_counts_failures_and_raises_ops_events(
        make_article: Callable[..., ClassifiedArticle]) -> None:
    sender = ScriptedSender([Delivery(False, "boom", retryable=False)] * 2)
    h = harness(sender, failing_after=2)
    failed = value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="failed")
    failures = value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL)
    latency = value("cgtwatch_alert_fetch_to_alert_seconds_count", channel=CHANNEL)
    for n in (1, 2):
        asyncio.run(h.handle(make_article(url=f"https://a.gov.cn/{n}.html")))
    assert value("cgtwatch_alert_deliveries_total", channel=CHANNEL, status="failed") == failed + 2
    assert value("cgtwatch_alert_delivery_failures_total", channel=CHANNEL) == failures + 2
    assert value("cgtwatch_alert_fetch_to_alert_seconds_count", channel=CHANNEL) == latency
    assert sorted(e.kind for e in h.ops) == ["alert_channel_failing", "alert_delivery_failed",
                                             "alert_delivery_failed"]
    assert value("cgtwatch_alert_ops_events_total", kind="alert_delivery_failed") >= 2
