"""Scale-out: two crawler workers share the sources, and a job whose worker dies mid-crawl
is redone, not lost.

The first two run on both Kafka backends (noida-db, the embedded default, and a real Apache
Kafka broker), with static membership as in production: two static kafka-python members split
the partitions, and a killed worker's jobs are redone by its replacement (same static member id,
as a restarted pod or container). The failover to the *other* worker, whose dead member must
be evicted, runs on real Kafka only: noida-db's coordinator never evicts a dead member, while
Kafka evicts a static member after its session timeout (6 s). Topics are created by
``cgtwatch.runtime.bootstrap.setup_all``. The workers are real ``cgtwatch crawler``
processes, each with its one long-lived engine.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaProducer

from bench.sites.harness import FAST_CRAWL, fixture_sources, read_topic, write_sources
from bench.sites.server import FixtureServer
from cgtwatch.devstack.localstack import LocalStack, free_port
from cgtwatch.devstack.supervisor import Supervisor
from cgtwatch.runtime.bootstrap import setup_all
from config.clients import kafka_producer
from config.contracts.articles import RawArticle
from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from tests.integration.conftest import (
    both_kafka_backends,
    kafka_env,
    real_kafka_only,
    wait_for,
)

pytestmark = pytest.mark.integration
SOURCES = ["trs", "hanweb", "en-cms", "rss", "sitemap", "gen"]  # partitions 1,1,2,2,1,0 of 3


@dataclass
class Cluster:
    settings: Settings
    env: dict[str, str]
    site: FixtureServer
    data_dir: Path
    backend: str | None  # None: noida-db

    def worker(self, name: str, **overrides: str) -> Supervisor:
        env = {**self.env, "CGTWATCH_WORKER__INSTANCE_ID": name,
               "CGTWATCH_CRAWLER__USER_AGENT": f"cgtwatch-test ({name})", **overrides}
        supervisor = Supervisor(["crawler"], env, self.data_dir / f"logs-{name}")
        supervisor.start_all()
        return supervisor

    def queue(self, *source_ids: str) -> None:
        producer = KafkaProducer(**kafka_producer(self.settings, "test-scheduler"))
        for sid in source_ids:
            job = CrawlJob(job_id=f"job-{sid}", source_id=sid, reason="manual")
            producer.send(Topics.CRAWL_REQUESTS, key=sid.encode(), value=job.encode())
        producer.flush(timeout=30)
        producer.close()

    def stats(self) -> list[CrawlStats]:
        return [decode(CrawlStats, v) for _, v in read_topic(self.settings, Topics.CRAWL_STATS)]

    def partitions(self, name: str) -> str | None:
        """The crawl.requests partitions worker ``name`` last said it took ("none": none)."""
        took = [line.rsplit(": ", 1)[1].strip()
                for path in sorted(self.data_dir.glob(f"logs-{name}/*.log"))
                for line in path.read_text("utf-8", "replace").splitlines()
                if f"crawler worker {name} took" in line]
        return took[-1] if took else None

    def wait_for_shares(self, *names: str) -> None:
        """Until every worker named holds a share of the partitions (the group settled)."""
        def settled() -> bool:
            shares = [self.partitions(name) for name in names]
            return all(share not in (None, "none") for share in shares)

        wait_for(settled, 90, f"each worker holding partitions\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace")[-6000:]
                         for p in sorted(self.data_dir.glob("logs-*/*.log")))


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            kafka_backend: str | None) -> Iterator[Cluster]:
    """Kafka on noida-db (default) or real Kafka (``kafka_backend``); the fixture site."""
    site = FixtureServer().start()
    sources = write_sources(tmp_path / "sources.yaml", fixture_sources(site.url))
    env = {**FAST_CRAWL, **kafka_env(kafka_backend, free_port()),
           "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
           "CGTWATCH_PATHS__DATA_DIR": str(tmp_path / "data"),
           "CGTWATCH_PATHS__SOURCES": str(sources), "NO_PROXY": "127.0.0.1,localhost"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    local = LocalStack(settings)  # with real Kafka configured this starts Elasticsearch only
    try:
        local.start()
        setup_all(settings)
        yield Cluster(settings, env, site, tmp_path / "data", kafka_backend)
    finally:
        local.stop()
        site.stop()


def stop(*supervisors: Supervisor) -> None:
    for supervisor in supervisors:
        supervisor.stop_all(grace_s=10)


@both_kafka_backends
def test_two_workers_split_the_sources(cluster: Cluster) -> None:
    one, two = cluster.worker("w1"), cluster.worker("w2")
    try:
        cluster.wait_for_shares("w1", "w2")
        cluster.queue(*SOURCES)
        wait_for(lambda: {s.source_id for s in cluster.stats()} >= set(SOURCES), 240,
                 f"a crawl of every source\n{cluster.logs()}")
    finally:
        stop(one, two)
    stats = cluster.stats()
    assert all(s.ok for s in stats), stats
    assert {s.worker for s in stats} == {"w1", "w2"}  # both took a share
    by_source = {s.source_id: s.worker for s in stats}
    assert len(by_source) == len(SOURCES)
    raw = {decode(RawArticle, v).source_id for _, v in read_topic(cluster.settings, Topics.RAW)}
    assert raw == set(SOURCES)


@both_kafka_backends
def test_job_of_a_killed_worker_is_redone_by_its_replacement(cluster: Cluster) -> None:
    cluster.site.delay_s = 0.4  # a crawl of "gen" now takes several seconds
    # real Kafka evicts a static member whose session times out: give the replacement
    # (a restart and a cold start) time to rejoin under its old id, as a restarted pod does
    slow = {} if cluster.backend is None else {"CGTWATCH_KAFKA__SESSION_TIMEOUT_MS": "30000"}
    workers = {name: cluster.worker(name, **slow) for name in ("w1", "w2")}
    try:
        cluster.wait_for_shares("w1", "w2")
        owner = kill_the_worker_crawling_gen(cluster, workers, 60)
        wait_for(lambda: bool(workers[owner].poll()), 30, "the supervisor restarting it")
        wait_for(lambda: any(s.source_id == "gen" for s in cluster.stats()), 120,
                 f"gen crawled after the kill\n{cluster.logs()}")
    finally:
        stop(*workers.values())
    done = [s for s in cluster.stats() if s.source_id == "gen"]
    assert done and done[0].worker == owner, done  # redone by the owner's replacement
    # at-least-once: a rebalance between the crawl and its offset commit (the replacement
    # rejoining the group) can hand the job out again; that run finds the list unchanged
    # and publishes nothing
    assert all(s.ok and s.worker == owner for s in done), done
    assert all(s.articles_published == 0 for s in done[1:]), done
    raw = [decode(RawArticle, v) for _, v in read_topic(cluster.settings, Topics.RAW)]
    assert {a.source_id for a in raw} == {"gen"} and len({a.article_id for a in raw}) == 20


EXPECTED = {"trs": 7, "hanweb": 8, "en-cms": 4, "rss": 3, "sitemap": 2, "gen": 20}


def test_a_worker_killed_with_jobs_in_flight_redoes_them_all_once(cluster: Cluster) -> None:
    cluster.site.delay_s = 0.4  # every page takes 0.4 s: the six jobs run for seconds
    worker = cluster.worker("w1")
    wait_for(lambda: "waiting for jobs" in cluster.logs(), 60, "the worker up")
    try:
        cluster.queue(*SOURCES)
        started = ("/trs/", "/col/", "/en/", "/feed/", "/sitemap", "/gen/")
        wait_for(lambda: sum(bool(cluster.site.requested(p)) for p in started) >= 4, 60,
                 f"jobs in flight\n{cluster.logs()}")
        process = worker.children["crawler"].process
        assert process is not None
        os.killpg(process.pid, signal.SIGKILL)  # jobs in flight die with it
        cluster.site.delay_s = 0.0
        wait_for(lambda: bool(worker.poll()), 30, "the supervisor restarting it")
        wait_for(lambda: {s.source_id for s in cluster.stats() if s.ok} >= set(SOURCES), 180,
                 f"every job redone\n{cluster.logs()}")
    finally:
        stop(worker)
    raw = [decode(RawArticle, v) for _, v in read_topic(cluster.settings, Topics.RAW)]
    by_source: dict[str, set[str]] = {}
    for article in raw:
        by_source.setdefault(article.source_id, set()).add(article.article_id)
    assert {sid: len(ids) for sid, ids in by_source.items()} == EXPECTED  # nothing lost
    pairs = [(a.article_id, a.revision) for a in raw]
    assert len(pairs) == len(set(pairs))  # nothing published twice
    # six sources on one host, many jobs at once: the host's downloader slot still allows
    # at most CONCURRENT_REQUESTS_PER_DOMAIN (2) requests at a time
    assert cluster.site.max_in_flight <= 2


def kill_the_worker_crawling_gen(cluster: Cluster, workers: dict[str, Supervisor],
                                 within_s: float) -> str:
    """Queue a slow crawl of "gen", SIGKILL the worker running it (as a dying container takes
    it, with its jobs in flight) and let the site answer at full speed again; its name."""
    cluster.queue("gen")
    owner: list[str] = []

    def crawling() -> bool:
        name = crawling_worker(cluster, "/gen/")
        owner[:] = [name] if name else []
        return bool(owner)

    wait_for(crawling, within_s, f"a worker crawling gen\n{cluster.logs()}")
    process = workers[owner[0]].children["crawler"].process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    cluster.site.delay_s = 0.0
    return owner[0]


def crawling_worker(cluster: Cluster, path_part: str) -> str | None:
    """Name of the worker that fetched ``path_part`` (each sends its name in its User-Agent)."""
    for hit in cluster.site.requested(path_part):
        agent = hit.headers.get("User-Agent", "")
        if agent.startswith("cgtwatch-test ("):
            return agent.split("(", 1)[1].rstrip(")")
    return None


@real_kafka_only
def test_job_of_a_dead_worker_is_redone_by_the_other(cluster: Cluster) -> None:
    cluster.site.delay_s = 0.4  # a crawl of "gen" now takes several seconds
    workers = {"w1": cluster.worker("w1"), "w2": cluster.worker("w2")}
    try:
        cluster.wait_for_shares("w1", "w2")
        dead = kill_the_worker_crawling_gen(cluster, workers, 90)
        survivor, killed_at = ({"w1", "w2"} - {dead}).pop(), time.monotonic()
        wait_for(lambda: any(s.source_id == "gen" and s.ok for s in cluster.stats()), 120,
                 f"gen crawled after the kill\n{cluster.logs()}")
    finally:
        stop(*workers.values())
    done = [s for s in cluster.stats() if s.source_id == "gen"]
    assert [s.worker for s in done if s.ok] == [survivor], done
    assert not any(s.worker == dead for s in done)  # the dead worker never finished it
    assert time.monotonic() - killed_at < 120
    raw = [decode(RawArticle, v) for _, v in read_topic(cluster.settings, Topics.RAW)]
    assert {a.source_id for a in raw} == {"gen"} and len({a.article_id for a in raw}) == 20
