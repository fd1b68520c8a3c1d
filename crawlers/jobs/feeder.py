"""Crawler worker: consumes crawl jobs as a consumer group and feeds them to the one engine.

Input: ``crawl.requests`` (``CrawlJob``, key ``source_id``: a source maps to one partition).
Output: each job run in the process's long-lived Scrapy engine (``crawlers.jobs.runner``),
many at once; per finished job a report (``crawlers.jobs.report``). This loop runs in its
own thread (Twisted's reactor has the main one) and is the only user of the consumer:
- a job's offset is committed only when the job ended and every job before it on its
  partition did too (``OffsetTracker``), so a killed worker's open jobs are redone;
- at ``max_jobs_in_flight`` open jobs it pauses its partitions and keeps polling (heartbeats,
  rebalances): backpressure; a scheduled job for a source already being crawled is
  skipped, any other (manual, retry, reconcile) runs after the crawl under way;
- a job whose deadline passed is reported and queued again, up to ``MAX_ATTEMPTS``;
- on a rebalance it commits what it can and forgets the partitions it lost;
- polls return at once (``timeout_ms=0``) except while joining the group: an idle worker
  waits on its finished-jobs queue instead of in a fetch loop;
- joining, it polls back to back: kafka-python 3.0 can drop a join that completes between
  two polls (the leader's metadata rejoin), leaving the member with no partitions and no
  heartbeats. The topic's metadata is fetched before subscribing, so the first assignment
  sees every partition, and a join that outlasts ``join_deadline_s`` raises ``JoinStuckError``:
  the worker exits and its supervisor starts it again, as a fresh member.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from config.clients import kafka_consumer, kafka_producer
from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.ops import dead_letter_for
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from config.sources import Source, SourcesFile, load_sources
from crawlers.engine.job import JobRun
from crawlers.jobs import metrics
from crawlers.jobs.tracker import OffsetTracker

GROUP = "cgtwatch-crawlers"
MAX_ATTEMPTS = 3
MAX_POLL_INTERVAL_MS = 30_000  # also the rebalance timeout: how long a join may wait
JOIN_GRACE_S = 10.0
log = logging.getLogger(__name__)
Report = Callable[[CrawlStats], Any]


class JoinStuckError(RuntimeError):
    """The consumer group never handed this worker its partitions."""


def join_deadline_s(settings: Settings) -> float:
    """The longest a rebalance may take: every member rejoining (the rebalance timeout), a
    dead member's session running out, and a grace."""
    return (MAX_POLL_INTERVAL_MS + settings.kafka.session_timeout_ms) / 1000 + JOIN_GRACE_S


class EngineLike(Protocol):
    def new_run(self, job: CrawlJob, source: Source, on_done: Callable[[JobRun], Any]
                ) -> JobRun: ...

    def submit(self, run: JobRun) -> None: ...


class _Sources:
    """``sources.yaml``, read again when the file changes (edits apply without a restart)."""

    def __init__(self, path: Path) -> None:
        self.path, self._mtime, self._loaded = path, -1.0, SourcesFile(sources=[])

    def get(self, source_id: str) -> Source:
        mtime = self.path.stat().st_mtime
        if mtime != self._mtime:
            self._loaded, self._mtime = load_sources(self.path), mtime
        return self._loaded.get(source_id)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, feeder: JobFeeder) -> None:
        self.feeder = feeder

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if self.feeder.joining_since is None:
            self.feeder.joining_since = self.feeder.clock()
        self.feeder.commit()
        self.feeder.tracker.drop(revoked)
        for source_id, waiting in list(self.feeder.later.items()):
            kept = [entry for entry in waiting if entry[2] not in revoked]
            self.feeder.later[source_id] = kept
            if not kept:
                del self.feeder.later[source_id]

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.feeder.joining_since = None
        parts = ", ".join(str(tp.partition) for tp in sorted(assigned)) or "none"
        log.info("crawler worker %s took %s partitions: %s",
                 self.feeder.settings.worker.instance_id, Topics.CRAWL_REQUESTS, parts)


