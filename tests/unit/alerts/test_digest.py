"""Queued alerts (digests, quiet hours, rate limits) go out once per rule × window × channel,
survive a restart (all state is in the ledger) and failing channels raise one ops event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.agent import Alerter
from alerts.channels import Delivery
from alerts.health import ChannelHealth
from config.contracts import ClassifiedArticle, OpsEvent
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import MemoryLedger, ScriptedSender

Make = Callable[..., ClassifiedArticle]
T0 = datetime(2026, 11, 18, 4, 10, tzinfo=UTC)  # 12:10 in Shanghai


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def rules(**rule: Any) -> AlertRulesFile:
    return AlertRulesFile.model_validate({
        "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                     {"name": "email", "type": "email", "to": ["a@example.org"]}],
        "rules": [{"name": "r", "channels": ["slack", "email"], **rule}]})


def make_alerter(file: AlertRulesFile, ledger: MemoryLedger, clock: Clock,
                 slack: ScriptedSender, email: ScriptedSender | None = None,
                 ops: list[OpsEvent] | None = None) -> Alerter:
    async def sink(event: OpsEvent) -> None:
        (ops if ops is not None else []).append(event)

    return Alerter(file, {"slack": slack, "email": email or ScriptedSender()},  # type: ignore
                   ledger, attempts=2, backoff_s=0.001, failing_after=2, clock=clock, ops=sink)


def articles(make: Make, n: int) -> list[ClassifiedArticle]:
    return [make(url=f"https://a.gov.cn/{i}.html") for i in range(n)]


def test_digest_rule_queues_then_sends_one_digest_per_channel(make_article: Make) -> None:
    ledger, clock, slack, email = MemoryLedger(), Clock(), ScriptedSender(), ScriptedSender()
    worker = make_alerter(rules(mode="digest", digest={"cron": "hourly"}), ledger, clock,
                          slack, email)
    batch = articles(make_article, 3)

    async def run() -> tuple[int, int, int]:
        sent = sum([await worker.handle(a) for a in batch])
        early = await worker.flush()
        clock.now = T0 + timedelta(minutes=50)  # past 13:00 Shanghai
        return sent, early, await worker.flush()

    assert asyncio.run(run()) == (0, 0, 2)
    assert slack.sent == [] and len(slack.digests) == 1 and len(email.digests) == 1
    name, title, ids = slack.digests[0]
    assert name == "r" and title == "r digest, 2026-11-18 13:00 (Asia/Shanghai)"
    assert ids == [a.article_id for a in batch]
    assert ledger.records["digest:r:digest-20261118T0500Z:slack"]["status"] == "sent"
    items = [k for k, r in ledger.records.items() if r.get("kind") == "item"]
    assert len(items) == 6 and all(ledger.records[k]["status"] == "sent" for k in items)
    assert asyncio.run(worker.flush()) == 0  # nothing due twice


def test_a_restarted_alerter_sends_what_an_earlier_one_queued(make_article: Make) -> None:
    ledger, clock = MemoryLedger(), Clock()
    file = rules(mode="digest", digest={"cron": "hourly"})
    first = make_alerter(file, ledger, clock, ScriptedSender())
    for a in articles(make_article, 2):
        asyncio.run(first.handle(a))
    clock.now = T0 + timedelta(hours=1)
    slack = ScriptedSender()
    second = make_alerter(file, ledger, clock, slack)  # a new process: nothing in memory
    assert asyncio.run(second.flush()) == 2
    assert len(slack.digests) == 1 and len(slack.digests[0][2]) == 2


def test_a_digest_sent_before_a_crash_is_not_sent_again(make_article: Make) -> None:
    ledger, clock, slack = MemoryLedger(), Clock(), ScriptedSender()
    worker = make_alerter(rules(mode="digest", digest={"cron": "hourly"}), ledger, clock,
                          slack)
    for a in articles(make_article, 2):
        asyncio.run(worker.handle(a))
    clock.now = T0 + timedelta(hours=1)
    asyncio.run(worker.flush())
    for key, record in ledger.records.items():  # crash after the digest, before its items
        if record.get("kind") == "item":
            ledger.records[key]["status"] = "queued"
    late = make_article(url="https://a.gov.cn/late.html")
    asyncio.run(worker.deliver(worker.rules.rules[0], "slack", late))
    ledger.records[f"r:{late.story_id}:slack"].update(
        window="digest-20261118T0500Z", due_at=T0.isoformat())  # raced into the sent window
    assert asyncio.run(worker.flush()) == 0
    assert len(slack.digests) == 1  # the crashed digest is not sent again
    assert asyncio.run(worker.flush()) == 1  # the late item, in a follow-up digest
    assert slack.digests[-1][2] == [late.article_id]
    assert ledger.with_status("queued") == []


def test_quiet_hours_hold_alerts_until_they_end(make_article: Make) -> None:
    ledger, clock, slack = MemoryLedger(), Clock(), ScriptedSender()
    worker = make_alerter(rules(quiet_hours={"start": "12:00", "end": "12:30"}), ledger, clock,
                          slack)
    assert asyncio.run(worker.handle(make_article())) == 0
    clock.now = T0 + timedelta(minutes=19)
    assert asyncio.run(worker.flush()) == 0
    clock.now = T0 + timedelta(minutes=21)
    assert asyncio.run(worker.flush()) == 2
    assert slack.digests[0][1].startswith("r held during quiet hours, 2026-11-18 12:30")


def test_rate_limit_excess_goes_to_the_next_digest_not_nowhere(make_article: Make) -> None:
    ledger, clock, slack = MemoryLedger(), Clock(), ScriptedSender()
    worker = make_alerter(rules(rate_limit={"max": 2}), ledger, clock, slack)
    sent = [asyncio.run(worker.handle(a)) for a in articles(make_article, 5)]
    assert sent == [2, 2, 0, 0, 0]
    assert len(slack.sent) == 2
    assert len(ledger.with_status("queued")) == 6
    clock.now = T0 + timedelta(hours=1)
    assert asyncio.run(worker.flush()) == 2
    assert len(slack.digests[0][2]) == 3


def test_failed_digest_stays_queued_and_is_retried(make_article: Make) -> None:
    ledger, clock = MemoryLedger(), Clock()
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")] * 2)
    worker = make_alerter(rules(mode="digest", digest={"cron": "hourly"}), ledger, clock,
                          slack)
    asyncio.run(worker.handle(make_article()))
    clock.now = T0 + timedelta(hours=1)
    assert asyncio.run(worker.flush()) == 1  # email went, slack failed twice
    key = "digest:r:digest-20261118T0500Z:slack"
    assert ledger.records[key]["status"] == "failed"
    clock.now += timedelta(minutes=5)
    assert asyncio.run(worker.flush()) == 1
    assert ledger.records[key]["status"] == "sent"
    assert ledger.with_status("queued") == []


def test_not_retryable_failures_are_not_retried(make_article: Make) -> None:
    ledger, slack = MemoryLedger(), ScriptedSender([Delivery(False, "x", retryable=False)])
    worker = make_alerter(rules(), ledger, Clock(), slack)
    asyncio.run(worker.handle(make_article()))
    assert len(slack.sent) == 1
    assert ledger.with_status("failed") == [f"r:{make_article().story_id}:slack"]


def test_a_failing_channel_raises_one_ops_event_per_failing_period(make_article: Make) -> None:
    ops: list[OpsEvent] = []
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")] * 8)
    worker = make_alerter(rules(), MemoryLedger(), Clock(), slack, ops=ops)
    for a in articles(make_article, 5):  # 4 failed deliveries (2 tries each), then ok
        asyncio.run(worker.handle(a))
    assert [(e.kind, e.subject) for e in ops] == [("alert_channel_failing", "slack"),
                                                  ("alert_channel_recovered", "slack")]
    assert ops[0].details["failures"] == 2 and "HTTP 500" in ops[0].message


def test_channel_health_alone() -> None:
    health = ChannelHealth(failing_after=2)
    assert health.record("c", False, "e") is None
    assert health.record("c", False, "e") is not None
    assert health.record("c", False, "e") is None
    assert health.record("c", True) is not None
    assert health.record("c", True) is None
