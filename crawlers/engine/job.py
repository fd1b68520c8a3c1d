"""One crawl job inside the long-lived engine: its counts, its open work, how it ended.

Input: a ``CrawlJob`` and its ``Source``; the engine holds the job for each request it sends
(``hold``) and each item it yields, and lets go when the callback or errback ran, or the item
left the pipelines (``release``). Output: when nothing is held any more (or the deadline
passed) the job is done: ``on_done`` gets it, with its counts, the causes of failures and the
list-page states to store (kept only when the crawl was clean, so nothing listed is skipped).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.wire import utcnow
from config.sources import Source
from crawlers.engine.causes import DEADLINE, crawl_outcome


@dataclass(frozen=True, slots=True)
class PageState:
    """What to remember of a list page after a clean crawl: validators, the fingerprint of its
    article links, and when one of them is next due for a re-check (ISO, "" for never)."""

    url: str
    etag: str | None
    last_modified: str | None
    links_hash: str
    next_check: str


@dataclass(eq=False)
class JobRun:
    """A job in flight: ``pending`` counts requests and items not finished yet."""

    job: CrawlJob
    source: Source
    key: str
    deadline_s: float
    on_done: Callable[[JobRun], Any] = lambda run: None
    counts: Counter[str] = field(default_factory=Counter)
    list_failures: list[str] = field(default_factory=list)
    article_failures: list[str] = field(default_factory=list)
    queued: set[str] = field(default_factory=set)  # article ids requested by this job
    pages: list[PageState] = field(default_factory=list)
    started_at: datetime = field(default_factory=utcnow)
    started: float = field(default_factory=time.monotonic)
    pending: int = 0
    closed: bool = False
    expired: bool = False
    truncated: bool = False

    def inc(self, key: str, count: int = 1) -> None:
        self.counts[key] += count

    def hold(self) -> None:
        self.pending += 1

    def release(self) -> None:
        self.pending -= 1
        if self.pending <= 0:
            self.finish()

    def expire_if_late(self, now: float) -> bool:
        """End the job when its deadline passed (requests still running are ignored)."""
        if not self.closed and now - self.started > self.deadline_s:
            self.expired = True
            self.finish()
        return self.expired

    def finish(self) -> None:
        if not self.closed:
            self.closed = True
            self.on_done(self)

    @property
    def clean(self) -> bool:
        """Nothing failed and nothing was cut: the list states may be stored."""
        return not (self.expired or self.truncated or self.list_failures
                    or self.article_failures)

    @property
    def duration_s(self) -> float:
        return time.monotonic() - self.started

    def stats(self, worker: str) -> CrawlStats:
        """The job's ``CrawlStats``: counts, and the outcome with its cause in words."""
        c = self.counts
        outcome = crawl_outcome(c["list_pages"], self.list_failures, c["lists_not_modified"],
                                c["links_found"], c["lists_unchanged"], self.expired)
        errors = len(self.list_failures) + len(self.article_failures)
        error = None if outcome.ok else self._error(outcome.cause)
        if outcome.ok and self.article_failures:
            outcome_cause = f"{len(self.article_failures)} article(s) failed: " \
                            f"{self.article_failures[0]}"
        else:
            outcome_cause = outcome.cause
        return CrawlStats(
            job_id=self.job.job_id, source_id=self.source.id, worker=worker,
            started_at=self.started_at, finished_at=utcnow(), ok=outcome.ok, error=error,
            cause=outcome_cause, pages_fetched=c["pages_fetched"], list_pages=c["list_pages"],
            links_found=c["links_found"], articles_published=c["published"],
            articles_new=c["published_new"],
            articles_unchanged=c["articles_known"] + c["articles_unchanged"],
            articles_rechecked=c["articles_rechecked"], errors=errors,
            http_status={k.split("/", 1)[1]: v for k, v in c.items() if k.startswith("status/")},
            not_modified=c["not_modified"])

    def _error(self, cause: str) -> str:
        if cause == DEADLINE:
            return f"{cause} ({self.deadline_s:.0f} s)"
        return f"list page: {cause}"


def links_hash(urls: list[str]) -> str:
    """Fingerprint of a list page's article links (order ignored): equal means unchanged."""
    import hashlib

    digest = hashlib.sha256("\n".join(sorted(set(urls))).encode("utf-8"))
    return digest.hexdigest()[:32]
