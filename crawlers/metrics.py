"""Prometheus metrics of the scheduler and crawler workers (definitions and recording calls).

Input: ``CrawlStats`` of finished crawls (in the worker process: each crawl runs in a child
process, which prints its stats as the last line of its stdout) and queued crawl jobs.
Output: counters and a histogram in the process-wide ``prometheus_client`` registry, served on
``/metrics`` by ``cgtwatch.health``. Names start with ``cgtwatch_crawler_``. Imports only
``config`` (dependency rule).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from config.contracts import CrawlStats, decode

DURATION_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)

JOBS_QUEUED = Counter(
    "cgtwatch_crawler_jobs_queued", "Crawl jobs the scheduler queued, by source", ["source"])
CRAWLS = Counter(
    "cgtwatch_crawler_crawls", "Finished crawls by source and result (ok, failed)",
    ["source", "result"])
PAGES_FETCHED = Counter(
    "cgtwatch_crawler_pages_fetched", "Pages fetched (list and article pages), by source",
    ["source"])
ARTICLES_PUBLISHED = Counter(
    "cgtwatch_crawler_articles_published",
    "New or changed articles published to articles.raw, by source", ["source"])
CRAWL_DURATION = Histogram(
    "cgtwatch_crawler_crawl_duration_seconds", "Wall time of one crawl of one source",
    buckets=DURATION_BUCKETS)


def record_job_queued(source_id: str) -> None:
    JOBS_QUEUED.labels(source=source_id).inc()


def record_crawl(stats: CrawlStats) -> None:
    """Count one finished crawl (successful or not) from its stats."""
    source = stats.source_id
    CRAWLS.labels(source=source, result="ok" if stats.ok else "failed").inc()
    PAGES_FETCHED.labels(source=source).inc(stats.pages_fetched)
    ARTICLES_PUBLISHED.labels(source=source).inc(stats.articles_published)
    CRAWL_DURATION.observe(max((stats.finished_at - stats.started_at).total_seconds(), 0.0))


def record_crawl_output(stdout: str | bytes | None) -> bool:
    """Record the stats a crawl child printed as its last stdout line (``crawlers.run``).
    Returns False, recording nothing, when there are none (the child crashed)."""
    text = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout or ""
    lines = text.strip().splitlines()
    try:
        stats = decode(CrawlStats, lines[-1])
    except (IndexError, ValueError):
        return False
    record_crawl(stats)
    return True
