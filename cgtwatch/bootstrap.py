"""Setup of the shared infrastructure: wait for Kafka and Elasticsearch, create topics and
index templates. Idempotent; ``cgtwatch setup`` and ``cgtwatch up`` run it.

Input: ``Settings``. Output: the contract's topics (with partition counts), the compacted
topics of the maps every streams worker holds (``streams.shared_maps``) and the indices.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from alerts.history import setup_alert_history
from config.clients import elastic, kafka_common
from config.contracts import Topics
from config.settings import Settings
from crawlers.health_store import setup_crawler_indices
from indexer.schema import setup_articles, setup_crawl_health
from streams.shared_maps import SHARED_TOPICS

T = TypeVar("T")
log = logging.getLogger(__name__)
TOPIC_CONFIGS = {"max.message.bytes": str(8 * 1024 * 1024)}
DAY_MS = 24 * 3600 * 1000


def wanted_topics(settings: Settings) -> list[NewTopic]:
    """The contract's topics and the shared maps' compacted ones, with their configs."""
    k = settings.kafka
    topics = [NewTopic(name, k.partitions, k.replication_factor, topic_configs=TOPIC_CONFIGS)
              for name in Topics.all()]
    return topics + [
        NewTopic(name, k.partitions, k.replication_factor, topic_configs={
            "cleanup.policy": "compact,delete", "retention.ms": str(days * DAY_MS)})
        for name, days in SHARED_TOPICS.items()]


def with_backoff(what: str, op: Callable[[], T], timeout_s: float = 120.0) -> T:
    """Call ``op`` until it succeeds or ``timeout_s`` passes (dependencies start in any order)."""
    deadline, delay = time.monotonic() + timeout_s, 0.2
    while True:
        try:
            return op()
        except Exception as exc:
            if time.monotonic() + delay > deadline:
                raise RuntimeError(f"{what}: still failing after {timeout_s:.0f}s: {exc}") from exc
            log.info("%s not ready (%s); retrying in %.1fs", what, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def create_topics(settings: Settings) -> list[str]:
    """Create every topic that does not exist; returns the ones created."""
    admin = with_backoff(
        "kafka", lambda: KafkaAdminClient(**kafka_common(settings, "cgtwatch-setup")))
    try:
        existing = set(admin.list_topics())
        wanted = [t for t in wanted_topics(settings) if t.name not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(wanted)
        return [t.name for t in wanted]
    finally:
        admin.close()


def setup_indices(settings: Settings) -> list[str]:
    es = Elasticsearch(**elastic(settings))
    with_backoff("elasticsearch", lambda: es.info())
    try:
        return [setup_articles(es, settings), setup_alert_history(es, settings),
                setup_crawl_health(es, settings), *setup_crawler_indices(es, settings)]
    finally:
        es.close()


def setup_all(settings: Settings) -> dict[str, list[str]]:
    try:
        created = create_topics(settings)
    except KafkaError as exc:
        raise RuntimeError(f"creating Kafka topics failed: {exc}") from exc
    return {"topics_created": created, "indices": setup_indices(settings)}
