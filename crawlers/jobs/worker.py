"""Crawler worker process: one long-lived Scrapy engine fed with jobs from Kafka.

Input: ``Settings``; jobs on ``crawl.requests`` (consumer group ``cgtwatch-crawlers``).
Output: crawls run by the process's one engine (``crawlers.jobs.runner``), many at once,
published like before; one report per crawl (``crawlers.jobs.report``). Twisted's reactor
runs in the main thread, the Kafka consumer loop (``crawlers.jobs.feeder``) in another; a
stop request (SIGTERM) ends both. Jobs still open when the worker stops or dies were not
committed, so the partition's next owner redoes them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from kafka import KafkaProducer

from config.clients import kafka_producer
from config.settings import Settings
from crawlers.jobs.feeder import GROUP, MAX_ATTEMPTS, JobFeeder, JoinStuckError
from crawlers.jobs.report import CrawlReporter
from crawlers.jobs.runner import Engine
from crawlers.state.seen_es import open_seen_store

__all__ = ["GROUP", "MAX_ATTEMPTS", "CrawlerWorker"]
log = logging.getLogger(__name__)


class CrawlerWorker:
    """The engine, the feeder thread and the clients they share."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.seen = open_seen_store(settings)
        self.producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler-worker"))
        self.reporter = CrawlReporter(settings, self.producer)
        self.engine = Engine(settings, self.seen)
        self.feeder = JobFeeder(settings, self.engine, self.reporter, producer=self.producer)
        self.failed: BaseException | None = None

    def stop(self) -> None:
        """Stop taking jobs and close the engine (from any thread or a signal handler)."""
        self.feeder.stopping.set()
        self.engine.stop()

    def _feed(self) -> None:
        try:
            self.feeder.run()
        except JoinStuckError as exc:  # expected, rare: a fresh process joins as a fresh member
            log.error("%s", exc)
            self.failed = exc
        except BaseException as exc:  # the worker must not run on without its consumer
            log.exception("the crawl-job consumer failed")
            self.failed = exc
        finally:
            self.engine.stop()

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Block until stopped; raise what stopped the consumer, if it failed."""
        thread = threading.Thread(target=self._feed, name="crawl-jobs", daemon=True)
        thread.start()
        if on_ready is not None:
            on_ready()
        try:
            self.engine.run()
        finally:
            self.feeder.stopping.set()
            thread.join(timeout=60)
            self.reporter.close()
            self.seen.close()
            self.producer.close(timeout=30)
        if isinstance(self.failed, JoinStuckError):
            raise SystemExit(os.EX_TEMPFAIL)  # exit 75: starting it again works
        if self.failed is not None:
            raise RuntimeError(f"crawl-job consumer failed: {self.failed}") from self.failed
