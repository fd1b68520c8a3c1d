"""Pure delivery policy plus the reporting side of every attempt.

Input: attempt outcomes (``Delivery``) per channel, the settings' backoff. Output: the next
retry delay (capped exponential backoff with jitter, or the server's ``Retry-After``), the
record fields of each outcome, and side effects that must never stop deliveries: metrics,
channel health (one operator alert per failing period on ``ops.events``), an operator alert
for each permanent failure, and dead letters (stage ``alerts``) for articles that break (the
agent's are retried until published: its input is acknowledged after them).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from alerts import metrics
from alerts.channels.base import Delivery
from alerts.health import ChannelHealth
from config.backoff import Backoff, backoff_delay
from config.contracts.ops import DeadLetter, OpsEvent
from config.sections import AlertSettings
from streams.topics import Retry, until_done

log = logging.getLogger(__name__)
OpsSink = Callable[[OpsEvent], Awaitable[None]]
DeadLetterSink = Callable[[DeadLetter], Awaitable[None]]
STAGE = "alerts"  # of dead letters
LOG_STAGE = "alerter"  # of log lines (the service's name, as the other stages')


def backoff(failures: int, settings: AlertSettings, retry_after: float | None = None,
            draw: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after ``failures`` failed tries in a row: the server's
    ``Retry-After`` if it gave one (at most ``max_age_s``), else ``config.backoff``'s
    schedule from ``backoff_s``, doubling up to ``backoff_max_s``, with jitter (between half
    and all of it)."""
    if retry_after is not None and retry_after >= 0:
        return float(min(retry_after, settings.max_age_s))
    policy = Backoff(first_s=settings.backoff_s, factor=2.0, cap_s=settings.backoff_max_s,
                     jitter=0.5)
    return backoff_delay(max(failures, 1), draw(), policy)


async def _log_only(event: OpsEvent) -> None:
    log.warning("ops event %s: %s", event.kind, event.message)


async def _drop_letter(letter: DeadLetter) -> None:
    log.error("dead letter (%s): %s", letter.stage, letter.error)


@dataclass
class Reporter:
    """Where outcomes go besides the alert history. Every sink failure is logged, never
    raised: an operator alert or a dead letter must not stop deliveries."""

    ops: OpsSink = _log_only
    dead_letters: DeadLetterSink = _drop_letter
    health: ChannelHealth = field(default_factory=ChannelHealth)

    async def attempt(self, channel: str, outcome: Delivery, count: int = 1) -> None:
        """One try of ``count`` deliveries (a spilled digest carries several)."""
        metrics.record_attempt(channel, outcome.ok)
        event = self.health.record(channel, outcome.ok, outcome.error)
        if event is not None:
            await self.publish(event)

    async def final(self, channel: str, status: str, count: int = 1) -> None:
        metrics.record_delivery(channel, status, count)

    async def permanent(self, channel: str, key: str, error: str) -> None:
        await self.publish(OpsEvent(
            kind="alert_delivery_failed", subject=channel, severity="error",
            message=f"alert {key} on channel {channel!r} failed for good: {error}",
            details={"key": key, "error": error}))

    async def publish(self, event: OpsEvent) -> None:
        metrics.record_ops_event(event.kind)
        try:
            await self.ops(event)
        except Exception as exc:
            log.error("could not publish ops event %s: %s", event.kind, exc)

    async def dead_letter(self, letter: DeadLetter, until: Retry | None = None) -> None:
        """Publish a dead letter. With ``until`` (the agent, whose input is acknowledged once
        this returns) it is retried with those waits until published; else a failure is
        logged."""
        metrics.record_dead_letter()
        if until is not None:
            await until_done(partial(self.dead_letters, letter),
                             f"dead-lettering {letter.article_id or letter.key}", until)
            return
        try:
            await self.dead_letters(letter)
        except Exception as exc:
            log.error("could not publish dead letter for %s: %s", letter.article_id, exc)
