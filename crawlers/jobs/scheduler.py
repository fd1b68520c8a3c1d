"""Scheduler: one ticking APScheduler job queues a ``CrawlJob`` for every source that is due.

Input: ``sources.yaml`` (schedules: ``every``, optional ``fastest``/``slowest`` bounds,
``jitter_s``) and the crawls' ``CrawlStats`` from ``crawl.stats`` (new articles found).
Output: ``CrawlJob`` messages on ``crawl.requests`` keyed by source id. Due times live in a
heap (``crawlers.jobs.due``), so 10,000 sources cost one job ticking every second, not
10,000 APScheduler jobs. After each queueing a source is due again after its interval, which
adapts to its publication rate within its bounds (``crawlers.jobs.cadence``), with jitter.
First runs are spread over ``first_run_spread_s``. Each job the broker acknowledged is
counted in ``cgtwatch_crawler_jobs_queued`` (the scheduler's ``/metrics``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from kafka import KafkaProducer

from config.clients import kafka_producer
from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.topics import Topics
from config.settings import Settings
from config.sources import Source, SourcesFile
from crawlers.jobs import metrics
from crawlers.jobs.cadence import Bounds, Cadence, initial, interval, jittered, learn
from crawlers.jobs.due import DueQueue

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Shanghai"
Publish = Callable[[list[CrawlJob]], None]


def bounds_of(source: Source) -> Bounds:
    s = source.schedule
    return Bounds(base_s=s.seconds, min_s=s.min_seconds, max_s=s.max_seconds,
                  jitter_s=s.jitter_s)


class CrawlPlan:
    """Due times and learned cadences of every enabled source (thread-safe)."""

    def __init__(self, sources: SourcesFile, spread_s: float = 60.0,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None
                 ) -> None:
        self.clock, self.rng = clock, rng or random.Random()
        self.bounds = {s.id: bounds_of(s) for s in sources.enabled}
        self.cadence: dict[str, Cadence] = {sid: initial(b) for sid, b in self.bounds.items()}
        self.due = DueQueue()
        self._lock = threading.Lock()
        now, count = clock(), max(len(self.bounds), 1)
        for i, sid in enumerate(self.bounds):
            self.due.set(sid, now + spread_s * i / count)

    def interval_s(self, source_id: str) -> float:
        return interval(self.cadence[source_id], self.bounds[source_id])

    def take_due(self) -> list[CrawlJob]:
        """Jobs for the sources due now; each is due again one (jittered) interval later."""
        with self._lock:
            now = self.clock()
            due = self.due.pop_due(now)
            for sid in due:
                wait = jittered(self.interval_s(sid), self.bounds[sid].jitter_s, self.rng)
                self.due.set(sid, now + wait)
        return [CrawlJob(job_id=uuid.uuid4().hex, source_id=sid) for sid in due]

    def learned(self, stats: CrawlStats) -> None:
        """Fold a finished crawl into its source's cadence; a shorter interval moves the next
        poll earlier."""
        with self._lock:
            if stats.source_id not in self.cadence or not stats.ok:
                return
            self.cadence[stats.source_id] = learn(self.cadence[stats.source_id],
                                                  stats.articles_new, stats.finished_at)
            sooner = stats.finished_at.timestamp() + self.interval_s(stats.source_id)
            current = self.due.when(stats.source_id)
            if current is not None and sooner < current:
                self.due.set(stats.source_id, sooner)


def build_scheduler(plan: CrawlPlan, publish: Publish, tick_s: float = 1.0
                    ) -> BlockingScheduler:
    """A scheduler with one job: every ``tick_s``, publish the jobs of the due sources."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)

    def tick() -> None:
        jobs = plan.take_due()
        if jobs:
            publish(jobs)

    scheduler.add_job(tick, "interval", seconds=tick_s, id="due-sources",
                      name="queue crawls of due sources", coalesce=True, max_instances=1)
    return scheduler


def kafka_publisher(settings: Settings, producer: KafkaProducer | None = None) -> Publish:
    """Publish jobs, wait for the broker's acknowledgements, then count them."""
    sender = producer if producer is not None else KafkaProducer(
        **kafka_producer(settings, "cgtwatch-scheduler"))

    def publish(jobs: list[CrawlJob]) -> None:
        futures = [sender.send(Topics.CRAWL_REQUESTS, key=job.source_id.encode(),
                               value=job.encode()) for job in jobs]
        for job, future in zip(jobs, futures, strict=True):
            future.get(timeout=30)
            metrics.record_job_queued(job)
        log.info("queued %d crawl(s): %s", len(jobs),
                 ", ".join(job.source_id for job in jobs[:10])
                 + (" …" if len(jobs) > 10 else ""))

    return publish
