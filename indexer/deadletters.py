"""Dead letters for people: list them, and replay fixed ones to the topic they came from.

Input: ``articles.deadletter`` (JSON ``DeadLetter``), read once from the start without a
consumer group (see ``indexer.topicscan``), filtered by stage and ``--since``. Output: rows
to show, and for a replay the original payload sent back to its source topic keyed by the
article id. Replays are safe to repeat: every stage downstream writes idempotently (the
indexer by ``_id`` and revision, the alerter through its ledger), so nothing remembers
what was replayed; ``--since`` narrows a replay to recent failures.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kafka import KafkaProducer
from pydantic import ValidationError

from config.clients import kafka_producer
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from indexer.topicscan import scan_topic

log = logging.getLogger(__name__)
REPLAYABLE = {Topics.RAW, Topics.CLASSIFIED, Topics.CRAWL_STATS}
PAYLOAD_LIMIT = 100_000  # dead_letter_for truncates payloads to this many characters


@dataclass(frozen=True)
class Letter:
    """A dead letter and where it sits in the dead-letter topic."""

    partition: int
    offset: int
    letter: DeadLetter

    def row(self) -> dict[str, Any]:
        data = self.letter.model_dump(mode="json", exclude={"payload", "schema_version"})
        return {"dl_partition": self.partition, "dl_offset": self.offset, **data,
                "payload_chars": len(self.letter.payload)}


@dataclass(frozen=True)
class Replay:
    """What a replay sends (or why it skips a letter)."""

    source: Letter
    topic: str
    key: bytes | None
    value: bytes
    skip: str = ""


def keep(letter: DeadLetter, stage: str | None, since: datetime | None) -> bool:
    return (stage is None or letter.stage == stage) and (since is None
                                                        or letter.failed_at >= since)


def decode_letters(records: Iterable[Any]) -> Iterable[Letter]:
    for record in records:
        try:
            yield Letter(record.partition, record.offset, decode(DeadLetter, record.value))
        except ValidationError as exc:
            log.warning("unreadable dead letter at %d/%d: %s", record.partition,
                        record.offset, exc)


def read_letters(settings: Settings, stage: str | None = None, since: datetime | None = None,
                 limit: int | None = None) -> list[Letter]:
    """Dead letters of ``stage`` that failed at or after ``since`` (the latest ``limit``)."""
    records = scan_topic(settings, Topics.DEADLETTER, since, client_id="cgtwatch-deadletter")
    found = [x for x in decode_letters(records) if keep(x.letter, stage, since)]
    found.sort(key=lambda x: x.letter.failed_at)
    return found[-limit:] if limit else found


def plan(letter: Letter) -> Replay:
    """Where a letter's payload goes back to, keyed by its article id, or why it cannot."""
    dl = letter.letter
    key = (dl.article_id or dl.key or "").encode("utf-8") or None
    value = dl.payload.encode("utf-8")
    skip = ""
    if dl.topic not in REPLAYABLE:
        skip = f"came from {dl.topic or 'an unknown topic'}, not a pipeline input"
    elif not dl.payload:
        skip = "no payload"
    elif len(dl.payload) >= PAYLOAD_LIMIT:
        skip = "payload truncated: re-fetch with `cgtwatch backfill`"
    return Replay(letter, dl.topic, key, value, skip)


def plan_all(letters: Iterable[Letter]) -> list[Replay]:
    """A plan per letter; the same payload for the same topic and key is sent once."""
    seen: set[tuple[str, bytes | None, str]] = set()
    out = []
    for replay in map(plan, letters):
        digest = hashlib.sha256(replay.value).hexdigest()
        if not replay.skip and (replay.topic, replay.key, digest) in seen:
            replay = Replay(replay.source, replay.topic, replay.key, replay.value,
                            "duplicate of an earlier letter in this replay")
        seen.add((replay.topic, replay.key, digest))
        out.append(replay)
    return out


def send(settings: Settings, replays: list[Replay]) -> int:
    """Send the non-skipped replays (acks=all); returns how many were sent."""
    todo = [r for r in replays if not r.skip]
    if not todo:
        return 0
    producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-replay"))
    try:
        futures = [producer.send(r.topic, key=r.key, value=r.value) for r in todo]
        producer.flush(timeout=60)
        for future in futures:
            future.get(timeout=60)
    finally:
        producer.close()
    return len(todo)
