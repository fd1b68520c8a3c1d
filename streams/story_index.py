"""The story band index, shared by every streams worker: a local dict kept in sync by a topic.

Input: band entries recorded by the classifier agent (``streams.stories``) and the compacted
topic ``cgtwatch-streams-story-bands`` (key band, value entry). Output: ``BandIndex``, a
read-only mapping ``band -> entry`` holding the *whole* index in every worker, so that a
re-post is recognised whichever worker (partition) handles it.

Why not a Faust ``GlobalTable``: on faust-streaming 0.15.3 a global table's updates written by
one worker after start-up never reached the other worker (tested on noida-db with two workers,
also with ``synchronize_all_active_partitions``; the worker's own partitions were fine), so a
re-post on the second worker started a new story. Here each worker follows the topic itself
with a group-less consumer over all partitions: at start it reads the topic from the beginning
(``ready`` is set once a poll comes back empty, i.e. it has caught up; processing waits for
it), then it keeps applying what other workers record. Its own entries are applied locally at
once and sent to the topic. An entry, once set, is never moved (first writer wins). Stories
older than ``WINDOW_DAYS`` are forgotten: the topic deletes records past that retention and
each worker prunes its copy hourly, so the index stays bounded (a re-post later than that
starts a new story).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition  # type: ignore[import-untyped]
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from streams.stories import entry_day

log = logging.getLogger(__name__)

BANDS_TOPIC = "cgtwatch-streams-story-bands"
WINDOW_DAYS = 90
PRUNE_EVERY_S = 3600.0


class BandIndex(Mapping[str, str]):
    """``band -> entry`` for all stories; ``record`` adds entries (and publishes them)."""

    def __init__(self, topic: faust.TopicT | None = None) -> None:
        self._data: dict[str, str] = {}
        self._topic = topic
        self.ready = asyncio.Event()
        if topic is None:  # a local index (tests, one-off tools) has nothing to catch up on
            self.ready.set()

    def __getitem__(self, band: str) -> str:
        return self._data[band]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def apply(self, band: str, entry: str) -> None:
        """Take an entry (from this worker or the topic); an existing band keeps its entry."""
        self._data.setdefault(band, entry)

    def prune(self, oldest_day: str) -> int:
        """Forget entries seen before ``oldest_day`` (ISO date); returns how many."""
        old = [band for band, value in self._data.items() if "" < entry_day(value) < oldest_day]
        for band in old:
            del self._data[band]
        return len(old)

    async def record(self, entries: Mapping[str, str]) -> None:
        """Apply ``entries`` here and publish them for the other workers (waits for acks)."""
        for band, entry in entries.items():
            self.apply(band, entry)
        if self._topic is None or not entries:
            return
        pending = [await self._topic.send(key=band.encode(), value=entry.encode())
                   for band, entry in entries.items()]
        await asyncio.gather(*pending)


def bands_topic(app: faust.App, partitions: int) -> faust.TopicT:
    return app.topic(BANDS_TOPIC, key_serializer="raw", value_serializer="raw",
                     partitions=partitions, compacting=True, deleting=True,
                     retention=timedelta(days=WINDOW_DAYS))


def oldest_day(now: datetime | None = None) -> str:
    """The first day still inside the window."""
    return ((now or datetime.now(UTC)) - timedelta(days=WINDOW_DAYS)).date().isoformat()


def _consumer_options(app: faust.App, client_id: str) -> dict[str, Any]:
    servers = [f"{url.host}:{url.port or 9092}" for url in app.conf.broker]
    return {"bootstrap_servers": servers, "client_id": client_id, "group_id": None,
            "enable_auto_commit": False, "auto_offset_reset": "earliest",
            **credentials_to_aiokafka_auth(app.conf.broker_credentials)}


async def follow(index: BandIndex, app: faust.App, topic: faust.TopicT,
                 partitions: int) -> None:
    """Read the band topic into ``index`` forever (all partitions, from the beginning)."""
    await topic.maybe_declare()
    consumer = AIOKafkaConsumer(**_consumer_options(app, f"{app.conf.id}-story-bands"))
    await consumer.start()
    try:
        parts = [TopicPartition(BANDS_TOPIC, p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        pruned_at = 0.0
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    if record.key is not None and record.value is not None:
                        index.apply(record.key.decode(), record.value.decode())
            if not batch and not index.ready.is_set():
                index.prune(oldest_day())
                log.info("story band index loaded: %d bands", len(index))
                index.ready.set()
            if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                pruned_at = time.monotonic()
                index.prune(oldest_day())
    finally:
        await consumer.stop()
