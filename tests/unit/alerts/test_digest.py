"""Queued alerts (digests, quiet hours, rate limits) go out once per rule × window × channel,
as deliveries of their own; they survive a restart (all state is in the ledger) and failing
channels raise one ops event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from alerts.channels import Delivery
from alerts.health import ChannelHealth
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from config.sections import AlertSettings
from tests.unit.alerts.fakes import T0, Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]


def rules(**rule: Any) -> AlertRulesFile:
    return AlertRulesFile.model_validate({
        "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                     {"name": "email", "type": "email", "to": ["a@example.org"]}],
        "rules": [{"name": "r", "channels": ["slack", "email"], **rule}]})


def harness(file: AlertRulesFile, slack: ScriptedSender | None = None,
            failing_after: int = 3) -> Harness:
    return Harness(file, {"slack": slack or ScriptedSender(), "email": ScriptedSender()},
                   settings=AlertSettings(failing_after=failing_after))


def articles(make: Make, n: int) -> list[ClassifiedArticle]:
    return [make(url=f"https://a.gov.cn/{i}.html") for i in range(n)]


async def flush(h: Harness) -> int:
    made = await h.alerter.flush()
    await h.drain()
    return made


def test_digest_rule_queues_then_sends_one_digest_per_channel(make_article: Make) -> None:
    h = harness(rules(mode="digest", digest={"cron": "hourly"}))
    batch = articles(make_article, 3)

    async def run() -> tuple[int, int, int]:
        sent = await h.handle(*batch)
        early = await flush(h)
        h.clock.now = T0 + timedelta(minutes=50)  # past 13:00 Shanghai
        return sent, early, await flush(h)

    assert asyncio.run(run()) == (0, 0, 2)
    slack, email = h.senders["slack"], h.senders["email"]
    assert slack.articles == [] and len(slack.digests) == 1 and len(email.digests) == 1
    digest = slack.digests[0]
    assert digest["rule"] == "r"
    assert digest["digest"] == "r digest, 2026-11-18 13:00 (Asia/Shanghai)"
    assert digest["ids"] == [a.article_id for a in batch]
    assert h.queue.records["digest:r:digest-20261118T0500Z:slack"]["status"] == "sent"
    items = [k for k, r in h.queue.records.items() if r.get("kind") == "item"]
    assert len(items) == 6 and all(h.queue.records[k]["status"] == "sent" for k in items)
    assert asyncio.run(flush(h)) == 0  # nothing due twice


def test_a_restarted_alerter_sends_what_an_earlier_one_queued(make_article: Make) -> None:
    h = harness(rules(mode="digest", digest={"cron": "hourly"}))
    asyncio.run(h.handle(*articles(make_article, 2)))
    h.clock.now = T0 + timedelta(hours=1)
    h.restart("boot-2")  # a new process: nothing in memory
    assert asyncio.run(flush(h)) == 2
    assert len(h.senders["slack"].digests) == 1 and len(h.senders["slack"].digests[0]["ids"]) == 2


def test_a_digest_made_before_a_crash_is_not_made_again(make_article: Make) -> None:
    h = harness(rules(mode="digest", digest={"cron": "hourly"}))
    asyncio.run(h.handle(*articles(make_article, 2)))
    h.clock.now = T0 + timedelta(hours=1)
    asyncio.run(flush(h))
    for key, record in h.queue.records.items():  # crash after the digest, before its items
        if record.get("kind") == "item":
            h.queue.records[key]["status"] = "queued"
    late = make_article(url="https://a.gov.cn/late.html")
    h.clock.now = T0
    asyncio.run(h.handle(late))  # queued for the same window, after its digest was made
    h.clock.now = T0 + timedelta(hours=1)
    assert asyncio.run(flush(h)) == 0
    assert len(h.senders["slack"].digests) == 1  # the earlier digest is not sent again
    assert asyncio.run(flush(h)) == 2  # the late item, in a follow-up digest per channel
    assert h.senders["slack"].digests[-1]["ids"] == [late.article_id]
    assert h.queue.with_status("queued") == []


def test_quiet_hours_hold_alerts_until_they_end(make_article: Make) -> None:
    h = harness(rules(quiet_hours={"start": "12:00", "end": "12:30"}))
    assert asyncio.run(h.handle(make_article())) == 0
    h.clock.now = T0 + timedelta(minutes=19)
    assert asyncio.run(flush(h)) == 0
    h.clock.now = T0 + timedelta(minutes=21)
    assert asyncio.run(flush(h)) == 2
    assert h.senders["slack"].digests[0]["digest"].startswith(
        "r held during quiet hours, 2026-11-18 12:30")


def test_rate_limit_excess_goes_to_the_next_digest_not_nowhere(make_article: Make) -> None:
    h = harness(rules(rate_limit={"max": 2}))
    sent = [asyncio.run(h.handle(a)) for a in articles(make_article, 5)]
    assert sent == [2, 2, 0, 0, 0]
    assert len(h.senders["slack"].articles) == 2
    assert len(h.queue.with_status("queued")) == 6
    h.clock.now = T0 + timedelta(hours=1)
    assert asyncio.run(flush(h)) == 2
    assert len(h.senders["slack"].digests[0]["ids"]) == 3


def test_a_failed_digest_is_retried_until_it_is_sent(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")] * 2)
    h = harness(rules(mode="digest", digest={"cron": "hourly"}), slack)
    asyncio.run(h.handle(make_article()))
    h.clock.now = T0 + timedelta(hours=1)
    assert asyncio.run(flush(h)) == 2
    key = "digest:r:digest-20261118T0500Z:slack"
    assert h.queue.records[key]["status"] == "retrying"
    for _ in range(2):
        h.clock.now += timedelta(minutes=5)
        asyncio.run(h.drain())
    assert (h.queue.records[key]["status"], h.queue.records[key]["attempts"]) == ("sent", 3)
    assert h.queue.with_status("queued") == [] and h.queue.with_status("digesting") == []


def test_a_failing_channel_raises_one_ops_event_per_failing_period(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")] * 4)
    h = harness(rules(), slack, failing_after=2)
    asyncio.run(h.handle(*articles(make_article, 3)))
    for _ in range(3):
        h.clock.now += timedelta(minutes=10)
        asyncio.run(h.drain())
    assert [(e.kind, e.subject) for e in h.ops] == [("alert_channel_failing", "slack"),
                                                    ("alert_channel_recovered", "slack")]
    assert h.ops[0].details["failures"] == 2 and "HTTP 500" in h.ops[0].message
    assert len(h.queue.with_status("sent")) == 6


def test_channel_health_alone() -> None:
    health = ChannelHealth(failing_after=2)
    assert health.record("c", False, "e") is None
    assert health.record("c", False, "e") is not None
    assert health.record("c", False, "e") is None
    assert health.record("c", True) is not None
    assert health.record("c", True) is None
