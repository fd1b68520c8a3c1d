"""Crawler and scheduler ``/metrics`` on real protocols: jobs queued, crawls by result, pages
and articles, counted by the long-lived services.

The scheduler and a crawler worker run as real services with health ports, against the
fixture sites: ``en-cms`` (four articles, a good crawl) and ``down`` (its list page is a 404,
so the crawl fails). The scheduler queues one job per source at start; the worker's engine
crawls them and records each crawl's stats for its ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.sites.harness import FAST_CRAWL, fixture_sources, write_sources
from bench.sites.server import FixtureServer
from cgtwatch.devstack.localstack import free_port
from tests.integration.conftest import Env, wait_for
from tests.integration.conftest import http_get as get

pytestmark = pytest.mark.integration
SOURCES = ("en-cms", "down")
Samples = list[tuple[str, dict[str, str], float]]


def samples(port: int) -> Samples:
    status, text = get(port, "/metrics")
    assert status == 200
    return [(s.name, s.labels, s.value)
            for family in text_string_to_metric_families(text) for s in family.samples]


def value(found: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(v for n, ls, v in found if n == name and labels.items() <= ls.items())


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    server = FixtureServer().start()
    yield server
    server.stop()


def crawled(port: int) -> bool:
    found = samples(port)
    return all(value(found, "cgtwatch_crawler_crawls_total", source=s) >= 1 for s in SOURCES)


def test_services_count_queued_jobs_and_finished_crawls(
        stack: Env, site: FixtureServer, tmp_path: Path) -> None:
    wanted = [s for s in fixture_sources(site.url) if s["id"] in SOURCES]
    env = {**FAST_CRAWL, "CGTWATCH_PATHS__SOURCES": str(write_sources(
        tmp_path / "sources.yaml", wanted)), "CGTWATCH_CRAWLER__FIRST_RUN_SPREAD_S": "0",
        "NO_PROXY": "127.0.0.1,localhost"}
    ports = {"crawler": free_port(), "scheduler": free_port()}
    for name, port in ports.items():
        stack.start(name, CGTWATCH_HEALTH_PORT=str(port), **env)
        wait_for(lambda p=port: get(p, "/readyz")[0] == 200, 60,  # type: ignore[misc]
                 f"{name} /readyz 200\n{stack.logs()}")

    wait_for(lambda: crawled(ports["crawler"]), 180, f"both sources crawled\n{stack.logs()}")

    scheduler = samples(ports["scheduler"])
    for source in SOURCES:
        assert value(scheduler, "cgtwatch_crawler_jobs_queued_total", source=source,
                     reason="schedule") == 1
    assert value(scheduler, "cgtwatch_crawler_crawls_total") == 0  # crawls happen elsewhere
    crawler = samples(ports["crawler"])
    assert value(crawler, "cgtwatch_crawler_crawls_total", source="en-cms", result="ok") == 1
    assert value(crawler, "cgtwatch_crawler_articles_published_total", source="en-cms") == 4
    assert value(crawler, "cgtwatch_crawler_pages_fetched_total", source="en-cms") >= 5
    assert value(crawler, "cgtwatch_crawler_crawls_total", source="down", result="failed") == 1
    assert value(crawler, "cgtwatch_crawler_crawl_duration_seconds_count") == 2
    assert value(crawler, "cgtwatch_crawler_jobs_queued_total") == 0  # no crash: no retry
