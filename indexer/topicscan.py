"""Read a whole Kafka topic once, without a consumer group (operator tools, not workers).

Input: ``Settings``, a topic name and an optional start time. Output: the topic's records
from the start (or from the first offset at or after ``since``, via ``offsets_for_times``) up
to the end offsets seen when the scan began. kafka-python with manual partition assignment and
no ``group_id``: nothing is committed, no group is joined, running workers are undisturbed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kafka import KafkaConsumer, TopicPartition

from config.clients import kafka_common
from config.durations import parse_duration
from config.settings import Settings

log = logging.getLogger(__name__)


def since_datetime(value: str, now: datetime | None = None, zone: str = "UTC") -> datetime:
    """``7d``/``12h``/``30m``/``2w`` before ``now``, or an ISO date/time (read in ``zone``,
    the display zone, when it has no offset)."""
    text = value.strip()
    try:
        return (now or datetime.now(UTC)) - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {value!r}: give an age like 7d, 12h, 30m, 2w or a date "
                         "like 2026-11-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))


def _start_offsets(consumer: KafkaConsumer, parts: list[Any], since: datetime | None) -> None:
    if since is None:
        consumer.seek_to_beginning(*parts)
        return
    found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in parts})
    ends = consumer.end_offsets(parts)
    for tp in parts:
        hit = found.get(tp)
        consumer.seek(tp, hit.offset if hit is not None else ends[tp])


def scan_topic(settings: Settings, topic: str, since: datetime | None = None,
               client_id: str = "cgtwatch-scan", idle_s: float = 10.0) -> Iterator[Any]:
    """Yield the topic's ``ConsumerRecord``s up to the end offsets at the start of the scan."""
    consumer = KafkaConsumer(**kafka_common(settings, client_id), group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic)
                                                           or [])]
        if not parts:
            return
        consumer.assign(parts)
        _start_offsets(consumer, parts, since)
        ends = consumer.end_offsets(parts)
        pending = {tp for tp in parts if consumer.position(tp) < ends[tp]}
        last = time.monotonic()
        while pending and time.monotonic() - last < idle_s:
            for tp, records in consumer.poll(timeout_ms=500).items():
                last = time.monotonic()
                yield from (r for r in records if r.offset < ends[tp])
                if consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        if pending:
            log.warning("stopped reading %s: no records for %.0fs", topic, idle_s)
    finally:
        consumer.close()
