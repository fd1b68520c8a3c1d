"""Scrapy item pipelines: drop unchanged articles, publish new revisions to Kafka.

Input: ``RawArticle`` items from the generic spider. Output: messages on ``articles.raw``
(key ``article_id``) via a durable kafka-python producer (``acks=all``, idempotent); the
seen-store records a revision only after the broker acknowledged it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from config.clients import kafka_producer
from config.contracts import RawArticle, Topics
from config.settings import Settings
from crawlers.seen import SeenStore


def _require(crawler: Crawler, key: str) -> Any:
    value = crawler.settings.get(key)
    if value is None:
        raise NotConfigured(f"{key} is not set in the crawler settings")
    return value


class RevisionPipeline:
    """Assigns the revision from the seen-store and drops unchanged content."""

    def __init__(self, seen: SeenStore) -> None:
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisionPipeline:
        return cls(SeenStore(Path(_require(crawler, "CGTWATCH_SEEN_PATH"))))

    def process_item(self, item: RawArticle) -> RawArticle:
        revision = self.seen.next_revision(item.article_id, item.content_hash)
        if revision is None:
            raise DropItem(f"unchanged article {item.article_id} ({item.url})")
        return item.model_copy(update={"revision": revision})


class KafkaPublishPipeline:
    """Publishes each item to ``articles.raw``, waiting for the acknowledgement."""

    def __init__(self, settings: Settings, seen: SeenStore, timeout_s: float = 60.0) -> None:
        self.producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler"))
        self.seen, self.timeout_s = seen, timeout_s
        self.published = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KafkaPublishPipeline:
        return cls(_require(crawler, "CGTWATCH_SETTINGS"),
                   SeenStore(Path(_require(crawler, "CGTWATCH_SEEN_PATH"))))

    def _publish(self, item: RawArticle) -> RawArticle:
        future = self.producer.send(Topics.RAW, key=item.article_id.encode(), value=item.encode())
        future.get(timeout=self.timeout_s)
        self.seen.record(item.article_id, item.url, item.content_hash, item.revision)
        self.published += 1
        return item

    async def process_item(self, item: RawArticle) -> RawArticle:
        return await asyncio.to_thread(self._publish, item)

    def close_spider(self) -> None:
        self.producer.flush(timeout=self.timeout_s)
        self.producer.close(timeout=self.timeout_s)
        self.seen.close()
