"""Thin I/O around source health: the ``<prefix>-sources`` index and the crawl report.

Input: ``Settings`` and a finished crawl's ``CrawlStats``. Output: ``crawl.stats`` gets the
stats, the source's document in ``<prefix>-sources`` (``_id = source_id``) gets its new
``SourceHealth`` (decided by ``crawlers.state.health.next_health``), and ``ops.events`` gets an
``OpsEvent`` when the source turns unhealthy or recovers. ``read_all`` serves
``cgtwatch sources status``.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError
from kafka import KafkaProducer

from config.clients import elastic, kafka_producer
from config.contracts import CrawlStats, OpsEvent, SourceHealth, Topics
from config.settings import Settings
from crawlers.state.health import next_health
from crawlers.state.seen_es import SEEN_MAPPING, ensure_index, seen_index

log = logging.getLogger(__name__)
SOURCES_MAPPING: dict[str, Any] = {
    "dynamic": "false",
    "properties": {
        "source_id": {"type": "keyword"},
        "health": {"type": "keyword"},
        "reason": {"type": "text"},
        "last_run": {"type": "date"},
        "last_success": {"type": "date"},
        "last_new_items": {"type": "integer"},
        "new_items_total": {"type": "long"},
        "consecutive_failures": {"type": "integer"},
    },
}


def sources_index(settings: Settings) -> str:
    return f"{settings.elastic.index_prefix}-sources"


class SourceHealthStore:
    """One document per source in ``<prefix>-sources``."""

    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es, self.index = es, index
        ensure_index(es, index, SOURCES_MAPPING)

    def get(self, source_id: str) -> SourceHealth | None:
        try:
            found = self.es.get(index=self.index, id=source_id)
        except NotFoundError:
            return None
        return SourceHealth.model_validate(found["_source"])

    def put(self, state: SourceHealth) -> None:
        self.es.index(index=self.index, id=state.source_id,
                      document=state.model_dump(mode="json"), refresh=True)

    def read_all(self) -> dict[str, SourceHealth]:
        self.es.indices.refresh(index=self.index)
        hits = self.es.search(index=self.index, size=10_000)["hits"]["hits"]
        return {hit["_id"]: SourceHealth.model_validate(hit["_source"]) for hit in hits}


def setup_crawler_indices(es: Elasticsearch, settings: Settings) -> list[str]:
    """Create the crawlers' indices: the shared seen-store and the source-health index."""
    return [ensure_index(es, seen_index(settings), SEEN_MAPPING),
            ensure_index(es, sources_index(settings), SOURCES_MAPPING)]


def update_health(store: SourceHealthStore, stats: CrawlStats, fail_after: int
                  ) -> tuple[SourceHealth, OpsEvent | None]:
    state, event = next_health(store.get(stats.source_id), stats, fail_after)
    store.put(state)
    return state, event


def report_crawl(settings: Settings, stats: CrawlStats,
                 producer: KafkaProducer | None = None) -> SourceHealth:
    """Publish ``stats``, update the source's health and publish the event it calls for."""
    own = producer is None
    producer = producer or KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler-stats"))
    es = Elasticsearch(**elastic(settings))
    try:
        producer.send(Topics.CRAWL_STATS, key=stats.source_id.encode(), value=stats.encode())
        store = SourceHealthStore(es, sources_index(settings))
        state, event = update_health(store, stats, settings.crawler.unhealthy_after_failures)
        if event is not None:
            log.warning("%s", event.message)
            producer.send(Topics.OPS_EVENTS, key=stats.source_id.encode(), value=event.encode())
        producer.flush(timeout=30)
        return state
    finally:
        es.close()
        if own:
            producer.close(timeout=30)
