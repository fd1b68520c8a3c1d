"""A job in the engine ends when its last request and item are done, or at its deadline;
its stats name the outcome's cause; the engine's Scrapy settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.contracts.crawl import CrawlJob
from config.settings import CrawlerSettings, PathSettings, Settings
from config.sources import Source
from crawlers.engine.config import engine_settings
from crawlers.engine.job import JobRun, links_hash

SOURCE = Source(id="gd-sci", name="广东省科学技术厅", kind="government",
                list_urls=["https://gdstc.gd.gov.cn/tzgg/"])


def make_run(done: list[JobRun], deadline_s: float = 60) -> JobRun:
    return JobRun(job=CrawlJob(job_id="job-1", source_id="gd-sci"), source=SOURCE,
                  key="job-1:x", deadline_s=deadline_s, on_done=done.append)


def test_a_job_ends_when_nothing_is_held() -> None:
    done: list[JobRun] = []
    run = make_run(done)
    run.hold()
    run.hold()
    run.release()
    assert done == []
    run.release()
    assert done == [run] and run.closed
    run.finish()
    assert done == [run]  # once


def test_a_job_past_its_deadline_ends_expired() -> None:
    done: list[JobRun] = []
    run = make_run(done, deadline_s=10)
    run.hold()
    assert not run.expire_if_late(run.started + 5)
    assert run.expire_if_late(run.started + 11)
    assert done == [run] and not run.clean
    stats = run.stats("w")
    assert not stats.ok and stats.cause == "job deadline passed"
    assert stats.error == "job deadline passed (10 s)"


def test_stats_of_a_poll_with_new_articles() -> None:
    run = make_run([])
    for key, count in {"list_pages": 2, "links_found": 40, "pages_fetched": 5,
                       "published": 3, "published_new": 2, "articles_known": 36,
                       "articles_unchanged": 1, "articles_rechecked": 1, "status/200": 5,
                       "not_modified": 1}.items():
        run.inc(key, count)
    stats = run.stats("worker-1")
    assert stats.ok and stats.cause == "" and stats.error is None
    assert (stats.articles_published, stats.articles_new, stats.articles_rechecked) == (3, 2, 1)
    assert stats.articles_unchanged == 37 and stats.http_status == {"200": 5}


@pytest.mark.parametrize(("counts", "failures", "ok", "cause"), [
    ({"list_pages": 1, "lists_not_modified": 1, "not_modified": 1}, [], True,
     "unchanged (304)"),
    ({"list_pages": 1, "lists_unchanged": 1, "links_found": 20}, [], True,
     "unchanged (same article links)"),
    ({"list_pages": 1}, [], True, "no article links found"),
    ({}, ["DNS failure"], False, "DNS failure"),
    ({}, ["HTTP 403"], False, "HTTP 403"),
    ({}, ["disallowed by robots.txt"], False, "disallowed by robots.txt"),
])
def test_stats_name_the_cause(counts: dict[str, int], failures: list[str], ok: bool,
                              cause: str) -> None:
    run = make_run([])
    for key, count in counts.items():
        run.inc(key, count)
    run.list_failures.extend(failures)
    stats = run.stats("w")
    assert (stats.ok, stats.cause) == (ok, cause)
    if not ok:
        assert stats.error == f"list page: {cause}" and stats.errors == 1


def test_failed_articles_are_named_in_an_ok_crawl() -> None:
    run = make_run([])
    run.inc("list_pages")
    run.inc("links_found", 3)
    run.article_failures.append("timeout")
    stats = run.stats("w")
    assert stats.ok and stats.cause == "1 article(s) failed: timeout" and stats.errors == 1
    assert not run.clean


def test_links_hash_ignores_order_and_duplicates() -> None:
    assert links_hash(["b", "a", "a"]) == links_hash(["a", "b"]) != links_hash(["a"])


def test_engine_settings(tmp_path: Path) -> None:
    settings = Settings(paths=PathSettings(data_dir=tmp_path),
                        crawler=CrawlerSettings(concurrent_requests_per_domain=1,
                                                download_delay=0.5, concurrent_requests=8))
    s = engine_settings(settings)
    assert s["CGTWATCH_SETTINGS"] is settings
    assert s["ROBOTSTXT_OBEY"] is True and s["AUTOTHROTTLE_ENABLED"] is True
    assert (s["CONCURRENT_REQUESTS"], s["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (8, 1)
    assert s["DOWNLOAD_DELAY"] == 0.5
    assert s["DUPEFILTER_CLASS"] == "scrapy.dupefilters.BaseDupeFilter"
    assert "crawlers.engine.retry.BackoffRetryMiddleware" in s["DOWNLOADER_MIDDLEWARES"]
    assert list(s["ITEM_PIPELINES"]) == ["crawlers.engine.pipelines.RevisionPipeline",
                                         "crawlers.engine.pipelines.KafkaPublishPipeline"]
    assert engine_settings(settings, publish=False)["ITEM_PIPELINES"] == {}
