"""After each crawl: one log line, metrics, ``crawl.stats``, the source's health, ops events.

Input: a finished crawl's ``CrawlStats``. Output: an INFO line (source, outcome with its
cause, counts, duration); the worker's Prometheus counters (``crawlers.jobs.metrics``); the stats
on ``crawl.stats``; the source's document in ``<prefix>-sources`` and, when its health turns,
an ``OpsEvent``. One Elasticsearch client and one producer serve every crawl of the process.
"""

from __future__ import annotations

import logging

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from config.clients import elastic
from config.contracts.crawl import CrawlStats, SourceHealth
from config.contracts.topics import Topics
from config.settings import Settings
from crawlers.jobs import metrics
from crawlers.state.health_store import SourceHealthStore, sources_index, update_health

log = logging.getLogger("crawlers.crawl")


def outcome_line(stats: CrawlStats) -> str:
    """The one line logged per crawl."""
    outcome = "ok" if stats.ok else "FAILED"
    cause = f" ({stats.cause})" if stats.cause else ""
    seconds = (stats.finished_at - stats.started_at).total_seconds()
    return (f"crawl {stats.source_id}: {outcome}{cause}; lists {stats.list_pages} "
            f"(304: {stats.not_modified}), links {stats.links_found}, new "
            f"{stats.articles_new}, published {stats.articles_published}, rechecked "
            f"{stats.articles_rechecked}, unchanged {stats.articles_unchanged}, pages "
            f"{stats.pages_fetched}, errors {stats.errors}, {seconds:.2f} s")


class CrawlReporter:
    """Reports crawls of one process (the worker's, or one ``cgtwatch crawl``)."""

    def __init__(self, settings: Settings, producer: KafkaProducer,
                 es: Elasticsearch | None = None) -> None:
        self.settings, self.producer = settings, producer
        self.es = es if es is not None else Elasticsearch(**elastic(settings))
        self.store = SourceHealthStore(self.es, sources_index(settings))

    def __call__(self, stats: CrawlStats) -> SourceHealth:
        (log.info if stats.ok else log.warning)("%s", outcome_line(stats))
        metrics.record_crawl(stats)
        self.producer.send(Topics.CRAWL_STATS, key=stats.source_id.encode(),
                           value=stats.encode())
        state, event = update_health(self.store, stats,
                                     self.settings.crawler.unhealthy_after_failures)
        if event is not None:
            log.warning("%s", event.message)
            self.producer.send(Topics.OPS_EVENTS, key=stats.source_id.encode(),
                               value=event.encode())
        return state

    def close(self) -> None:
        self.es.close()
