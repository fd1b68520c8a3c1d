"""Crawler worker: consumes crawl jobs as a consumer group, runs each crawl in a child process.

Input: ``crawl.requests`` (``CrawlJob``, key ``source_id``: a source maps to one partition,
so two workers never crawl it at once). Output: a child ``python -m crawlers.jobs.run`` per job;
the offset is committed after the child ends, so a worker that dies mid-crawl leaves the job
to be redelivered. A failed crawl is re-queued with ``attempt + 1`` up to ``MAX_ATTEMPTS``.
The child reports its own stats and source health; a child that crashed is reported here.
The child's metrics would die with it, so this long-lived process records each crawl's outcome
for its ``/metrics`` (``crawlers.jobs.metrics``): the stats the child printed as its last stdout
line, or the failure stats it publishes for a child that crashed, timed out or was killed;
and the retries it queues.

While a crawl runs, the worker keeps polling with its partitions paused: it stays in the
group and takes part in rebalances (a replica joining or dying) instead of stalling them. If
the partition of the running job moves to another worker, the crawl is stopped and not
committed: the new owner redoes it, so a source is still crawled by one worker at a time.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import IO, NamedTuple

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from config.clients import kafka_consumer, kafka_producer
from config.contracts import CrawlJob, CrawlStats, Topics, dead_letter_for, decode, utcnow
from config.settings import Settings
from config.sources import load_sources
from crawlers.jobs import metrics
from crawlers.jobs.run import EXIT_CRAWL_FAILED
from crawlers.state.health_store import report_crawl

GROUP = "cgtwatch-crawlers"
MAX_ATTEMPTS = 3
# the worker polls all through a crawl, so this bounds only the pauses between polls; it is
# also the rebalance timeout: how long a rebalance waits for a member that stopped polling
MAX_POLL_INTERVAL_MS = 30_000
REVOKED = -2  # exit code used when the job's partition moved to another worker mid-crawl
STDOUT_TAIL = 64 * 1024  # the child's stats line is the last one, a few hundred bytes
log = logging.getLogger(__name__)
Reporter = Callable[[Settings, CrawlStats, KafkaProducer], object]


class ChildExit(NamedTuple):
    """How a crawl child ended: exit code (or ``REVOKED``/-1 when the worker ended it), the
    end of its stdout (its stats line) and a note (why it was ended, or its last stderr)."""

    code: int
    stdout: bytes
    note: str


def crawl_command(job: CrawlJob) -> list[str]:
    return [sys.executable, "-m", "crawlers.jobs.run", job.source_id, "--job-id", job.job_id]


def _tail(stream: IO[bytes], limit: int) -> bytes:
    size = stream.seek(0, 2)
    stream.seek(max(size - limit, 0))
    return stream.read()


class Rebalances(ConsumerRebalanceListener):  # type: ignore[misc]
    """Knows whether a rebalance is under way (revoked partitions may come back)."""

    def __init__(self) -> None:
        self.active = False

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.active = True

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.active = False


class CrawlWorker:
    """The consumer loop; ``consumer``, ``producer``, ``report`` and ``command`` default to the
    real Kafka clients, ``report_crawl`` and ``crawl_command`` (tests pass stand-ins)."""

    def __init__(self, settings: Settings, consumer: KafkaConsumer | None = None,
                 producer: KafkaProducer | None = None, report: Reporter = report_crawl,
                 command: Callable[[CrawlJob], list[str]] = crawl_command) -> None:
        self.settings, self.report, self.command = settings, report, command
        self.consumer = consumer if consumer is not None else KafkaConsumer(**kafka_consumer(
            settings, GROUP, "cgtwatch-crawler", max_poll_records=1,
            max_poll_interval_ms=MAX_POLL_INTERVAL_MS))
        self.rebalance = Rebalances()
        self.consumer.subscribe([Topics.CRAWL_REQUESTS], listener=self.rebalance)
        self.producer = producer if producer is not None else KafkaProducer(
            **kafka_producer(settings, "cgtwatch-crawler-worker"))
        self.stopping = threading.Event()

    def _keep_polling(self) -> bool:
        """Poll while paused (heartbeats, rebalances); False if stopping."""
        records = self.consumer.poll(timeout_ms=300)
        for tp, got in records.items():  # newly assigned partitions are not paused yet
            self.consumer.seek(tp, got[0].offset)
            self.consumer.pause(tp)
        self.consumer.pause(*self.consumer.assignment())
        return not self.stopping.is_set()

    def run_child(self, job: CrawlJob, tp: TopicPartition) -> ChildExit:
        """Run one crawl in a child process and wait for it, polling all the while."""
        self.consumer.pause(*self.consumer.assignment())
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = subprocess.Popen(self.command(job), stdout=out, stderr=err,
                                     stdin=subprocess.DEVNULL)
            code, note = self._wait(child, tp)
            tail = _tail(err, 4096).decode("utf-8", "replace").strip().splitlines()[-5:]
            ended = ChildExit(code, _tail(out, STDOUT_TAIL), note or "\n".join(tail))
        self.consumer.resume(*self.consumer.assignment())
        return ended

    def _wait(self, child: subprocess.Popen[bytes], tp: TopicPartition) -> tuple[int, str]:
        """(exit code, "") when the child ends; (``REVOKED`` or -1, why) when it is ended."""
        deadline = time.monotonic() + self.settings.crawler.crawl_timeout_s + 60
        while (code := child.poll()) is None:
            if not self.rebalance.active and tp not in self.consumer.assignment():
                code, note = REVOKED, "the job's partition moved to another worker"
            elif time.monotonic() > deadline:
                code, note = -1, "crawl timed out"
            elif self._keep_polling():
                continue
            else:
                code, note = -1, "worker stopping"
            child.terminate()
            child.wait(timeout=30)
            return code, note
        return code, ""

    def handle(self, value: bytes, tp: TopicPartition) -> bool:
        """Process one job; True when its offset may be committed."""
        try:
            job = decode(CrawlJob, value)
            load_sources(self.settings.paths.sources).get(job.source_id)
        except (ValueError, KeyError) as exc:
            letter = dead_letter_for("crawler", exc, value, topic=Topics.CRAWL_REQUESTS)
            self.producer.send(Topics.DEADLETTER, value=letter.encode()).get(timeout=30)
            return True
        started = utcnow()
        ended = self.run_child(job, tp)
        reported = ended.code in (0, EXIT_CRAWL_FAILED)  # the child published its own stats
        if reported and not metrics.record_crawl_output(ended.stdout):
            log.warning("crawl of %s exited %d without printing its stats", job.source_id,
                        ended.code)
        if ended.code == REVOKED or self.stopping.is_set():
            log.warning("crawl of %s stopped: %s", job.source_id, ended.note)
            return False
        if not reported:
            self._report_failure(job, started, f"crawl process exited {ended.code}: {ended.note}")
        return True

    def _report_failure(self, job: CrawlJob, started: datetime, error: str) -> None:
        log.error("crawl of %s failed: %s", job.source_id, error)
        stats = CrawlStats(job_id=job.job_id, source_id=job.source_id, ok=False, error=error,
                           worker=self.settings.worker.instance_id, started_at=started,
                           finished_at=utcnow())
        metrics.record_crawl(stats)
        try:
            self.report(self.settings, stats, self.producer)  # stats, health, ops event
        except Exception:
            log.exception("reporting the failed crawl of %s", job.source_id)
        if job.attempt < MAX_ATTEMPTS:
            retry = job.model_copy(update={"attempt": job.attempt + 1, "reason": "retry"})
            self.producer.send(Topics.CRAWL_REQUESTS, key=job.source_id.encode(),
                               value=retry.encode()).get(timeout=30)
            metrics.record_job_queued(retry)

    def _commit(self, tp: TopicPartition, offset: int) -> None:
        try:
            self.consumer.commit({tp: OffsetAndMetadata(offset + 1, "", -1)})
        except (CommitFailedError, KafkaError) as exc:  # rebalanced: the new owner redoes it
            log.warning("commit of %s@%d failed (%s); the job may run again", tp, offset, exc)

    def run(self) -> None:
        log.info("crawler worker %s waiting for jobs", self.settings.worker.instance_id)
        try:
            while not self.stopping.is_set():
                batch = self.consumer.poll(timeout_ms=200)
                if not batch:
                    # idle: brokers that answer empty fetches at once (the local noida-db)
                    # would otherwise keep this loop busy; a crawl starting 1 s later is fine
                    self.stopping.wait(1.0)
                for tp, records in batch.items():
                    for record in records:
                        if self.handle(record.value, tp):
                            self._commit(tp, record.offset)
        finally:
            self.producer.flush(timeout=30)
            self.consumer.close()
            self.producer.close()
