"""Faust topic handles for the wire contract's topics (names live in ``config.contracts``), and
the at-least-once rules every agent follows. ``indexer`` and ``alerts`` import both.

Input: a ``faust.App``. Output: ``StreamTopics`` with the raw, classified and dead-letter
topics as bytes topics; ``send_and_wait``, ``send_all_and_wait`` (a batch: sent at once, then
every ack awaited) and ``dead_letter`` (delivery acknowledged).

A failing handler never acks and skips: faust-streaming acks the event being processed (or a
whole ``take_events`` batch) when the agent's body raises, and the restarted agent goes on after
it (faust-streaming #527, #315): the event is lost. So no agent lets an exception escape.
``until_handled`` runs the handler of one event or batch, retries it with backoff while it
raises, and after ``Retry.attempts`` failures gives the input to ``give_up`` (the caller's
dead-letter writer, with the error as its reason), itself retried until it succeeds. Only then
does the agent go on, and Faust ack. Handlers are idempotent (keyed by ``article_id``), so a
retried one writes nothing twice. Agents run with ``AGENT_CONCURRENCY`` = 1: with more, Faust
can commit an offset past an event another actor is still processing (#606). Cancellation (a
stopping worker) is not caught.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import faust

from config.backoff import Backoff, backoff_delay, delays
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.settings import Settings
from streams.app import raw_topic

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
log = logging.getLogger(__name__)
Event = faust.EventT[bytes]
Stream = faust.StreamT[bytes]


@dataclass(frozen=True)
class StreamTopics:
    raw: faust.TopicT
    classified: faust.TopicT
    deadletter: faust.TopicT
    ops: faust.TopicT


def stream_topics(app: faust.App) -> StreamTopics:
    return StreamTopics(
        raw=raw_topic(app, Topics.RAW),
        classified=raw_topic(app, Topics.CLASSIFIED),
        deadletter=raw_topic(app, Topics.DEADLETTER),
        ops=raw_topic(app, Topics.OPS_EVENTS),
    )


def _key_bytes(key: str | bytes | None) -> bytes | None:
    return key.encode("utf-8") if isinstance(key, str) else key


async def send_and_wait(topic: faust.TopicT, key: str | bytes | None, value: bytes) -> None:
    """Send and wait for the broker's ack, so later bookkeeping never runs ahead of delivery."""
    pending = await topic.send(key=_key_bytes(key), value=value)
    await pending


Outgoing = tuple[faust.TopicT, str | bytes | None, bytes]


async def send_all_and_wait(messages: Iterable[Outgoing]) -> None:
    """Send every ``(topic, key, value)`` without waiting for each ack (the producer batches
    them), then wait for all the acks; the first failure is raised once all have settled."""
    pending = [await topic.send(key=_key_bytes(key), value=value)
               for topic, key, value in messages]
    results = await asyncio.gather(*pending, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def event_origin(event: Event) -> dict[str, Any]:
    """Where an event came from (topic, partition, offset, key), for dead letters."""
    msg = event.message
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset,
            "key": msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else None}


async def dead_letter(topics: StreamTopics, letter: DeadLetter) -> None:
    await send_and_wait(topics.deadletter, letter.article_id or letter.key, letter.encode())


AGENT_CONCURRENCY = 1


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a failing handler is retried before its dead letter."""

    attempts: int = 5
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0

    @property
    def backoff(self) -> Backoff:
        """The schedule (``config.backoff``): doubling from ``backoff_s``, at most the max,
        without jitter."""
        return Backoff(first_s=self.backoff_s, factor=2.0, cap_s=self.backoff_max_s, jitter=0.0)

    def delays(self) -> list[float]:
        """The waits between the attempts."""
        return delays(self.backoff, self.attempts - 1)


DEFAULT_RETRY = Retry()


@dataclass(frozen=True)
class Batching:
    """Batches of a batched agent: at most ``size`` events, or what came within ``within_s``."""

    size: int = 200
    within_s: float = 1.0


DEFAULT_BATCHING = Batching()


def agent_batching(settings: Settings) -> Batching:
    """The batches that ``settings.worker`` asks for."""
    return Batching(settings.worker.batch_size, settings.worker.batch_within_s)


def handler_retry(settings: Settings) -> Retry:
    """The retry of failing handlers that ``settings.worker`` asks for."""
    return Retry(settings.worker.handler_attempts, settings.worker.handler_backoff_s)


async def until_handled(handle: Callable[[], Awaitable[T]],
                        give_up: Callable[[Exception], Awaitable[None]], what: str,
                        retry: Retry = DEFAULT_RETRY, sleep: Sleep = asyncio.sleep) -> T | None:
    """``handle()``; retried with backoff while it raises; after ``retry.attempts`` failures
    ``give_up(error)`` (retried until it succeeds) and None. Never raises but cancellation."""
    delays = retry.delays()
    for attempt in range(1, retry.attempts + 1):
        try:
            return await handle()
        except Exception as exc:  # any failure: retry, then dead-letter
            if attempt == retry.attempts:
                log.error("%s failed %d times, dead-lettered: %r", what, attempt, exc)
                await until_done(partial(give_up, exc), f"dead-lettering {what}", retry, sleep)
                return None
            delay = delays[attempt - 1]
            log.warning("%s failed (attempt %d of %d): %r; retrying in %.1fs", what, attempt,
                        retry.attempts, exc, delay)
            await sleep(delay)
    raise AssertionError("unreachable: Retry.attempts >= 1")


async def until_done(op: Callable[[], Awaitable[T]], what: str, retry: Retry = DEFAULT_RETRY,
                     sleep: Sleep = asyncio.sleep,
                     retry_on: tuple[type[Exception], ...] = (Exception,)) -> T:
    """``op()`` retried with ``retry``'s backoff (up to ``retry.backoff_max_s``) until it
    succeeds, while it raises one of ``retry_on`` (any other exception is raised)."""
    failures = 0
    while True:
        try:
            return await op()
        except retry_on as exc:  # e.g. Kafka unreachable: wait and retry
            failures += 1
            delay = backoff_delay(failures, 0.0, retry.backoff)
            log.warning("%s failed: %r; retrying in %.1fs", what, exc, delay)
            await sleep(delay)
