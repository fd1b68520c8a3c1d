"""Crawler metrics: crawls, pages and articles per source, from a crawl's stats; queued jobs
by source and reason."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY

from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.wire import utcnow
from crawlers.jobs import metrics


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def stats(source: str, ok: bool = True) -> CrawlStats:
    started = utcnow()
    return CrawlStats(job_id="j", source_id=source, worker="w", started_at=started,
                      finished_at=started + timedelta(seconds=12), ok=ok, pages_fetched=7,
                      articles_published=3, articles_unchanged=5, errors=2)


def test_a_crawl_is_recorded_from_its_stats() -> None:
    duration = value("cgtwatch_crawler_crawl_duration_seconds_sum")
    metrics.record_crawl(stats("metrics-a"))
    assert value("cgtwatch_crawler_crawls_total", source="metrics-a", result="ok") == 1
    assert value("cgtwatch_crawler_pages_fetched_total", source="metrics-a") == 7
    assert value("cgtwatch_crawler_articles_published_total", source="metrics-a") == 3
    assert value("cgtwatch_crawler_articles_unchanged_total", source="metrics-a") == 5
    assert value("cgtwatch_crawler_crawl_errors_total", source="metrics-a") == 2
    assert value("cgtwatch_crawler_crawl_duration_seconds_sum") - duration == 12


def test_failed_crawls_and_queued_jobs() -> None:
    metrics.record_crawl(stats("metrics-b", ok=False))
    metrics.record_job_queued(CrawlJob(job_id="j1", source_id="metrics-b"))
    metrics.record_job_queued(CrawlJob(job_id="j2", source_id="metrics-b", reason="retry"))
    assert value("cgtwatch_crawler_crawls_total", source="metrics-b", result="failed") == 1
    assert value("cgtwatch_crawler_jobs_queued_total", source="metrics-b", reason="schedule") == 1
    assert value("cgtwatch_crawler_jobs_queued_total", source="metrics-b", reason="retry") == 1
