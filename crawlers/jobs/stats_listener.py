"""The scheduler's ear on ``crawl.stats``: finished crawls teach it each source's cadence.

Input: ``CrawlStats`` messages on ``crawl.stats`` (read from the end, no consumer group: each
scheduler hears every crawl from its start on). Output: ``CrawlPlan.learned`` calls, from a
daemon thread. Undecodable messages are skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition

from config.clients import kafka_common
from config.contracts.crawl import CrawlStats
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings

log = logging.getLogger(__name__)


def listen_to_stats(settings: Settings, on_stats: Callable[[CrawlStats], None],
                    stopping: threading.Event) -> threading.Thread:
    """Start the listening thread; it ends when ``stopping`` is set."""
    def loop() -> None:
        consumer = KafkaConsumer(**kafka_common(settings, "cgtwatch-scheduler-stats"),
                                 enable_auto_commit=False)
        try:
            parts = [TopicPartition(Topics.CRAWL_STATS, p)
                     for p in consumer.partitions_for_topic(Topics.CRAWL_STATS) or []]
            consumer.assign(parts)
            consumer.seek_to_end(*parts)
            while not stopping.is_set():
                batch = consumer.poll(timeout_ms=0)
                for records in batch.values():
                    for record in records:
                        try:
                            on_stats(decode(CrawlStats, record.value))
                        except ValueError:
                            continue
                if not batch:
                    stopping.wait(1.0)  # brokers answering empty fetches at once (noida-db)
        except Exception:
            log.exception("listening to crawl.stats failed; intervals stay as they are")
        finally:
            consumer.close()

    thread = threading.Thread(target=loop, name="crawl-stats", daemon=True)
    thread.start()
    return thread
