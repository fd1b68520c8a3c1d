"""The scheduler: one ticking job queues a ``CrawlJob`` for each due source; intervals follow
the schedules, adapt to what crawls find within their bounds, with jitter; first runs are
spread; jobs the broker acknowledged are counted."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from kafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY

from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.topics import Topics
from config.settings import Settings
from config.sources import SourcesFile
from crawlers.jobs.scheduler import CrawlPlan, build_scheduler, kafka_publisher

SOURCES = SourcesFile.model_validate({"sources": [
    {"id": "gd-sci", "name": "广东省科学技术厅", "kind": "government",
     "list_urls": ["https://gdstc.gd.gov.cn/tzgg/"], "schedule": {"every": "30m", "jitter_s": 5}},
    {"id": "fda", "name": "FDA", "kind": "regulator", "language": "en",
     "feeds": ["https://www.fda.gov/rss.xml"], "schedule": {"every": "2h", "jitter_s": 0}},
    {"id": "paused", "name": "Paused", "kind": "press", "enabled": False,
     "list_urls": ["https://paused.example/"]},
    {"id": "busy", "name": "Busy", "kind": "press", "list_urls": ["https://busy.example/"],
     "schedule": {"every": "5m", "fastest": "1m", "slowest": "1h", "jitter_s": 0}},
]})


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def plan(spread_s: float = 0.0) -> tuple[CrawlPlan, Clock]:
    clock = Clock()
    return CrawlPlan(SOURCES, spread_s, clock=clock, rng=random.Random(3)), clock


def test_one_ticking_job_queues_every_enabled_source_first() -> None:
    p, _ = plan()
    published: list[list[CrawlJob]] = []
    scheduler = build_scheduler(p, published.append)
    (job,) = scheduler.get_jobs()
    job.func()
    (jobs,) = published
    assert sorted(j.source_id for j in jobs) == ["busy", "fda", "gd-sci"]
    assert all(j.reason == "schedule" and j.attempt == 1 for j in jobs)
    assert len({j.job_id for j in jobs}) == 3
    job.func()
    assert len(published) == 1  # nothing due a second later


def test_first_runs_are_spread_over_the_spread_window() -> None:
    p, clock = plan(spread_s=90.0)
    assert [j.source_id for j in p.take_due()] == ["gd-sci"]
    clock.now += 30
    assert [j.source_id for j in p.take_due()] == ["fda"]
    clock.now += 30
    assert [j.source_id for j in p.take_due()] == ["busy"]


def test_sources_are_due_again_after_their_interval_with_jitter() -> None:
    p, clock = plan()
    p.take_due()
    start = clock.now
    assert p.due.when("fda") == start + 7200
    assert abs((p.due.when("gd-sci") or 0) - (start + 1800)) <= 5
    assert p.due.when("busy") == start + 300
    clock.now += 1800 + 5
    assert sorted(j.source_id for j in p.take_due()) == ["busy", "gd-sci"]


def stats(source_id: str, new: int, at: float) -> CrawlStats:
    when = datetime.fromtimestamp(at, UTC)
    return CrawlStats(job_id="j", source_id=source_id, worker="w", started_at=when,
                      finished_at=when, ok=True, articles_new=new, articles_published=new)


def test_a_busy_source_is_polled_faster_within_its_bounds() -> None:
    p, clock = plan()
    assert p.interval_s("busy") == 300
    for _ in range(20):
        p.take_due()
        p.learned(stats("busy", 3, clock.now))  # three new articles every poll
        clock.now += p.interval_s("busy")
    assert p.interval_s("busy") == 60
    for _ in range(60):
        p.learned(stats("busy", 0, clock.now))
        clock.now += p.interval_s("busy")
    assert p.interval_s("busy") == 3600


def test_a_fixed_schedule_does_not_adapt_and_failures_teach_nothing() -> None:
    p, clock = plan()
    for _ in range(10):
        p.learned(stats("fda", 5, clock.now))
        clock.now += 600
    assert p.interval_s("fda") == 7200
    failed = stats("busy", 9, clock.now).model_copy(update={"ok": False})
    p.learned(failed)
    assert p.cadence["busy"].last_crawl is None


def test_ten_thousand_sources_cost_one_tick() -> None:
    many = SourcesFile.model_validate({"sources": [
        {"id": f"s{i}", "name": f"s{i}", "kind": "press", "list_urls": [f"https://s{i}.example/"],
         "schedule": {"every": "5m", "jitter_s": 30}} for i in range(10_000)]})
    clock = Clock()
    p = CrawlPlan(many, 300.0, clock=clock)
    seen: set[str] = set()
    for _ in range(301):
        seen.update(j.source_id for j in p.take_due())
        clock.now += 1
    assert len(seen) == 10_000 and len(p.due) == 10_000


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
    publish([CrawlJob(job_id="a", source_id="sched-counted"),
             CrawlJob(job_id="b", source_id="sched-counted")])
    assert [(topic, key) for topic, key, _ in producer.sent] == [
        (Topics.CRAWL_REQUESTS, b"sched-counted")] * 2
    assert queued("sched-counted") == 2


def test_a_job_the_broker_did_not_acknowledge_is_not_counted(
        clean_env: pytest.MonkeyPatch) -> None:
    publish = kafka_publisher(Settings(), RecordingProducer(fail_with=KafkaTimeoutError()))
    with pytest.raises(KafkaTimeoutError):
        publish([CrawlJob(job_id="c", source_id="sched-unacked")])
    assert queued("sched-unacked") == 0
