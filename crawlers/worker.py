"""Crawler worker: consumes crawl jobs as a consumer group, runs each crawl in a child process.

Input: ``crawl.requests`` (``CrawlJob``, key ``source_id``: a source maps to one partition,
so two workers never crawl it at once). Output: a child ``python -m crawlers.run`` per job;
the offset is committed after the child ends, so a worker that dies mid-crawl leaves the job
to be redelivered. A failed crawl is re-queued with ``attempt + 1`` up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import datetime

from kafka import KafkaConsumer, KafkaProducer

from config.clients import kafka_consumer, kafka_producer
from config.contracts import CrawlJob, CrawlStats, Topics, dead_letter_for, decode, utcnow
from config.settings import Settings
from config.sources import load_sources
from crawlers.run import EXIT_CRAWL_FAILED

GROUP = "cgtwatch-crawlers"
MAX_ATTEMPTS = 3
log = logging.getLogger(__name__)


def run_child(settings: Settings, job: CrawlJob) -> tuple[int, str]:
    """Run one crawl in a child process; returns (exit code, last stderr lines)."""
    cmd = [sys.executable, "-m", "crawlers.run", job.source_id, "--job-id", job.job_id]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=settings.crawler.crawl_timeout_s + 60, check=False)
    except subprocess.TimeoutExpired:
        return -1, "crawl timed out"
    return done.returncode, "\n".join(done.stderr.strip().splitlines()[-5:])


class CrawlWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        interval = (settings.crawler.crawl_timeout_s + 120) * 1000
        self.consumer = KafkaConsumer(Topics.CRAWL_REQUESTS, **kafka_consumer(
            settings, GROUP, "cgtwatch-crawler", max_poll_records=1,
            max_poll_interval_ms=interval))
        self.producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler-worker"))
        self.stopping = threading.Event()

    def handle(self, value: bytes) -> None:
        try:
            job = decode(CrawlJob, value)
            load_sources(self.settings.paths.sources).get(job.source_id)
        except (ValueError, KeyError) as exc:
            letter = dead_letter_for("crawler", exc, value, topic=Topics.CRAWL_REQUESTS)
            self.producer.send(Topics.DEADLETTER, value=letter.encode()).get(timeout=30)
            return
        started = utcnow()
        code, tail = run_child(self.settings, job)
        if code not in (0, EXIT_CRAWL_FAILED):  # those published their own stats
            self._report_failure(job, started, f"crawl process exited {code}: {tail}")

    def _report_failure(self, job: CrawlJob, started: datetime, error: str) -> None:
        log.error("crawl of %s failed: %s", job.source_id, error)
        stats = CrawlStats(job_id=job.job_id, source_id=job.source_id, ok=False, error=error,
                           worker=self.settings.worker.instance_id, started_at=started,
                           finished_at=utcnow())
        self.producer.send(Topics.CRAWL_STATS, key=job.source_id.encode(), value=stats.encode())
        if job.attempt < MAX_ATTEMPTS:
            retry = job.model_copy(update={"attempt": job.attempt + 1, "reason": "retry"})
            self.producer.send(Topics.CRAWL_REQUESTS, key=job.source_id.encode(),
                               value=retry.encode()).get(timeout=30)

    def run(self) -> None:
        log.info("crawler worker %s waiting for jobs", self.settings.worker.instance_id)
        try:
            while not self.stopping.is_set():
                batch = self.consumer.poll(timeout_ms=200)
                if not batch:
                    # idle: brokers that answer empty fetches at once (the local noida-db)
                    # would otherwise keep this loop busy; a crawl starting 1 s later is fine
                    self.stopping.wait(1.0)
                for records in batch.values():
                    for record in records:
                        self.handle(record.value)
                        self.consumer.commit()
        finally:
            self.producer.flush(timeout=30)
            self.consumer.close()
            self.producer.close()
