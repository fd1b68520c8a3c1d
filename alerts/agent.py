"""Alerter worker: a thin Faust agent for immediate alerts plus a timer for digests.

Input: ``articles.classified``. Output: deliveries on the channels of every matching rule,
each recorded in the alert-history ledger under ``rule:story:channel`` so redelivered
articles (crashes, restarts, rebalances) are not sent twice. An alert inside the rule's quiet
hours, over its rate limit or of a digest rule is queued in the ledger instead (``queued``)
and goes out with its window's digest (``alerts.digest``, run by a timer every
``alerts.flush_interval_s``). Operator alerts about failing channels go to ``ops.events``.
An article whose handling keeps failing (e.g. the ledger rejects writes) is retried, then
dead-lettered (``streams.topics.until_handled``): Faust would ack and skip it otherwise.
Deliveries are counted in ``alerts.metrics``; log lines about one article carry its id,
source and stage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import faust
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import TransportError

from alerts import metrics
from alerts.channels import Sender
from alerts.delivery import Deliverer, OpsSink
from alerts.digest import DigestFlusher
from alerts.health import ChannelHealth
from alerts.history import Ledger
from alerts.render import StoryRef
from alerts.rules import alert_key, matching_rules
from alerts.schedule import Decision, decide
from alerts.stories import StoryLookup
from config.contracts import ClassifiedArticle, OpsEvent, dead_letter_for, decode, utcnow
from config.rules import AlertRulesFile, Rule
from streams.topics import (
    AGENT_CONCURRENCY,
    DEFAULT_RETRY,
    Event,
    Retry,
    Stream,
    StreamTopics,
    dead_letter,
    event_origin,
    send_and_wait,
    until_handled,
)

ALERTER_APP = "cgtwatch-alerter"
STAGE = "alerter"
T = TypeVar("T")
Clock = Callable[[], datetime]
log = logging.getLogger(__name__)


async def until_done(op: Callable[[], Awaitable[T]], what: str) -> T:
    """Retry an Elasticsearch operation with backoff until it succeeds."""
    delay = 0.5
    while True:
        try:
            return await op()
        except (EsConnectionError, TransportError) as exc:
            log.warning("%s failed (%s); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def _about(article: ClassifiedArticle) -> dict[str, str]:
    """``extra=`` for log lines about one article (fields of the JSON log format)."""
    return {"article_id": article.article_id, "source": article.source_id, "stage": STAGE}


def item_record(rule: Rule, channel: str, article: ClassifiedArticle) -> dict[str, Any]:
    return {"kind": "immediate", "rule": rule.name, "channel": channel,
            "article_id": article.article_id, "story_id": article.story_id,
            "title": article.title, "url": article.url,
            "fetched_at": article.fetched_at.isoformat()}


def queued_fields(decision: Decision, article: ClassifiedArticle) -> dict[str, Any]:
    assert decision.due_at is not None
    stored = article.model_copy(update={"text": article.text[:2000]})
    return {"kind": "item", "reason": decision.reason, "window": decision.window,
            "due_at": decision.due_at.isoformat(), "article": stored.model_dump(mode="json")}


class Alerter:
    """Matches rules and delivers each (rule, story, channel) once in effect."""

    def __init__(self, rules: AlertRulesFile, senders: dict[str, Sender], ledger: Ledger,
                 attempts: int = 4, backoff_s: float = 1.0, *, failing_after: int = 3,
                 stories: StoryLookup | None = None, ops: OpsSink | None = None,
                 clock: Clock = utcnow) -> None:
        self.rules, self.ledger, self.stories, self.clock = rules, ledger, stories, clock
        self.deliverer = Deliverer(senders, attempts, backoff_s,
                                   ChannelHealth(failing_after), ops)
        self.digests = DigestFlusher(rules, self.deliverer, ledger, clock,
                                     retry_s=max(backoff_s * 60, 1.0))

    async def handle(self, article: ClassifiedArticle) -> int:
        """Deliver every alert due for ``article``; return how many were sent now."""
        sent = 0
        others: list[StoryRef] | None = None
        for rule in matching_rules(self.rules.rules, article):
            for channel in rule.channels:
                if others is None and self.stories is not None:
                    others = await self.stories.others(article)
                sent += await self.deliver(rule, channel, article, others or [])
        return sent

    async def _decide(self, rule: Rule, channel: str) -> Decision:
        now, recent = self.clock(), 0
        if rule.rate_limit is not None:
            since = now - timedelta(seconds=rule.rate_limit.seconds)
            recent = await until_done(
                lambda: self.ledger.count_recent(rule.name, channel, since), "count")
        return decide(rule, now, recent)

    async def deliver(self, rule: Rule, channel: str, article: ClassifiedArticle,
                      others: list[StoryRef] | None = None) -> int:
        key = alert_key(rule, article, channel)
        decision = await self._decide(rule, channel)
        record = item_record(rule, channel, article)
        if not decision.now:
            record.update(queued_fields(decision, article))
        status = "pending" if decision.now else "queued"
        earlier = await until_done(lambda: self.ledger.claim(key, record, status), "claim")
        if earlier in ("sent", "queued"):
            return 0
        if not decision.now:
            if earlier is not None:  # failed earlier, redelivered while it must wait: queue it
                await until_done(
                    lambda: self.ledger.update(key, {**record, "status": "queued"}), "queue")
            log.info("alert %s queued (%s)", key, decision.reason, extra=_about(article))
            return 0
        outcome, attempts = await self.deliverer.send(
            channel, lambda sender: sender.send(rule, article, others))
        status = "sent" if outcome.ok else "failed"
        await until_done(lambda: self.ledger.finish(key, status, attempts, outcome.error),
                         "record")
        if outcome.ok:
            metrics.record_alert_latency(channel, article.fetched_at, self.clock())
            log.info("alert %s sent", key, extra=_about(article))
        else:
            log.error("alert %s failed after %d attempts: %s", key, attempts, outcome.error,
                      extra=_about(article))
        return int(outcome.ok)

    async def flush(self) -> int:
        """Send every due digest and held batch; return how many digests went out."""
        return await self.digests.flush()


def ops_publisher(topics: StreamTopics) -> OpsSink:
    async def publish(event: OpsEvent) -> None:
        log.error("ops event %s: %s", event.kind, event.message)
        await send_and_wait(topics.ops, event.subject, event.encode())

    return publish


async def give_up_on(event: Event, topics: StreamTopics, exc: Exception) -> None:
    """Dead-letter an article whose alerts kept failing, with the error as reason."""
    await dead_letter(topics, dead_letter_for(STAGE, exc, event.message.value,
                                              **event_origin(event)))


def register_alerter(app: faust.App, topics: StreamTopics, alerter: Alerter,
                     flush_interval_s: float = 10.0, retry: Retry = DEFAULT_RETRY) -> None:
    @app.agent(topics.classified, name="alert", concurrency=AGENT_CONCURRENCY)
    async def alert(stream: Stream) -> None:
        async for event in stream.events():
            try:
                article = decode(ClassifiedArticle, event.message.value or b"")
            except ValueError as exc:  # the indexer dead-letters it; the alerter only skips
                log.warning("skipping undecodable classified message: %s", exc)
                continue
            await until_handled(partial(alerter.handle, article),
                                partial(give_up_on, event, topics),
                                f"alerts of article {article.article_id}", retry)

    async def flush_digests() -> None:
        try:
            await alerter.flush()
        except Exception:  # a failed flush is retried on the next tick; items stay queued
            log.exception("digest flush failed")

    app.timer(interval=flush_interval_s)(flush_digests)