class JobFeeder:
    """The consumer loop; ``consumer`` and ``producer`` default to the real Kafka clients."""

    def __init__(self, settings: Settings, engine: EngineLike, report: Report,
                 consumer: KafkaConsumer | None = None,
                 producer: KafkaProducer | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.engine, self.report = settings, engine, report
        self.clock = clock
        self.consumer = consumer if consumer is not None else KafkaConsumer(**kafka_consumer(
            settings, GROUP, "cgtwatch-crawler", max_poll_records=100,
            max_poll_interval_ms=MAX_POLL_INTERVAL_MS))
        if not self.consumer.partitions_for_topic(Topics.CRAWL_REQUESTS):  # fetches metadata
            log.warning("topic %s not found yet; run `cgtwatch setup` if it stays missing",
                        Topics.CRAWL_REQUESTS)
        self.consumer.subscribe([Topics.CRAWL_REQUESTS], listener=_Listener(self))
        self.producer = producer if producer is not None else KafkaProducer(
            **kafka_producer(settings, "cgtwatch-crawler-worker"))
        self.sources = _Sources(settings.paths.sources)
        self.tracker: OffsetTracker[TopicPartition] = OffsetTracker()
        self.done: queue.Queue[JobRun] = queue.Queue()
        self.where: dict[str, tuple[TopicPartition, int]] = {}  # run key -> (tp, offset)
        self.crawling: dict[str, str] = {}  # source id -> run key
        self.later: dict[str, list[tuple[CrawlJob, Source, TopicPartition, int]]] = {}
        self.stopping = threading.Event()
        self.paused = False
        self.joining_since: float | None = clock()  # until the group assigns partitions

    @property
    def joining(self) -> bool:
        return self.joining_since is not None

    def _check_join(self) -> None:
        if self.joining_since is None:
            return
        waited = self.clock() - self.joining_since
        if waited > join_deadline_s(self.settings):
            raise JoinStuckError(f"no {Topics.CRAWL_REQUESTS} partitions assigned after "
                                 f"{waited:.0f} s in a rebalance; restart the worker")

    def take(self, value: bytes, tp: TopicPartition, offset: int) -> None:
        """Start the job at ``offset`` (or settle it at once: bad, unknown or a duplicate)."""
        self.tracker.taken(tp, offset)
        try:
            job = decode(CrawlJob, value)
            source = self.sources.get(job.source_id)
        except (ValueError, KeyError) as exc:
            letter = dead_letter_for("crawler", exc, value, topic=Topics.CRAWL_REQUESTS,
                                     partition=tp.partition, offset=offset)
            self.producer.send(Topics.DEADLETTER, value=letter.encode())
            self.tracker.finished(tp, offset)
            return
        if job.source_id in self.crawling:
            if job.reason == "schedule":  # the crawl under way serves this poll too
                log.info("crawl of %s skipped: already being crawled", job.source_id)
                self.tracker.finished(tp, offset)
            else:  # manual, retry, reconcile: after the crawl under way, with fresh state
                self.later.setdefault(job.source_id, []).append((job, source, tp, offset))
            return
        self._start(job, source, tp, offset)

    def _start(self, job: CrawlJob, source: Source, tp: TopicPartition, offset: int) -> None:
        run = self.engine.new_run(job, source, self.done.put)
        self.where[run.key] = (tp, offset)
        self.crawling[job.source_id] = run.key
        self.engine.submit(run)

    def settle(self, run: JobRun) -> None:
        """A job ended: report it, maybe queue it again, let its offset be committed."""
        tp, offset = self.where.pop(run.key)
        if self.crawling.get(run.source.id) == run.key:
            del self.crawling[run.source.id]
            if self.later.get(run.source.id):
                self._start(*self.later[run.source.id].pop(0))
            if not self.later.get(run.source.id):
                self.later.pop(run.source.id, None)
        stats = run.stats(self.settings.worker.instance_id)
        try:
            self.report(stats)
        except Exception:
            log.exception("reporting the crawl of %s", run.source.id)
        if run.expired and run.job.attempt < MAX_ATTEMPTS:
            retry = run.job.model_copy(update={"attempt": run.job.attempt + 1,
                                               "reason": "retry"})
            self.producer.send(Topics.CRAWL_REQUESTS, key=run.source.id.encode(),
                               value=retry.encode())
            metrics.record_job_queued(retry)
        self.tracker.finished(tp, offset)

    def commit(self) -> None:
        for tp, position in self.tracker.committable().items():
            try:
                self.consumer.commit({tp: OffsetAndMetadata(position, "", -1)})
                self.tracker.committed(tp, position)
            except (CommitFailedError, KafkaError) as exc:  # rebalanced: the owner redoes
                log.warning("commit of %s@%d failed (%s); jobs may run again", tp, position,
                            exc)

    def _drain(self, wait_s: float) -> None:
        try:
            run = self.done.get(timeout=wait_s) if wait_s > 0 else self.done.get_nowait()
            while True:
                self.settle(run)
                run = self.done.get_nowait()
        except queue.Empty:
            return

    def _flow(self) -> None:
        """Pause consumption at the limit of open jobs; resume below it."""
        full = self.tracker.in_flight() >= self.settings.crawler.max_jobs_in_flight
        if full:  # every round: partitions assigned meanwhile start unpaused
            self.consumer.pause(*self.consumer.assignment())
        elif self.paused:
            self.consumer.resume(*self.consumer.assignment())
        self.paused = full

    def step(self, idle_wait_s: float = 0.5) -> int:
        """One round: settle ended jobs, commit, poll and start new jobs; jobs taken."""
        self._drain(0)
        self.commit()
        self._flow()
        self._check_join()
        # joining the group takes polls that wait; once in, fetches go on in the
        # background of polls that return at once
        batch = self.consumer.poll(timeout_ms=200 if self.joining else 0)
        taken = 0
        for tp, records in batch.items():
            for record in records:
                self.take(record.value, tp, record.offset)
                taken += 1
        if not taken and not self.joining:
            # nothing new: wait for a job to end (a broker that answers empty fetches at
            # once, like the local noida-db, would otherwise keep the loop busy)
            self._drain(idle_wait_s)
        return taken

    def run(self) -> None:
        log.info("crawler worker %s waiting for jobs", self.settings.worker.instance_id)
        try:
            while not self.stopping.is_set():
                self.step()
        finally:
            self._drain(0)
            self.commit()
            self.producer.flush(timeout=30)
            self.consumer.close()
