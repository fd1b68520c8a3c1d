"""Delivery with retries and channel health: the one place that calls a sender.

Input: a channel name and a send operation (single alert or digest). Output: the final
``Delivery`` and the number of attempts. Retries back off exponentially, honour Slack's
``Retry-After`` and happen only when the sender marked the failure ``retryable`` (nothing was
accepted), so retrying never duplicates a message. Every final outcome feeds the channel's
health and ``alerts.metrics``; a channel that keeps failing publishes one ``OpsEvent`` per
failing period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from alerts import metrics
from alerts.channels import Delivery, Sender
from alerts.health import ChannelHealth
from config.contracts import OpsEvent

log = logging.getLogger(__name__)
SendOp = Callable[[Sender], Awaitable[Delivery]]
OpsSink = Callable[[OpsEvent], Awaitable[None]]
MAX_WAIT_S = 60.0


async def _no_ops(event: OpsEvent) -> None:
    log.warning("ops event %s: %s", event.kind, event.message)


class Deliverer:
    def __init__(self, senders: dict[str, Sender], attempts: int = 4, backoff_s: float = 1.0,
                 health: ChannelHealth | None = None, ops: OpsSink | None = None) -> None:
        self.senders, self.attempts, self.backoff_s = senders, attempts, backoff_s
        self.health = health or ChannelHealth()
        self.ops = ops or _no_ops

    async def send(self, channel: str, op: SendOp) -> tuple[Delivery, int]:
        outcome, attempts = await self._with_retry(self.senders[channel], op)
        metrics.record_delivery(channel, outcome.ok, attempts)
        event = self.health.record(channel, outcome.ok, outcome.error)
        if event is not None:
            metrics.record_ops_event(event.kind)
            try:
                await self.ops(event)
            except Exception as exc:  # an operator alert must never stop deliveries
                log.error("could not publish ops event %s: %s", event.kind, exc)
        return outcome, attempts

    async def _with_retry(self, sender: Sender, op: SendOp) -> tuple[Delivery, int]:
        delay = self.backoff_s
        outcome = Delivery(False, "not attempted")
        for attempt in range(1, self.attempts + 1):
            outcome = await op(sender)
            if outcome.ok or not outcome.retryable:
                return outcome, attempt
            if attempt < self.attempts:
                await asyncio.sleep(min(outcome.retry_after or delay, MAX_WAIT_S))
                delay *= 2
        return outcome, self.attempts
