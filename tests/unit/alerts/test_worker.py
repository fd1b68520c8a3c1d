"""Channel workers: retries with backoff until the channel is back (in order), Retry-After per
channel, permanent errors stop at once, interrupted sends resolved, bursts spilled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from alerts.channels import Delivery
from alerts.channels.slack import from_exception
from alerts.delivery import backoff
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from config.sections import AlertSettings
from tests.unit.alerts.fakes import Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]
RULES = AlertRulesFile.model_validate({
    "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                 {"name": "email", "type": "email", "to": ["cgt@example.org"]}],
    "rules": [{"name": "r", "channels": ["slack", "email"]}]})
DOWN = Delivery(False, "slack: HTTP 503")  # answers, but fails: a probe tells whose fault
REFUSED = from_exception(ConnectionRefusedError(111, "Connection refused"))  # as Slack reports


def harness(slack: ScriptedSender, email: ScriptedSender | None = None, **settings: float
            ) -> Harness:
    return Harness(RULES, {"slack": slack, "email": email or ScriptedSender()},
                   settings=AlertSettings(**{"backoff_s": 1.0, **settings}))


def batch(make: Make, n: int, start: int = 0) -> list[ClassifiedArticle]:
    return [make(url=f"https://a.gov.cn/{i}.html") for i in range(start, start + n)]


def test_a_channel_down_keeps_its_backlog_and_drains_it_in_order(make_article: Make) -> None:
    slack = ScriptedSender([DOWN] * 6)
    h = harness(slack)
    articles = batch(make_article, 2)
    asyncio.run(h.handle(*articles))
    assert len(slack.sent) == 2  # the oldest, and one probe
    assert h.senders["email"].articles == [a.article_id for a in articles]  # not held
    later = batch(make_article, 2, start=2)
    for minutes in range(1, 30):
        if minutes == 3:
            asyncio.run(h.handle(*later))
        h.clock.now += timedelta(minutes=1)
        asyncio.run(h.drain())
    assert slack.script == [] and h.queue.with_status("retrying") == []
    last = {key: n for n, (key, _) in enumerate(slack.sent)}  # the successful try is last
    delivered = sorted(last, key=last.__getitem__)
    assert [h.queue.records[k]["article_id"] for k in delivered] == [
        a.article_id for a in articles + later]  # each once, oldest first
    first = h.queue.records[f"r:{articles[0].story_id}:slack"]
    assert (first["attempts"], first["status"], first["error"]) == (4, "sent", "")


def sent_in_order(h: Harness, sender: ScriptedSender) -> list[str]:
    """The article of each delivery in the order of its successful (last) try."""
    last = {key: n for n, (key, _) in enumerate(sender.sent)}
    return [h.queue.records[k]["article_id"] for k in sorted(last, key=last.__getitem__)]


def test_a_channel_back_right_after_its_oldest_failed_drains_in_queue_order(
        make_article: Make) -> None:
    slack = ScriptedSender([REFUSED])  # refused once; the next request finds it back
    h = harness(slack)
    articles = batch(make_article, 4)
    asyncio.run(h.handle(*articles))
    tried = len(slack.sent)
    for _ in range(3):
        h.clock.now += timedelta(seconds=5)
        asyncio.run(h.drain())
    assert sent_in_order(h, slack) == [a.article_id for a in articles]
    assert tried == 1  # unreachable: nothing to probe, the oldest holds the channel
    assert len(slack.sent) == 5 and h.queue.with_status("retrying") == []


def test_retry_after_pauses_only_its_channel(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "slack: HTTP 429", retry_after=40)])
    h = harness(slack)
    asyncio.run(h.handle(*batch(make_article, 2)))
    key = h.senders["slack"].sent[0][0]
    assert len(slack.sent) == 1  # rate limited: no probe
    assert h.queue.records[key]["next_attempt_at"] == (h.clock.now + timedelta(seconds=40)
                                                       ).isoformat()
    asyncio.run(h.handle(*batch(make_article, 1, start=5)))
    assert len(h.senders["email"].sent) == 3 and len(slack.sent) == 1
    h.clock.now += timedelta(seconds=39)
    asyncio.run(h.drain())
    assert len(slack.sent) == 1
    h.clock.now += timedelta(seconds=1)
    asyncio.run(h.drain())
    assert len(slack.sent) == 4 and h.queue.with_status("retrying") == []


def test_a_message_specific_failure_does_not_hold_the_channel(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")])
    h = harness(slack)
    asyncio.run(h.handle(*batch(make_article, 3)))
    assert len(slack.sent) == 3 and len(h.queue.with_status("sent")) == 5


def test_permanent_errors_stop_at_once_with_an_operator_alert(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "slack: HTTP 404", retryable=False)])
    h = harness(slack)
    article = make_article()
    asyncio.run(h.handle(article))
    record = h.queue.records[f"r:{article.story_id}:slack"]
    assert (record["status"], record["attempts"]) == ("failed", 1)
    assert [(e.kind, e.subject) for e in h.ops] == [("alert_delivery_failed", "slack")]


def test_retries_stop_at_the_maximum_age(make_article: Make) -> None:
    slack = ScriptedSender([DOWN] * 100)
    h = harness(slack, max_age_s=600, backoff_max_s=60)
    article = make_article()
    asyncio.run(h.handle(article))
    for _ in range(20):
        h.clock.now += timedelta(minutes=1)
        asyncio.run(h.drain())
    record = h.queue.records[f"r:{article.story_id}:slack"]
    assert record["status"] == "failed" and "still failing after 600s" in record["error"]
    assert "alert_delivery_failed" in [e.kind for e in h.ops]


def interrupted(make_article: Make, slack: ScriptedSender) -> tuple[Harness, str]:
    """A delivery claimed and requested by a process that died before recording it."""
    h = harness(slack, email=ScriptedSender())
    article = make_article()
    h.workers["slack"].settle = _never  # type: ignore[method-assign]  # killed right here
    asyncio.run(h.handle(article))
    key = f"r:{article.story_id}:slack"
    assert h.queue.records[key]["status"] == "sending"
    h.restart("boot-2")
    return h, key


async def _never(*args: object, **kwargs: object) -> None:
    return None


def test_an_interrupted_send_found_in_the_channel_is_not_repeated(make_article: Make) -> None:
    slack = ScriptedSender()
    h, key = interrupted(make_article, slack)
    asyncio.run(h.drain())
    assert len(slack.sent) == 1
    assert (h.queue.records[key]["status"], h.queue.records[key]["resolution"]) == (
        "sent", "found")


def test_an_interrupted_send_not_found_is_sent_again(make_article: Make) -> None:
    slack = ScriptedSender([Delivery(False, "x", retryable=False, ambiguous=True)])
    h, key = interrupted(make_article, slack)
    slack.arrived.clear()
    asyncio.run(h.drain())
    assert len(slack.sent) == 2
    assert (h.queue.records[key]["status"], h.queue.records[key]["resolution"]) == (
        "sent", "not_found")


@pytest.mark.parametrize(("policy", "sends", "status"), [("resend", 2, "sent"),
                                                         ("skip", 1, "unknown")])
def test_where_the_channel_cannot_tell_its_policy_decides(make_article: Make, policy: str,
                                                          sends: int, status: str) -> None:
    slack = ScriptedSender(can_check=False, on_interrupted=policy)  # type: ignore[arg-type]
    h, key = interrupted(make_article, slack)
    asyncio.run(h.drain())
    assert len(slack.sent) == sends and h.queue.records[key]["status"] == status
    assert h.queue.records[key]["resolution"] == {"resend": "resent", "skip": "skipped"}[policy]


def test_a_burst_over_a_paced_channel_is_spilled_into_a_digest(make_article: Make) -> None:
    slack = ScriptedSender(min_interval_s=0.001)
    h = harness(slack, spill_after=3, spill_max=5)
    articles = batch(make_article, 12)
    asyncio.run(h.handle(*articles))
    digests = slack.digests
    assert [len(d["ids"]) for d in digests] == [5, 5]
    singles = slack.articles
    assert sorted(singles + [i for d in digests for i in d["ids"]]) == sorted(
        a.article_id for a in articles)  # every alert once, none dropped
    assert len(h.queue.with_status("sent")) == 24


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    settings = AlertSettings(backoff_s=2, backoff_max_s=30)
    assert [backoff(n, settings, draw=lambda: 0.0) for n in (1, 2, 3, 4, 5)] == [
        2, 4, 8, 16, 30]
    assert backoff(3, settings, draw=lambda: 1.0) == 4  # jitter takes up to half off
    assert 4 < backoff(3, settings) <= 8
    assert backoff(9, settings, retry_after=40) == 40


class SlowSender(ScriptedSender):
    """A send that takes until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = asyncio.Event(), asyncio.Event()

    async def deliver(self, key: str, payload: dict[str, object]) -> Delivery:
        self.started.set()
        await self.release.wait()
        return await super().deliver(key, payload)


