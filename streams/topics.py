"""Faust topic handles for the wire contract's topics (names live in ``config.contracts``).

Input: a ``faust.App``. Output: ``StreamTopics`` with the raw, classified and dead-letter
topics as bytes topics. ``indexer`` and ``alerts`` import these handles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust

from config.contracts import DeadLetter, Topics
from streams.app import raw_topic

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


async def send_and_wait(topic: faust.TopicT, key: str | bytes | None, value: bytes) -> None:
    """Send and wait for the broker's ack, so later bookkeeping never runs ahead of delivery."""
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    pending = await topic.send(key=key_bytes, value=value)
    await pending


def event_origin(event: Event) -> dict[str, Any]:
    """Where an event came from (topic, partition, offset, key), for dead letters."""
    msg = event.message
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset,
            "key": msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else None}


async def dead_letter(topics: StreamTopics, letter: DeadLetter) -> None:
    await send_and_wait(topics.deadletter, letter.article_id or letter.key, letter.encode())
