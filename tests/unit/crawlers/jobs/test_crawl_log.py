"""Every finished crawl is one line in the crawler's log (it used to say only "waiting for
jobs" while crawls ran)."""

from __future__ import annotations

import logging

import pytest

from config.contracts.crawl import CrawlStats
from config.contracts.wire import utcnow
from crawlers.jobs.metrics import record_crawl


def test_each_finished_crawl_is_logged_with_its_outcome(caplog: pytest.LogCaptureFixture) -> None:
    now = utcnow()
    with caplog.at_level(logging.INFO, logger="crawlers.jobs.metrics"):
        record_crawl(CrawlStats(job_id="j1", source_id="log-a", worker="w", started_at=now,
                                finished_at=now, ok=True, links_found=5, articles_published=2,
                                articles_unchanged=3))
        record_crawl(CrawlStats(job_id="j2", source_id="log-b", worker="w", started_at=now,
                                finished_at=now, ok=False, error="HTTP 404 on the list page"))
    assert [r.getMessage() for r in caplog.records] == [
        "crawl of log-a ok: 5 links, 2 new, 3 unchanged",
        "crawl of log-b failed: 0 links, 0 new, 0 unchanged (HTTP 404 on the list page)"]
