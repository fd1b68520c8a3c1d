"""The crawler worker's job feeder: offsets committed only for finished prefixes, bounded jobs
in flight, bad jobs dead-lettered, duplicates skipped, expired jobs retried, each crawl
reported and counted. Kafka clients and the engine are recording stand-ins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kafka.structs import OffsetAndMetadata, TopicPartition
from prometheus_client import REGISTRY

from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import CrawlerSettings, PathSettings, Settings, WorkerSettings
from config.sources import Source
from crawlers.engine.job import JobRun
from crawlers.jobs.feeder import MAX_ATTEMPTS, JobFeeder, JoinStuckError, join_deadline_s

TP0 = TopicPartition(Topics.CRAWL_REQUESTS, 0)
SOURCES = ("feed-a", "feed-b", "feed-c", "feed-late")


class Acked:
    def get(self, timeout: float | None = None) -> None:
        return None


@dataclass
class RecordingProducer:
    sent: list[tuple[str, bytes | None, bytes]] = field(default_factory=list)

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"") -> Acked:
        self.sent.append((topic, key, value))
        return Acked()

    def flush(self, timeout: float | None = None) -> None:
        return None


@dataclass
class Record:
    offset: int
    value: bytes


@dataclass
class FakeConsumer:
    queued: list[tuple[TopicPartition, Record]] = field(default_factory=list)
    commits: list[dict[TopicPartition, OffsetAndMetadata]] = field(default_factory=list)
    paused: set[TopicPartition] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    poll_timeouts: list[int] = field(default_factory=list)
    listener: Any = None

    def partitions_for_topic(self, topic: str) -> set[int]:
        self.calls.append(f"partitions_for_topic {topic}")
        return {0, 1, 2}

    def subscribe(self, topics: list[str], listener: object = None) -> None:
        self.calls.append(f"subscribe {','.join(topics)}")
        self.listener = listener

    def assignment(self) -> set[TopicPartition]:
        return {TP0}

    def poll(self, timeout_ms: int = 0) -> dict[TopicPartition, list[Record]]:
        self.poll_timeouts.append(timeout_ms)
        if TP0 in self.paused or not self.queued:
            return {}
        out: dict[TopicPartition, list[Record]] = {}
        for tp, record in self.queued:
            out.setdefault(tp, []).append(record)
        self.queued.clear()
        return out

    def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        self.commits.append(offsets)

    def pause(self, *tps: TopicPartition) -> None:
        self.paused.update(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self.paused.difference_update(tps)

    def close(self) -> None:
        return None


@dataclass
class FakeEngine:
    runs: list[JobRun] = field(default_factory=list)

    def new_run(self, job: CrawlJob, source: Source, on_done: Callable[[JobRun], Any]
                ) -> JobRun:
        return JobRun(job=job, source=source, key=f"{job.job_id}:k", deadline_s=60,
                      on_done=on_done)

    def submit(self, run: JobRun) -> None:
        run.hold()  # as if its list page were being fetched
        self.runs.append(run)


@dataclass
class Rig:
    feeder: JobFeeder
    consumer: FakeConsumer
    producer: RecordingProducer
    engine: FakeEngine
    reported: list[CrawlStats]
    clock: list[float]

    def queue(self, offset: int, source_id: str, attempt: int = 1) -> None:
        job = CrawlJob(job_id=f"job-{offset}", source_id=source_id, attempt=attempt)
        self.consumer.queued.append((TP0, Record(offset, job.encode())))

    def committed(self) -> list[int]:
        return [offsets[TP0].offset for offsets in self.consumer.commits]


@pytest.fixture
def rig(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Rig:
    rows = "".join(f"  - {{id: {s}, name: {s}, kind: government, list_urls: "
                   f"['https://{s}.example.gov.cn/tzgg/']}}\n" for s in SOURCES)
    (tmp_path / "sources.yaml").write_text(f"sources:\n{rows}", encoding="utf-8")
    settings = Settings(paths=PathSettings(sources=tmp_path / "sources.yaml"),
                        worker=WorkerSettings(instance_id="worker-test"),
                        crawler=CrawlerSettings(max_jobs_in_flight=2))
    consumer, producer, engine = FakeConsumer(), RecordingProducer(), FakeEngine()
    reported: list[CrawlStats] = []
    clock = [100.0]
    feeder = JobFeeder(settings, engine, reported.append,
                       consumer, producer, clock=lambda: clock[0])
    return Rig(feeder, consumer, producer, engine, reported, clock)


def finish(run: JobRun, **counts: int) -> None:
    for key, count in counts.items():
        run.inc(key, count)
    run.release()


def test_offsets_are_committed_only_for_the_finished_prefix(rig: Rig) -> None:
    rig.queue(0, "feed-a")
    rig.queue(1, "feed-b")
    rig.feeder.step(idle_wait_s=0)
    first, second = rig.engine.runs
    finish(second, list_pages=1, links_found=3)
    rig.feeder.step(idle_wait_s=0)
    assert rig.committed() == []  # job 0 still open: a crash now redoes both
    finish(first, list_pages=1, links_found=3)
    rig.feeder.step(idle_wait_s=0)
    assert rig.committed() == [2]
    assert [s.source_id for s in rig.reported] == ["feed-b", "feed-a"]
    assert all(s.worker == "worker-test" and s.ok for s in rig.reported)


def test_consumption_pauses_at_the_limit_of_jobs_in_flight(rig: Rig) -> None:
    for offset, source in enumerate(("feed-a", "feed-b")):
        rig.queue(offset, source)
    rig.feeder.step(idle_wait_s=0)
    rig.queue(2, "feed-c")
    rig.feeder.step(idle_wait_s=0)
    assert TP0 in rig.consumer.paused and len(rig.engine.runs) == 2
    finish(rig.engine.runs[0], list_pages=1, links_found=1)
    rig.feeder.step(idle_wait_s=0)
    assert TP0 not in rig.consumer.paused
    rig.feeder.step(idle_wait_s=0)
    assert [r.source.id for r in rig.engine.runs] == ["feed-a", "feed-b", "feed-c"]


def test_bad_and_unknown_jobs_are_dead_lettered_and_committed(rig: Rig) -> None:
    rig.consumer.queued.append((TP0, Record(0, b"not a job")))
    rig.queue(1, "no-such-source")
    rig.feeder.step(idle_wait_s=0)
    rig.feeder.step(idle_wait_s=0)
    assert [topic for topic, _, _ in rig.producer.sent] == [Topics.DEADLETTER] * 2
    assert rig.committed() == [2] and rig.engine.runs == []


def test_a_job_for_a_source_being_crawled_is_skipped(rig: Rig) -> None:
    rig.queue(0, "feed-a")
    rig.queue(1, "feed-a")
    rig.feeder.step(idle_wait_s=0)
    assert len(rig.engine.runs) == 1
    finish(rig.engine.runs[0], list_pages=1, links_found=2)
    rig.feeder.step(idle_wait_s=0)
    assert rig.committed() == [2]


def test_a_manual_job_for_a_source_being_crawled_runs_after_it(rig: Rig) -> None:
    rig.queue(0, "feed-a")
    manual = CrawlJob(job_id="job-1", source_id="feed-a", reason="manual")
    rig.consumer.queued.append((TP0, Record(1, manual.encode())))
    rig.feeder.step(idle_wait_s=0)
    assert len(rig.engine.runs) == 1
    finish(rig.engine.runs[0], list_pages=1, links_found=2)
    rig.feeder.step(idle_wait_s=0)
    assert [r.job.reason for r in rig.engine.runs] == ["schedule", "manual"]
    assert rig.committed() == [1]  # the manual job's offset waits for it
    finish(rig.engine.runs[1], list_pages=1, links_found=2)
    rig.feeder.step(idle_wait_s=0)
    assert rig.committed()[-1] == 2 and rig.feeder.later == {}


def queued_retries(source_id: str) -> float:
    labels = {"source": source_id, "reason": "retry"}
    return REGISTRY.get_sample_value("cgtwatch_crawler_jobs_queued_total", labels) or 0.0


def test_an_expired_job_is_reported_and_queued_again_until_the_last_attempt(rig: Rig) -> None:
    rig.queue(0, "feed-late")
    rig.feeder.step(idle_wait_s=0)
    run = rig.engine.runs[0]
    assert run.expire_if_late(run.started + 61)
    rig.feeder.step(idle_wait_s=0)
    (stats,) = rig.reported
    assert not stats.ok and stats.cause == "job deadline passed"
    (topic, key, value), = rig.producer.sent
    retry = decode(CrawlJob, value)
    assert (topic, key, retry.attempt, retry.reason) == (
        Topics.CRAWL_REQUESTS, b"feed-late", 2, "retry")
    assert queued_retries("feed-late") == 1
    rig.queue(1, "feed-late", attempt=MAX_ATTEMPTS)
    rig.feeder.step(idle_wait_s=0)
    last = rig.engine.runs[1]
    assert last.expire_if_late(last.started + 61)
    rig.feeder.step(idle_wait_s=0)
    assert len(rig.producer.sent) == 1 and rig.committed()[-1] == 2


def test_the_topic_metadata_is_fetched_before_joining_the_group(rig: Rig) -> None:
    # the group leader's first assignment then sees every partition: no metadata rejoin
    assert rig.consumer.calls == [f"partitions_for_topic {Topics.CRAWL_REQUESTS}",
                                  f"subscribe {Topics.CRAWL_REQUESTS}"]


def test_polls_wait_while_joining_and_return_at_once_when_in_the_group(rig: Rig) -> None:
    rig.feeder.step(idle_wait_s=0.5)  # joining: the poll waits, not the idle drain
    rig.consumer.listener.on_partitions_assigned({TP0})
    rig.feeder.step(idle_wait_s=0)
    rig.consumer.listener.on_partitions_revoked({TP0})  # a rebalance
    rig.feeder.step(idle_wait_s=0.5)
    assert rig.consumer.poll_timeouts == [200, 0, 200]


def test_a_rebalance_that_never_hands_out_partitions_stops_the_worker(rig: Rig) -> None:
    rig.consumer.listener.on_partitions_assigned({TP0})
    rig.clock[0] += 3600  # a long, healthy run
    rig.feeder.step(idle_wait_s=0)
    rig.consumer.listener.on_partitions_revoked({TP0})
    rig.clock[0] += join_deadline_s(rig.feeder.settings) - 1
    rig.feeder.step(idle_wait_s=0)  # a slow rebalance is still a rebalance
    rig.clock[0] += 2
    with pytest.raises(JoinStuckError, match=r"no crawl\.requests partitions assigned after 47 s"):
        rig.feeder.step(idle_wait_s=0)


def test_an_assignment_of_no_partitions_ends_the_join(rig: Rig) -> None:
    # more workers than partitions: the extra worker holds nothing and waits, healthy
    rig.consumer.listener.on_partitions_assigned(set())
    rig.clock[0] += 3600
    assert rig.feeder.step(idle_wait_s=0) == 0
