"""Prometheus metrics of the scheduler and crawler workers (definitions and recording calls).

Input: ``CrawlStats`` of finished crawls (recorded by ``crawlers.jobs.report`` in the worker
that ran them: its one engine runs every crawl in-process) and the ``CrawlJob`` values put on
``crawl.requests`` (the scheduler's, and the worker's retries). Output: counters and a
histogram in the process-wide ``prometheus_client`` registry, served on ``/metrics`` by
``cgtwatch.runtime.health``. Names start with ``cgtwatch_crawler_``. Imports only ``config``
(dependency rule).
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram

from config.contracts.crawl import CrawlJob, CrawlStats

DURATION_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)

JOBS_QUEUED = Counter(
    "cgtwatch_crawler_jobs_queued",
    "Crawl jobs queued on crawl.requests, by source and reason (schedule by the scheduler, "
    "retry by a crawler worker after a failed crawl)", ["source", "reason"])
CRAWLS = Counter(
    "cgtwatch_crawler_crawls", "Finished crawls by source and result (ok, failed)",
    ["source", "result"])
PAGES_FETCHED = Counter(
    "cgtwatch_crawler_pages_fetched", "Pages fetched (list and article pages), by source",
    ["source"])
ARTICLES_PUBLISHED = Counter(
    "cgtwatch_crawler_articles_published",
    "New or changed articles published to articles.raw, by source", ["source"])
ARTICLES_UNCHANGED = Counter(
    "cgtwatch_crawler_articles_unchanged",
    "Listed articles not published because the seen-store had them unchanged (dropped by the "
    "revision pipeline, or known and not rechecked), by source", ["source"])
CRAWL_ERRORS = Counter(
    "cgtwatch_crawler_crawl_errors",
    "Errors inside crawls (failed article pages, spider exceptions, logged errors), by source",
    ["source"])
CRAWL_DURATION = Histogram(
    "cgtwatch_crawler_crawl_duration_seconds", "Wall time of one crawl of one source",
    buckets=DURATION_BUCKETS)


def record_job_queued(job: CrawlJob) -> None:
    """Count one job the broker acknowledged on ``crawl.requests``."""
    JOBS_QUEUED.labels(source=job.source_id, reason=job.reason).inc()


log = logging.getLogger(__name__)


def record_crawl(stats: CrawlStats) -> None:
    """Count one finished crawl (successful or not) from its stats, and log it in one line
    (the crawler's log shows every crawl, not only its start)."""
    source = stats.source_id
    log.info("crawl of %s %s: %d links, %d new, %d unchanged%s", source,
             "ok" if stats.ok else "failed", stats.links_found, stats.articles_published,
             stats.articles_unchanged, f" ({stats.error})" if stats.error else "")
    CRAWLS.labels(source=source, result="ok" if stats.ok else "failed").inc()
    PAGES_FETCHED.labels(source=source).inc(stats.pages_fetched)
    ARTICLES_PUBLISHED.labels(source=source).inc(stats.articles_published)
    ARTICLES_UNCHANGED.labels(source=source).inc(stats.articles_unchanged)
    CRAWL_ERRORS.labels(source=source).inc(stats.errors)
    CRAWL_DURATION.observe(max((stats.finished_at - stats.started_at).total_seconds(), 0.0))
