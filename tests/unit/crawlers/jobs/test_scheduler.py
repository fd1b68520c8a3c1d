"""The scheduler has one interval job per enabled source, each queueing a ``CrawlJob``, and
counts the jobs the broker acknowledged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from kafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY

from config.contracts import CrawlJob, Topics
from config.settings import Settings
from config.sources import SourcesFile
from crawlers.jobs.scheduler import build_scheduler, kafka_publisher

SOURCES = SourcesFile.model_validate({"sources": [
    {"id": "gd-sci", "name": "广东省科学技术厅", "kind": "government",
     "list_urls": ["https://gdstc.gd.gov.cn/tzgg/"], "schedule": {"every": "30m", "jitter_s": 5}},
    {"id": "fda", "name": "FDA", "kind": "regulator", "language": "en",
     "feeds": ["https://www.fda.gov/rss.xml"], "schedule": {"every": "2h"}},
    {"id": "paused", "name": "Paused", "kind": "press", "enabled": False,
     "list_urls": ["https://paused.example/"]},
    {"id": "dmu", "name": "大连医科大学", "kind": "university",
     "list_urls": ["https://news.dmu.edu.cn/xxxw.htm"], "schedule": {"every": "1d"}},
]})


def test_one_job_per_enabled_source() -> None:
    scheduler = build_scheduler(SOURCES, lambda job: None)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["dmu", "fda", "gd-sci"]
    assert jobs["gd-sci"].name == "广东省科学技术厅"


def test_intervals_and_jitter_follow_the_schedules() -> None:
    jobs = {job.id: job for job in build_scheduler(SOURCES, lambda job: None).get_jobs()}
    assert jobs["gd-sci"].trigger.interval == timedelta(minutes=30)
    assert jobs["gd-sci"].trigger.jitter == 5
    assert jobs["fda"].trigger.interval == timedelta(hours=2)
    assert jobs["fda"].trigger.jitter == 60
    assert jobs["dmu"].trigger.interval == timedelta(days=1)
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce


def test_each_job_publishes_a_crawl_job_for_its_own_source() -> None:
    published: list[CrawlJob] = []
    for job in build_scheduler(SOURCES, published.append).get_jobs():
        job.func()
    assert sorted(j.source_id for j in published) == ["dmu", "fda", "gd-sci"]
    assert all(j.reason == "schedule" and j.attempt == 1 for j in published)
    assert len({j.job_id for j in published}) == 3


def test_each_run_gets_a_fresh_job_id() -> None:
    published: list[CrawlJob] = []
    job = build_scheduler(SOURCES, published.append).get_job("fda")
    job.func()
    job.func()
    assert published[0].job_id != published[1].job_id


def test_first_runs_are_spread_over_the_spread_window() -> None:
    jobs = build_scheduler(SOURCES, lambda job: None, spread_s=90.0).get_jobs()
    first = {job.id: job.next_run_time for job in jobs}
    start = first["gd-sci"]
    assert first["fda"] - start == timedelta(seconds=30)
    assert first["dmu"] - start == timedelta(seconds=60)


def test_no_enabled_sources_means_no_jobs() -> None:
    nothing = SourcesFile.model_validate({"sources": []})
    assert build_scheduler(nothing, lambda job: None).get_jobs() == []


class Acked:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def get(self, timeout: float | None = None) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class RecordingProducer:
    """Stands in for ``KafkaProducer``; ``fail_with`` makes the broker's ack fail."""

    fail_with: Exception | None = None
    sent: list[tuple[str, bytes | None, bytes]] = field(default_factory=list)

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"") -> Acked:
        self.sent.append((topic, key, value))
        return Acked(self.fail_with)


def queued(source_id: str) -> float:
    labels = {"source": source_id, "reason": "schedule"}
    return REGISTRY.get_sample_value("cgtwatch_crawler_jobs_queued_total", labels) or 0.0


def test_published_jobs_are_counted_once_the_broker_acknowledged_them(
        clean_env: pytest.MonkeyPatch) -> None:
    producer = RecordingProducer()
    publish = kafka_publisher(Settings(), producer)
    publish(CrawlJob(job_id="a", source_id="sched-counted"))
    publish(CrawlJob(job_id="b", source_id="sched-counted"))
    assert [(topic, key) for topic, key, _ in producer.sent] == [
        (Topics.CRAWL_REQUESTS, b"sched-counted")] * 2
    assert queued("sched-counted") == 2


def test_a_job_the_broker_did_not_acknowledge_is_not_counted(
        clean_env: pytest.MonkeyPatch) -> None:
    publish = kafka_publisher(Settings(), RecordingProducer(fail_with=KafkaTimeoutError()))
    with pytest.raises(KafkaTimeoutError):
        publish(CrawlJob(job_id="c", source_id="sched-unacked"))
    assert queued("sched-unacked") == 0
