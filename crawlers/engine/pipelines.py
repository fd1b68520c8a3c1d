"""Scrapy item pipelines: drop unchanged articles, publish new revisions to Kafka.

Input: ``RawArticle`` items from the generic spider. Output: messages on ``articles.raw``
(key ``article_id``) via a durable kafka-python producer (``acks=all``, idempotent). The
seen-store (the spider's ``seen``, opened per crawl by ``crawlers.jobs.run``) records a revision,
with the page's ETag and Last-Modified, only after the broker acknowledged it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from kafka import KafkaProducer
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from config.clients import kafka_producer
from config.contracts import RawArticle, Topics
from config.settings import Settings
from crawlers.state.seen import SeenStore

Validators = tuple[str | None, str | None]
ValidatorLookup = Callable[[str], Validators]


def _require(crawler: Crawler, key: str) -> Any:
    value = crawler.settings.get(key)
    if value is None:
        raise NotConfigured(f"{key} is not set in the crawler settings")
    return value


def _spider_seen(crawler: Crawler) -> SeenStore:
    seen = getattr(crawler.spider, "seen", None)
    if not isinstance(seen, SeenStore):
        raise NotConfigured("the spider has no seen-store (spider argument seen=...)")
    return seen


def _no_validators(article_id: str) -> Validators:
    return None, None


def spider_validators(crawler: Crawler) -> ValidatorLookup:
    """Validators the spider saw for an article (its ``validators`` dict)."""
    def lookup(article_id: str) -> Validators:
        found: dict[str, Validators] = getattr(crawler.spider, "validators", {})
        return found.get(article_id, (None, None))
    return lookup


class RevisionPipeline:
    """Assigns the revision from the seen-store and drops unchanged content."""

    def __init__(self, seen: SeenStore, validators: ValidatorLookup = _no_validators) -> None:
        self.seen, self.validators = seen, validators

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisionPipeline:
        return cls(_spider_seen(crawler), spider_validators(crawler))

    def process_item(self, item: RawArticle) -> RawArticle:
        revision = self.seen.next_revision(item.article_id, item.content_hash)
        if revision is None:
            self.seen.touch(item.article_id, *self.validators(item.article_id))
            raise DropItem(f"unchanged article {item.article_id} ({item.url})")
        return item.model_copy(update={"revision": revision})


class KafkaPublishPipeline:
    """Publishes each item to ``articles.raw``, waiting for the acknowledgement."""

    def __init__(self, settings: Settings, seen: SeenStore, timeout_s: float = 60.0,
                 validators: ValidatorLookup = _no_validators) -> None:
        self.producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler"))
        self.seen, self.timeout_s, self.validators = seen, timeout_s, validators
        self.published = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KafkaPublishPipeline:
        return cls(_require(crawler, "CGTWATCH_SETTINGS"), _spider_seen(crawler),
                   validators=spider_validators(crawler))

    def _publish(self, item: RawArticle) -> RawArticle:
        future = self.producer.send(Topics.RAW, key=item.article_id.encode(), value=item.encode())
        future.get(timeout=self.timeout_s)
        self.seen.record(item.article_id, item.url, item.content_hash, item.revision,
                         *self.validators(item.article_id))
        self.published += 1
        return item

    async def process_item(self, item: RawArticle) -> RawArticle:
        return await asyncio.to_thread(self._publish, item)

    def close_spider(self) -> None:
        self.producer.flush(timeout=self.timeout_s)
        self.producer.close(timeout=self.timeout_s)