def test_stop_lets_a_send_under_way_finish_and_record_then_returns(make_article: Make) -> None:
    async def scenario() -> tuple[str, bool]:
        slack = SlowSender()
        h = harness(slack)
        article = make_article()
        worker = h.workers["slack"]
        h.workers = {"email": h.workers["email"]}  # slack is driven by its own run loop
        await h.handle(article)
        running = asyncio.create_task(worker.run())
        await slack.started.wait()
        stopping = asyncio.create_task(worker.stop())
        await asyncio.sleep(0.05)
        waited = not stopping.done()  # stop waits for the send under way
        slack.release.set()
        await asyncio.wait_for(stopping, 5)
        await asyncio.wait_for(running, 5)  # and the loop has ended
        return h.queue.records[f"r:{article.story_id}:slack"]["status"], waited

    assert asyncio.run(scenario()) == ("sent", True)


def test_stop_of_an_idle_or_never_started_worker_returns_at_once() -> None:
    async def scenario() -> None:
        h = harness(ScriptedSender())
        await asyncio.wait_for(h.workers["email"].stop(), 1)  # never started
        running = asyncio.create_task(h.workers["slack"].run())
        await asyncio.sleep(0.05)
        await asyncio.wait_for(h.workers["slack"].stop(), 1)
        await asyncio.wait_for(running, 1)

    asyncio.run(scenario())
