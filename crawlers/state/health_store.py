"""Thin I/O around source health: the ``<prefix>-sources`` index.

Input: a finished crawl's ``CrawlStats`` (from ``crawlers.jobs.report``, which also publishes
it to ``crawl.stats`` and the ``OpsEvent`` returned here). Output: the source's document in
``<prefix>-sources`` (``_id = source_id``) with its new ``SourceHealth`` (decided by
``crawlers.state.health.next_health``), and the event when the source turns unhealthy or
recovers. ``read_all`` serves ``cgtwatch sources status``.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from config.contracts.crawl import CrawlStats, SourceHealth
from config.contracts.ops import OpsEvent
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
                      document=state.model_dump(mode="json"))  # read_all refreshes

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
