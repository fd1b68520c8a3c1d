"""Kafka topic names of the wire contract: one place, every stage imports them from here.

Input: none. Output: ``Topics`` (constants and ``Topics.all()``, the list the dev stack and
deployment create).
"""

from __future__ import annotations


class Topics:
    """Kafka topic names (one place; every stage imports them from here)."""

    CRAWL_REQUESTS = "crawl.requests"
    CRAWL_STATS = "crawl.stats"
    RAW = "articles.raw"
    CLASSIFIED = "articles.classified"
    DEADLETTER = "articles.deadletter"
    OPS_EVENTS = "ops.events"

    @classmethod
    def all(cls) -> list[str]:
        return [cls.CRAWL_REQUESTS, cls.CRAWL_STATS, cls.RAW, cls.CLASSIFIED,
                cls.DEADLETTER, cls.OPS_EVENTS]
