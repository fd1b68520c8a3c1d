"""Alerter worker: a thin Faust agent delivering immediate alerts for classified articles.

Input: ``articles.classified``. Output: deliveries on the channels of every matching rule,
each recorded in the alert-history ledger under ``rule:story:channel`` so redelivered
articles (crashes, restarts, rebalances) are not sent twice. Failed deliveries are retried
with backoff, honouring Slack's ``Retry-After``, then recorded as ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import faust
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import TransportError

from alerts.channels import Delivery, Sender
from alerts.history import Ledger
from alerts.rules import alert_key, matching_rules
from config.contracts import ClassifiedArticle, decode
from config.rules import AlertRulesFile, Rule
from streams.topics import Stream, StreamTopics

ALERTER_APP = "cgtwatch-alerter"
T = TypeVar("T")
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


class Alerter:
    """Matches rules and delivers each (rule, story, channel) at most once in effect."""

    def __init__(self, rules: AlertRulesFile, senders: dict[str, Sender], ledger: Ledger,
                 attempts: int = 4, backoff_s: float = 1.0) -> None:
        self.rules, self.senders, self.ledger = rules, senders, ledger
        self.attempts, self.backoff_s = attempts, backoff_s

    async def handle(self, article: ClassifiedArticle) -> int:
        """Deliver every alert due for ``article``; return how many were sent now."""
        sent = 0
        for rule in matching_rules(self.rules.rules, article):
            for channel in rule.channels:
                sent += await self.deliver(rule, channel, article)
        return sent

    async def deliver(self, rule: Rule, channel: str, article: ClassifiedArticle) -> int:
        key = alert_key(rule, article, channel)
        record = {"rule": rule.name, "channel": channel, "article_id": article.article_id,
                  "story_id": article.story_id, "title": article.title, "url": article.url,
                  "fetched_at": article.fetched_at.isoformat()}
        earlier = await until_done(lambda: self.ledger.claim(key, record), "claim")
        if earlier == "sent":
            return 0
        outcome, attempts = await self._send_with_retry(self.senders[channel], rule, article)
        status = "sent" if outcome.ok else "failed"
        await until_done(lambda: self.ledger.finish(key, status, attempts, outcome.error),
                         "record")
        if not outcome.ok:
            log.error("alert %s failed after %d attempts: %s", key, attempts, outcome.error)
        return int(outcome.ok)

    async def _send_with_retry(self, sender: Sender, rule: Rule, article: ClassifiedArticle
                               ) -> tuple[Delivery, int]:
        delay = self.backoff_s
        outcome = Delivery(False, "not attempted")
        for attempt in range(1, self.attempts + 1):
            outcome = await sender.send(rule, article)
            if outcome.ok:
                return outcome, attempt
            if attempt < self.attempts:
                await asyncio.sleep(min(outcome.retry_after or delay, 60.0))
                delay *= 2
        return outcome, self.attempts


def register_alerter(app: faust.App, topics: StreamTopics, alerter: Alerter) -> None:
    @app.agent(topics.classified, name="alert")
    async def alert(stream: Stream) -> None:
        async for event in stream.events():
            try:
                article = decode(ClassifiedArticle, event.message.value or b"")
            except ValueError as exc:  # the indexer dead-letters it; the alerter only skips
                log.warning("skipping undecodable classified message: %s", exc)
                continue
            await alerter.handle(article)
