"""Translating Scrapy's stats into the wire ``CrawlStats``, and the crawler's Scrapy settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.settings import CrawlerSettings, PathSettings, Settings, WorkerSettings
from config.sources import Source
from crawlers.jobs.run import scrapy_settings, stats_from_scrapy

SOURCE = Source(id="gd-sci", name="广东省科学技术厅", kind="government",
                list_urls=["https://gdstc.gd.gov.cn/tzgg/"])
STARTED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)

FINISHED = {
    "finish_reason": "finished",
    "downloader/response_count": 9,
    "downloader/response_status_count/200": 8,
    "downloader/response_status_count/404": 1,
    "cgtwatch/list_pages": 2,
    "cgtwatch/links_found": 12,
    "cgtwatch/articles_known": 5,
    "item_scraped_count": 4,
    "item_dropped_count": 2,
    "log_count/ERROR": 1,
    "spider_exceptions/count": 1,
    "log_count/INFO": 30,
}


def test_successful_crawl() -> None:
    stats = stats_from_scrapy(FINISHED, SOURCE, "job-1", "worker-1", STARTED)
    assert stats.ok and stats.error is None
    assert (stats.job_id, stats.source_id, stats.worker) == ("job-1", "gd-sci", "worker-1")
    assert stats.started_at == STARTED and stats.finished_at >= STARTED
    assert stats.pages_fetched == 9
    assert stats.list_pages == 2
    assert stats.links_found == 12
    assert stats.articles_published == 4
    assert stats.articles_unchanged == 2 + 5  # dropped by the pipeline + skipped as known
    assert stats.errors == 2
    assert stats.http_status == {"200": 8, "404": 1}


def test_crawl_without_any_list_page_is_not_ok() -> None:
    raw = {**FINISHED, "cgtwatch/list_pages": 0}
    stats = stats_from_scrapy(raw, SOURCE, "job-1", "w", STARTED)
    assert not stats.ok
    assert stats.error == "finish_reason=finished, lists=0"


def test_crawl_that_did_not_finish_is_not_ok() -> None:
    stats = stats_from_scrapy({**FINISHED, "finish_reason": "closespider_timeout"}, SOURCE,
                              "job-1", "w", STARTED)
    assert not stats.ok
    assert "closespider_timeout" in (stats.error or "")


def test_empty_stats() -> None:
    stats = stats_from_scrapy({}, SOURCE, "job-1", "w", STARTED)
    assert not stats.ok
    assert (stats.pages_fetched, stats.articles_published, stats.errors) == (0, 0, 0)
    assert stats.http_status == {}


def test_scrapy_settings_follow_crawler_settings(clean_env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    settings = Settings(paths=PathSettings(data_dir=tmp_path),
                        crawler=CrawlerSettings(obey_robots=False, retry_times=5,
                                                crawl_timeout_s=120),
                        worker=WorkerSettings(instance_id="w1"))
    opts = scrapy_settings(settings)
    assert opts["CGTWATCH_SETTINGS"] is settings
    assert opts["ROBOTSTXT_OBEY"] is False
    assert opts["RETRY_TIMES"] == 5
    assert opts["CLOSESPIDER_TIMEOUT"] == 120
    pipelines = opts["ITEM_PIPELINES"]
    assert pipelines["crawlers.engine.pipelines.RevisionPipeline"] < pipelines[
        "crawlers.engine.pipelines.KafkaPublishPipeline"]


def test_politeness_settings_come_from_crawler_settings(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings(crawler=CrawlerSettings(
        user_agent="bot/1 (+https://x.org)", concurrent_requests_per_domain=1,
        download_timeout=3.0, download_maxsize=1000, redirect_max_times=2,
        retry_backoff_s=0.5, retry_backoff_max_s=4.0, autothrottle=True))
    opts = scrapy_settings(settings)
    assert opts["USER_AGENT"] == "bot/1 (+https://x.org)"
    assert opts["ROBOTSTXT_OBEY"] is True  # the default
    assert (opts["CONCURRENT_REQUESTS_PER_DOMAIN"], opts["DOWNLOAD_TIMEOUT"]) == (1, 3.0)
    assert (opts["DOWNLOAD_MAXSIZE"], opts["REDIRECT_MAX_TIMES"]) == (1000, 2)
    assert opts["AUTOTHROTTLE_ENABLED"] is True
    assert (opts["CGTWATCH_RETRY_BACKOFF"], opts["CGTWATCH_RETRY_BACKOFF_MAX"]) == (0.5, 4.0)
    middlewares = opts["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["crawlers.engine.retry.BackoffRetryMiddleware"] == 550


def test_not_modified_pages_are_reported() -> None:
    stats = stats_from_scrapy({**FINISHED, "cgtwatch/not_modified": 3,
                               "cgtwatch/article_failures": 2}, SOURCE, "j", "w", STARTED)
    assert stats.not_modified == 3
    assert stats.errors == 4
