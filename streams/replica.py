"""Replicated maps: state every streams worker holds in full, kept in sync by compacted topics.

Input: entries recorded by the classifier agent and the compacted topics that carry them (key
the map's key, value an opaque string). Output: ``ReplicatedMap``, a local read-only mapping
that a worker consults without any I/O, and ``follow``, the task that loads the topics at start
(``ready`` is set once a poll comes back empty, i.e. the worker has caught up; processing waits
for it) and then keeps applying what the other workers record. A worker sends its own entries
to the topic and applies them once acknowledged (``record``): one record per entry, or with
``record_groups`` one record per group of entries (e.g. all the bands of one article: a record
per entry made the band topic 32 records per article, its sends and reads most of a worker's
time); ``publish_all`` sends the staged records of several maps in one round trip.

Why not Faust tables: on faust-streaming 0.15.3 a worker with a table, restarted after a
crash, resumes the flow of its *stream* partitions while the table's changelog is restored
and only then seeks them back to the committed offsets. Events delivered in that window are
never acknowledged, so the partition's committed offset stops short of them for good and the
events are lost for this worker (about one restart in four on noida-db; none in ten runs
without the table). A ``GlobalTable``'s updates written by one worker after start-up never
reached the other worker either. Without tables Faust seeks before it resumes the flow. Here
each worker reads every partition with a group-less consumer, so a map is whole in every
worker whichever partitions the group gives it.

An entry carries an ISO day (``day_of``); entries older than the map's window are forgotten
(the topic deletes records past that retention and each worker prunes its copy hourly), so a
map stays bounded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition  # type: ignore[import-untyped]
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
GROUP_SEP = "\n"  # between the entries of a group record
_FIELD_SEP = "\t"  # between key and value inside a group record (never inside an entry)


class ReplicatedMap(Mapping[str, str]):
    """A whole map in every worker; ``keep_first``: an existing key keeps its value."""

    def __init__(self, name: str, topic: faust.TopicT | None, *, keep_first: bool,
                 day_of: Callable[[str], str], window_days: int) -> None:
        self.name = name
        self.window_days = window_days
        self._data: dict[str, str] = {}
        self._topic = topic
        self._keep_first = keep_first
        self._day_of = day_of
        self.ready = asyncio.Event()
        if topic is None:  # a local map (tests, one-off tools) has nothing to catch up on
            self.ready.set()

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def apply(self, key: str, value: str) -> None:
        """Take an entry (from this worker or the topic)."""
        if self._keep_first:
            self._data.setdefault(key, value)
        else:
            self._data[key] = value

    def prune(self, oldest_day: str) -> int:
        """Forget entries dated before ``oldest_day`` (ISO date); returns how many."""
        old = [key for key, value in self._data.items() if "" < self._day_of(value) < oldest_day]
        for key in old:
            del self._data[key]
        return len(old)

    def apply_record(self, key: str, value: str) -> None:
        """Take a record of the topic: one entry, or a group (``GROUP_SEP`` lines of
        ``key<TAB>value``, see ``record_groups``)."""
        if _FIELD_SEP not in value:
            self.apply(key, value)
            return
        for line in value.split(GROUP_SEP):
            entry_key, _, entry_value = line.partition(_FIELD_SEP)
            if entry_key:
                self.apply(entry_key, entry_value)

    async def record(self, entries: Mapping[str, str]) -> None:
        """Publish ``entries`` for the other workers, one record each (sent together, then
        the acks awaited), and apply them here."""
        await publish_all([self.stage(entries)])

    async def record_groups(self, groups: Mapping[str, Mapping[str, str]]) -> None:
        """Publish each group as one record keyed by the group's name (unique per group:
        compaction must not drop one), await the acks, and apply every group's entries here.
        Many entries that belong together (an article's bands) cost one record, not one each."""
        await publish_all([self.stage_groups(groups)])

    def stage(self, entries: Mapping[str, str]) -> Staged:
        """``entries`` ready for ``publish_all``: one record per entry."""
        return Staged(self, list(entries.items()), list(entries.items()))

    def stage_groups(self, groups: Mapping[str, Mapping[str, str]]) -> Staged:
        """``groups`` ready for ``publish_all``: one record per group."""
        records = [(name, GROUP_SEP.join(f"{k}{_FIELD_SEP}{v}" for k, v in entries.items()))
                   for name, entries in groups.items() if entries]
        return Staged(self, records, [item for e in groups.values() for item in e.items()])


@dataclass(frozen=True)
class Staged:
    """Records to publish to a map's topic, and the entries to apply once they are acked."""

    replica: ReplicatedMap
    records: list[tuple[str, str]]
    entries: list[tuple[str, str]]


async def publish_all(staged: Sequence[Staged]) -> None:
    """Send the records of several maps together, await all their acks (one round trip to the
    broker for a batch's bands and seen entries), then apply the entries to each map. The first
    failure is raised once all sends have settled, and nothing is applied: a retry finds the
    maps as they were. A map without a topic only applies."""
    pending = [await item.replica._topic.send(key=key.encode(), value=value.encode())
               for item in staged if item.replica._topic is not None
               for key, value in item.records]
    results = await asyncio.gather(*pending, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    for item in staged:
        for key, value in item.entries:
            item.replica.apply(key, value)


def replica_topic(app: faust.App, name: str, partitions: int,
                  window_days: int) -> faust.TopicT:
    """The compacted topic of a map; records older than the window are deleted."""
    return app.topic(name, key_serializer="raw", value_serializer="raw",
                     partitions=partitions, compacting=True, deleting=True,
                     retention=timedelta(days=window_days))


def oldest_day(window_days: int, now: datetime | None = None) -> str:
    """The first day still inside a window of ``window_days``."""
    return ((now or datetime.now(UTC)) - timedelta(days=window_days)).date().isoformat()


def _consumer_options(app: faust.App, client_id: str) -> dict[str, Any]:
    servers = [f"{url.host}:{url.port or 9092}" for url in app.conf.broker]
    return {"bootstrap_servers": servers, "client_id": client_id, "group_id": None,
            "enable_auto_commit": False, "auto_offset_reset": "earliest",
            **credentials_to_aiokafka_auth(app.conf.broker_credentials)}


def _prune_all(maps: Mapping[str, ReplicatedMap]) -> None:
    for replica in maps.values():
        replica.prune(oldest_day(replica.window_days))


async def follow(app: faust.App, topics: Mapping[faust.TopicT, ReplicatedMap],
                 partitions: int) -> None:
    """Read each topic into its map forever (all partitions, from the beginning)."""
    for topic in topics:
        await topic.maybe_declare()
    maps = {topic.get_topic_name(): replica for topic, replica in topics.items()}
    consumer = AIOKafkaConsumer(**_consumer_options(app, f"{app.conf.id}-replicas"))
    await consumer.start()
    try:
        parts = [TopicPartition(name, p) for name in maps for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        pruned_at = time.monotonic()
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                for record in records:
                    if record.key is not None and record.value is not None:
                        maps[tp.topic].apply_record(record.key.decode(),
                                                    record.value.decode())
            if not batch and not all(m.ready.is_set() for m in maps.values()):
                _prune_all(maps)
                for replica in maps.values():
                    log.info("%s loaded: %d entries", replica.name, len(replica))
                    replica.ready.set()
            if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                pruned_at = time.monotonic()
                _prune_all(maps)
    finally:
        await consumer.stop()
