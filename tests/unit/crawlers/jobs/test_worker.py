"""The crawler worker records each crawl's outcome in its own metrics registry.

A crawl runs in a child process whose metrics nobody scrapes, so the long-lived worker counts
it: from the stats line the child printed, or from the failure it reports for a child that
crashed. The Kafka clients and the health reporter are recording stand-ins; each child is a
real process (a tiny Python script in place of ``python -m crawlers.jobs.run``).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from kafka.structs import TopicPartition
from prometheus_client import REGISTRY

from config.contracts import CrawlJob, CrawlStats, Topics, decode, utcnow
from config.settings import PathSettings, Settings, WorkerSettings
from crawlers.jobs.worker import MAX_ATTEMPTS, CrawlWorker

TP = TopicPartition(Topics.CRAWL_REQUESTS, 0)
SOURCES = ("worker-ok", "worker-empty", "worker-crash", "worker-last", "worker-moved",
           "worker-silent")
PRINT_AND_EXIT = "import sys; print('scrapy noise'); print(sys.argv[1]); sys.exit(int(sys.argv[2]))"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Acked:
    def get(self, timeout: float | None = None) -> None:
        return None


@dataclass
class RecordingProducer:
    sent: list[tuple[str, bytes | None, bytes]] = field(default_factory=list)

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"") -> Acked:
        self.sent.append((topic, key, value))
        return Acked()


@dataclass
class FakeConsumer:
    """Owns ``owned`` (empty it to move the partition away); its polls find nothing new."""

    owned: set[TopicPartition] = field(default_factory=lambda: {TP})

    def subscribe(self, topics: list[str], listener: object = None) -> None:
        return None

    def assignment(self) -> set[TopicPartition]:
        return set(self.owned)

    def poll(self, timeout_ms: int = 0) -> dict[TopicPartition, list[object]]:
        time.sleep(0.01)
        return {}

    def pause(self, *partitions: TopicPartition) -> None:
        return None

    def resume(self, *partitions: TopicPartition) -> None:
        return None


@dataclass
class RecordingReporter:
    reported: list[CrawlStats] = field(default_factory=list)

    def __call__(self, settings: Settings, stats: CrawlStats, producer: object) -> None:
        self.reported.append(stats)


@dataclass
class Rig:
    worker: CrawlWorker
    consumer: FakeConsumer
    producer: RecordingProducer
    reporter: RecordingReporter
    commands: list[list[str]]

    def crawl(self, source_id: str, attempt: int = 1) -> bool:
        job = CrawlJob(job_id=f"job-{source_id}", source_id=source_id, attempt=attempt)
        return self.worker.handle(job.encode(), TP)


@pytest.fixture
def rig(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Rig:
    rows = "".join(f"  - {{id: {s}, name: {s}, kind: government, list_urls: "
                   f"['https://{s}.example.gov.cn/tzgg/']}}\n" for s in SOURCES)
    (tmp_path / "sources.yaml").write_text(f"sources:\n{rows}", encoding="utf-8")
    settings = Settings(paths=PathSettings(sources=tmp_path / "sources.yaml"),
                        worker=WorkerSettings(instance_id="worker-test"))
    consumer, producer, reporter = FakeConsumer(), RecordingProducer(), RecordingReporter()
    commands: list[list[str]] = []
    worker = CrawlWorker(settings, consumer, producer, reporter,
                         command=lambda job: commands[-1])
    return Rig(worker, consumer, producer, reporter, commands)


def child_prints(stats: CrawlStats, code: int) -> list[str]:
    return [sys.executable, "-c", PRINT_AND_EXIT, stats.model_dump_json(), str(code)]


def stats(source: str, ok: bool) -> CrawlStats:
    started = utcnow()
    return CrawlStats(job_id=f"job-{source}", source_id=source, worker="worker-test",
                      started_at=started, finished_at=started + timedelta(seconds=42), ok=ok,
                      pages_fetched=9, articles_published=4, articles_unchanged=7, errors=1)


def test_a_finished_crawl_is_counted_from_the_stats_the_child_printed(rig: Rig) -> None:
    duration = value("cgtwatch_crawler_crawl_duration_seconds_sum")
    rig.commands.append(child_prints(stats("worker-ok", ok=True), 0))
    assert rig.crawl("worker-ok")
    assert value("cgtwatch_crawler_crawls_total", source="worker-ok", result="ok") == 1
    assert value("cgtwatch_crawler_pages_fetched_total", source="worker-ok") == 9
    assert value("cgtwatch_crawler_articles_published_total", source="worker-ok") == 4
    assert value("cgtwatch_crawler_articles_unchanged_total", source="worker-ok") == 7
    assert value("cgtwatch_crawler_crawl_errors_total", source="worker-ok") == 1
    assert value("cgtwatch_crawler_crawl_duration_seconds_sum") - duration == 42
    assert rig.reporter.reported == [] and rig.producer.sent == []  # the child reported


def test_a_crawl_with_source_problems_is_counted_failed_and_not_retried(rig: Rig) -> None:
    rig.commands.append(child_prints(stats("worker-empty", ok=False), 3))
    assert rig.crawl("worker-empty")
    assert value("cgtwatch_crawler_crawls_total", source="worker-empty", result="failed") == 1
    assert value("cgtwatch_crawler_crawls_total", source="worker-empty", result="ok") == 0
    assert rig.reporter.reported == [] and rig.producer.sent == []


def test_a_crashed_child_is_counted_reported_and_retried(rig: Rig) -> None:
    rig.commands.append([sys.executable, "-c", "raise RuntimeError('spider blew up')"])
    assert rig.crawl("worker-crash")
    assert value("cgtwatch_crawler_crawls_total", source="worker-crash", result="failed") == 1
    (reported,) = rig.reporter.reported
    assert not reported.ok and "exited 1" in (reported.error or "")
    assert "spider blew up" in (reported.error or "")
    (topic, key, sent), = rig.producer.sent
    retry = decode(CrawlJob, sent)
    assert (topic, key, retry.attempt, retry.reason) == (
        Topics.CRAWL_REQUESTS, b"worker-crash", 2, "retry")
    assert value("cgtwatch_crawler_jobs_queued_total", source="worker-crash",
                 reason="retry") == 1


def test_the_last_attempt_is_counted_but_not_queued_again(rig: Rig) -> None:
    rig.commands.append([sys.executable, "-c", "import sys; sys.exit(9)"])
    assert rig.crawl("worker-last", attempt=MAX_ATTEMPTS)
    assert value("cgtwatch_crawler_crawls_total", source="worker-last", result="failed") == 1
    assert rig.producer.sent == []
    assert value("cgtwatch_crawler_jobs_queued_total", source="worker-last",
                 reason="retry") == 0


def test_a_crawl_stopped_because_its_partition_moved_is_not_counted(rig: Rig) -> None:
    rig.commands.append([sys.executable, "-c", "import time; time.sleep(30)"])
    rig.consumer.owned.clear()  # another worker owns the job now and will redo it
    assert not rig.crawl("worker-moved")
    for result in ("ok", "failed"):
        assert value("cgtwatch_crawler_crawls_total", source="worker-moved", result=result) == 0
    assert rig.reporter.reported == [] and rig.producer.sent == []


def test_a_child_that_printed_no_stats_is_not_counted(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.commands.append([sys.executable, "-c", "print('no stats here')"])
    with caplog.at_level(logging.WARNING, logger="crawlers.jobs.worker"):
        assert rig.crawl("worker-silent")
    assert "without printing its stats" in caplog.text
    assert value("cgtwatch_crawler_crawls_total", source="worker-silent", result="ok") == 0


def test_an_undecodable_job_is_dead_lettered_and_not_counted(rig: Rig) -> None:
    before = value("cgtwatch_crawler_crawl_duration_seconds_count")
    assert rig.worker.handle(b"not a job", TP)
    assert [topic for topic, _, _ in rig.producer.sent] == [Topics.DEADLETTER]
    assert value("cgtwatch_crawler_crawl_duration_seconds_count") == before
