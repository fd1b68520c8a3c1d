"""Crawl messages of the wire contract: jobs (``crawl.requests``), outcomes (``crawl.stats``)
and the durable per-source health document.

Input: JSON through ``config.contracts.wire.decode``. Output: ``CrawlJob``, ``CrawlStats``,
``SourceHealth``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from config.contracts.wire import Message, utcnow


class CrawlJob(Message):
    """Scheduler → crawler workers: crawl one source now."""

    job_id: str
    source_id: str
    requested_at: datetime = Field(default_factory=utcnow)
    reason: Literal["schedule", "manual", "retry"] = "schedule"
    attempt: int = 1


class CrawlStats(Message):
    """Crawler → ``crawl.stats``: the outcome of one crawl of one source."""

    job_id: str
    source_id: str
    worker: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    error: str | None = None
    pages_fetched: int = 0
    list_pages: int = 0
    links_found: int = 0
    articles_published: int = 0
    articles_unchanged: int = 0
    errors: int = 0
    http_status: dict[str, int] = Field(default_factory=dict)
    not_modified: int = 0  # list or article pages answered 304 (conditional GET)
    cause: str = ""  # why, in words: "DNS failure", "HTTP 403", "unchanged (304)", ...
    articles_new: int = 0  # of articles_published, those seen for the first time
    articles_rechecked: int = 0  # known articles fetched again (re-check schedule)


SourceHealthState = Literal["healthy", "unhealthy", "unknown"]


class SourceHealth(Message):
    """Crawler → ``<prefix>-sources`` index (one document per source): durable crawl health."""

    source_id: str
    health: SourceHealthState = "unknown"
    reason: str = ""
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_new_items: int = 0
    new_items_total: int = 0
    last_links_found: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    last_cause: str = ""  # the last crawl's outcome in words (see ``CrawlStats.cause``)
    last_job_id: str = ""
    worker: str = ""
