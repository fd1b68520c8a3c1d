"""The two maps every streams worker holds in full (see ``streams.replica``).

- ``BandIndex``: ``band -> entry`` of all stories (``streams.stories``), on the compacted topic
  ``cgtwatch-streams-story-bands``. A re-post is recognised whichever worker (partition)
  handles it. An entry, once set, is never moved (first writer wins); stories older than
  ``WINDOW_DAYS`` are forgotten (a re-post later than that starts a new story).
- ``SeenIndex``: ``article_id -> content hash`` of the articles already delivered, on the
  compacted topic ``cgtwatch-streams-seen``, so an unchanged re-crawl is dropped as a duplicate
  and a revised article is classified again (the last writer wins). After ``SEEN_DAYS`` an
  article is forgotten: a re-crawl that old is classified again, which is harmless (the index
  write is idempotent and the alert ledger sends an alert once).
"""

from __future__ import annotations

from datetime import datetime

import faust

from streams.replica import ReplicatedMap, replica_topic
from streams.replica import oldest_day as _oldest_day
from streams.stories import entry_day

BANDS_TOPIC = "cgtwatch-streams-story-bands"
WINDOW_DAYS = 90
SEEN_TOPIC = "cgtwatch-streams-seen"
SEEN_DAYS = 365
_SEP = " "
SHARED_TOPICS = {BANDS_TOPIC: WINDOW_DAYS, SEEN_TOPIC: SEEN_DAYS}  # name -> retention in days


class BandIndex(ReplicatedMap):
    """``band -> entry`` for all stories; ``record`` adds entries (and publishes them)."""

    def __init__(self, topic: faust.TopicT | None = None) -> None:
        super().__init__("story band index", topic, keep_first=True, day_of=entry_day,
                         window_days=WINDOW_DAYS)


def seen_entry(content_hash: str, day: str) -> str:
    return f"{content_hash}{_SEP}{day}"


def _seen_day(value: str) -> str:
    return value.partition(_SEP)[2]


class SeenIndex(ReplicatedMap):
    """``article_id -> content hash`` of delivered articles."""

    def __init__(self, topic: faust.TopicT | None = None) -> None:
        super().__init__("seen-article index", topic, keep_first=False, day_of=_seen_day,
                         window_days=SEEN_DAYS)

    def hash_of(self, article_id: str) -> str | None:
        value = self.get(article_id)
        return None if value is None else value.partition(_SEP)[0]

    async def remember(self, article_id: str, content_hash: str, day: str) -> None:
        await self.record({article_id: seen_entry(content_hash, day)})


def bands_topic(app: faust.App, partitions: int) -> faust.TopicT:
    return replica_topic(app, BANDS_TOPIC, partitions, WINDOW_DAYS)


def seen_topic(app: faust.App, partitions: int) -> faust.TopicT:
    return replica_topic(app, SEEN_TOPIC, partitions, SEEN_DAYS)


def oldest_day(now: datetime | None = None) -> str:
    """The first day still inside the story window."""
    return _oldest_day(WINDOW_DAYS, now)
