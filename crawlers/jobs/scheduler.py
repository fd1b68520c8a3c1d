"""Scheduler: one APScheduler job per enabled source, each publishing a ``CrawlJob``.

Input: ``sources.yaml`` (schedules). Output: ``CrawlJob`` messages on ``crawl.requests`` keyed
by source id; the first run of every source is due right after start, spread over a minute.
Each job the broker acknowledged is counted in ``cgtwatch_crawler_jobs_queued`` (the
scheduler's ``/metrics``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from kafka import KafkaProducer

from config.clients import kafka_producer
from config.contracts import CrawlJob, Topics
from config.settings import Settings
from config.sources import SourcesFile, load_sources
from crawlers.jobs import metrics

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Shanghai"


def build_scheduler(sources: SourcesFile, publish: Callable[[CrawlJob], None],
                    spread_s: float = 60.0) -> BlockingScheduler:
    """A scheduler with one interval job per enabled source."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    enabled = sources.enabled
    now = datetime.now().astimezone()
    for i, source in enumerate(enabled):
        first = now + timedelta(seconds=spread_s * i / max(len(enabled), 1))
        scheduler.add_job(lambda sid=source.id: publish(CrawlJob(job_id=uuid.uuid4().hex,
                                                                 source_id=sid)),
                          "interval", seconds=source.schedule.seconds,
                          jitter=source.schedule.jitter_s, id=source.id, name=source.name,
                          next_run_time=first, coalesce=True, max_instances=1,
                          misfire_grace_time=source.schedule.seconds)
    return scheduler


def kafka_publisher(settings: Settings, producer: KafkaProducer | None = None
                    ) -> Callable[[CrawlJob], None]:
    """Publish a job and wait for the broker's acknowledgement, then count it."""
    sender = producer if producer is not None else KafkaProducer(
        **kafka_producer(settings, "cgtwatch-scheduler"))

    def publish(job: CrawlJob) -> None:
        sender.send(Topics.CRAWL_REQUESTS, key=job.source_id.encode(),
                    value=job.encode()).get(timeout=30)
        metrics.record_job_queued(job)
        log.info("queued crawl of %s (%s)", job.source_id, job.job_id)

    return publish


def run_scheduler(settings: Settings, spread_s: float = 60.0) -> None:
    sources = load_sources(settings.paths.sources)
    scheduler = build_scheduler(sources, kafka_publisher(settings), spread_s)
    log.info("scheduling %d sources", len(sources.enabled))
    scheduler.start()
