"""Scrapy item pipelines: drop unchanged articles, publish new revisions to Kafka.

Input: ``FetchedArticle`` items from the engine's spider: the ``RawArticle`` with the page's
``ETag``/``Last-Modified``, so the validators travel with the item (no state shared through
the spider). Output: messages on ``articles.raw`` (key ``article_id``) via one durable
kafka-python producer per process (``acks=all``, idempotent). The seen-store (the spider's
``seen``) records a revision, with its validators, only after the broker acknowledged it.
An unchanged article is dropped quietly (DEBUG): its validators and last check are refreshed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from kafka import KafkaProducer
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from config.clients import kafka_producer
from config.contracts.topics import Topics
from config.settings import Settings
from crawlers.engine.fetched import FetchedArticle
from crawlers.state.seen import SeenStore


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


class RevisionPipeline:
    """Assigns the revision from the seen-store and drops unchanged content."""

    def __init__(self, seen: SeenStore) -> None:
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisionPipeline:
        return cls(_spider_seen(crawler))

    def process_item(self, item: FetchedArticle) -> FetchedArticle:
        article = item.article
        revision = self.seen.next_revision(article.article_id, article.content_hash)
        if revision is None:
            self.seen.touch(article.article_id, item.etag, item.last_modified)
            raise DropItem(f"unchanged article {article.article_id}", log_level="DEBUG")
        return replace(item, article=article.model_copy(update={"revision": revision}))


class KafkaPublishPipeline:
    """Publishes each article to ``articles.raw``, waiting for the acknowledgement."""

    def __init__(self, settings: Settings, seen: SeenStore, timeout_s: float = 60.0) -> None:
        self.producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler"))
        self.seen, self.timeout_s = seen, timeout_s
        self.published = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KafkaPublishPipeline:
        return cls(_require(crawler, "CGTWATCH_SETTINGS"), _spider_seen(crawler))

    def _publish(self, item: FetchedArticle) -> FetchedArticle:
        article = item.article
        future = self.producer.send(Topics.RAW, key=article.article_id.encode(),
                                    value=article.encode())
        future.get(timeout=self.timeout_s)
        self.seen.record(article.article_id, article.url, article.content_hash,
                         article.revision, item.etag, item.last_modified)
        self.published += 1
        return item

    async def process_item(self, item: FetchedArticle) -> FetchedArticle:
        return await asyncio.to_thread(self._publish, item)

    def close_spider(self) -> None:
        self.producer.flush(timeout=self.timeout_s)
        self.producer.close(timeout=self.timeout_s)
