"""Setup of the shared infrastructure: wait for Kafka and Elasticsearch, create topics and
index templates. Idempotent; ``cgtwatch setup`` and ``cgtwatch up`` run it.

Input: ``Settings``. Output: the contract's topics (with partition counts), the compacted
topics of the maps every streams worker holds (``streams.shared_maps``) and the indices.
Waiting is the services' start-up wait (``cgtwatch.runtime.probes`` and
``cgtwatch.runtime.waits``): the same probes and backoff,
``CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S`` as the deadline, and a
``DependencyTimeoutError`` (a ``RuntimeError``) naming the server, its address, the last error
and the settings to check when it passes.
"""

from __future__ import annotations

import contextlib

from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from alerts.history import setup_alert_history
from cgtwatch.runtime.probes import Needed, dependency
from cgtwatch.runtime.waits import SYSTEM_CLOCK, Clock, wait_for
from config.clients import elastic, kafka_common
from config.contracts.topics import Topics
from config.settings import Settings
from crawlers.state.health_store import setup_crawler_indices
from indexer.schema import setup_articles, setup_crawl_health
from streams.shared_maps import SHARED_TOPICS

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


def await_server(settings: Settings, needed: Needed, clock: Clock = SYSTEM_CLOCK) -> None:
    """Wait until ``needed`` answers (servers start in any order). Raises
    ``DependencyTimeoutError`` once ``CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S`` has passed."""
    wait_for([dependency(settings, needed)], settings.worker.dependency_timeout_s, clock=clock)


def create_topics(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> list[str]:
    """Wait for Kafka, then create every topic that does not exist; returns the ones created."""
    await_server(settings, "kafka", clock)
    admin = KafkaAdminClient(**kafka_common(settings, "cgtwatch-setup"))
    try:
        existing = set(admin.list_topics())
        wanted = [t for t in wanted_topics(settings) if t.name not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(wanted)
        return [t.name for t in wanted]
    finally:
        admin.close()


def setup_indices(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> list[str]:
    """Wait for Elasticsearch, then create or update every index, template and policy."""
    await_server(settings, "elasticsearch", clock)
    es = Elasticsearch(**elastic(settings))
    try:
        return [setup_articles(es, settings), setup_alert_history(es, settings),
                setup_crawl_health(es, settings), *setup_crawler_indices(es, settings)]
    finally:
        es.close()


def setup_all(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> dict[str, list[str]]:
    """Topics, then indices; every failure is a ``RuntimeError`` saying what failed."""
    try:
        created = create_topics(settings, clock)
    except KafkaError as exc:
        raise RuntimeError(f"creating Kafka topics failed: {exc}") from exc
    return {"topics_created": created, "indices": setup_indices(settings, clock)}
