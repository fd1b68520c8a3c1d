"""Run one crawl of one source in this process (crawler workers start it as a child process).

Input: ``Settings`` (from ``CGTWATCH_*`` environment variables), a ``Source`` and a job id.
Output: a ``CrawlStats`` summarising the crawl, published to ``crawl.stats``; the source's
health document updated (``crawlers.state.health_store``); the stats printed as the last stdout
line. Usage: ``python -m crawlers.jobs.run SOURCE_ID [--job-id ID]``.

Politeness is Scrapy's own machinery, configured from ``CrawlerSettings``: robots.txt,
AutoThrottle, per-domain concurrency, timeouts, retries (with backoff, ``crawlers.engine.retry``),
a redirect limit, a maximum response size and a descriptive User-Agent.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess

from config.contracts import CrawlStats, utcnow
from config.settings import BadSettingsError, Settings
from config.sources import Source, load_sources
from crawlers.engine.spider import GenericSpider
from crawlers.state.health_store import report_crawl
from crawlers.state.seen_es import open_seen_store

EXIT_CRAWL_FAILED = 3  # the crawl ran and published its stats, but the source had problems
_RETRY = "scrapy.downloadermiddlewares.retry.RetryMiddleware"


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    c = settings.crawler
    return {
        "CGTWATCH_SETTINGS": settings,
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "DOWNLOAD_TIMEOUT": c.download_timeout,
        "DOWNLOAD_MAXSIZE": c.download_maxsize,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": c.retry_times,
        "CGTWATCH_RETRY_BACKOFF": c.retry_backoff_s,
        "CGTWATCH_RETRY_BACKOFF_MAX": c.retry_backoff_max_s,
        "DOWNLOADER_MIDDLEWARES": {_RETRY: None,
                                   "crawlers.engine.retry.BackoffRetryMiddleware": 550},
        "REDIRECT_MAX_TIMES": c.redirect_max_times,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": c.autothrottle_start_delay,
        "CLOSESPIDER_TIMEOUT": c.crawl_timeout_s,
        "ITEM_PIPELINES": {"crawlers.engine.pipelines.RevisionPipeline": 100,
                           "crawlers.engine.pipelines.KafkaPublishPipeline": 900},
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": settings.log_level,
        "HTTPCACHE_ENABLED": False,
        "LOG_INSTALL_ROOT_HANDLER": True,
    }


def stats_from_scrapy(raw: dict[str, Any], source: Source, job_id: str, worker: str,
                      started: datetime) -> CrawlStats:
    """Translate Scrapy's stats dict into the wire ``CrawlStats``."""
    statuses = {k.rsplit("/", 1)[1]: int(v) for k, v in raw.items()
                if k.startswith("downloader/response_status_count/")}
    errors = (int(raw.get("log_count/ERROR", 0)) + int(raw.get("spider_exceptions/count", 0))
              + int(raw.get("cgtwatch/article_failures", 0)))
    list_pages = int(raw.get("cgtwatch/list_pages", 0))
    ok = list_pages > 0 and raw.get("finish_reason") == "finished"
    return CrawlStats(
        job_id=job_id, source_id=source.id, worker=worker, started_at=started,
        finished_at=utcnow(), ok=ok,
        error=None if ok else f"finish_reason={raw.get('finish_reason')}, lists={list_pages}",
        pages_fetched=int(raw.get("downloader/response_count", 0)), list_pages=list_pages,
        links_found=int(raw.get("cgtwatch/links_found", 0)),
        articles_published=int(raw.get("item_scraped_count", 0)),
        articles_unchanged=int(raw.get("item_dropped_count", 0))
        + int(raw.get("cgtwatch/articles_known", 0)),
        errors=errors, http_status=statuses,
        not_modified=int(raw.get("cgtwatch/not_modified", 0)))


def run_crawl(settings: Settings, source: Source, job_id: str) -> CrawlStats:
    """Crawl ``source`` once (blocking; Twisted's reactor can run once per process)."""
    started = utcnow()
    seen = open_seen_store(settings)
    try:
        process = CrawlerProcess(scrapy_settings(settings))
        crawler = process.create_crawler(GenericSpider)
        c = settings.crawler
        process.crawl(crawler, source=source, seen=seen, max_pages=c.max_list_pages,
                      max_articles=c.max_articles_per_crawl,
                      recheck_within_days=c.recheck_within_days,
                      recheck_max=c.recheck_max_per_crawl)
        process.start()
        assert crawler.stats is not None
        return stats_from_scrapy(crawler.stats.get_stats(), source, job_id,
                                 settings.worker.instance_id, started)
    finally:
        seen.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl one source once.")
    parser.add_argument("source_id")
    parser.add_argument("--job-id", default="")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except BadSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    source = load_sources(settings.paths.sources).get(args.source_id)
    stats = run_crawl(settings, source, args.job_id or uuid.uuid4().hex)
    report_crawl(settings, stats)
    print(stats.model_dump_json(), flush=True)
    return 0 if stats.ok else EXIT_CRAWL_FAILED


if __name__ == "__main__":
    sys.exit(main())
