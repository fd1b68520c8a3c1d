"""The engine's one spider: stays open for the life of the process and crawls jobs fed to it.

Input: ``submit(run)`` with a ``JobRun`` (a job and its source), called in the reactor thread.
Output: requests for the job's list pages, feeds and sitemaps, then its new articles and the
re-checks due, as ``FetchedArticle`` items for the pipelines; ``run.on_done`` when the job's
last request and item are finished (``crawlers.engine.tracking``) or its deadline passed.
- ``spider_idle`` raises ``DontCloseSpider``: the spider waits for the next job.
- A list page is fetched with its stored ``ETag``/``Last-Modified`` (304 ends the poll); when
  its article links are the ones of the last clean poll, the poll ends there, no article or
  next page fetched, unless a re-check of one of its articles is due.
- Known articles on the first list page are fetched again (conditional GET) when they reach
  a re-check age (``crawlers.engine.recheck``); next pages are followed only while a page
  still shows new links.
- The seen-store's list-page records are cached in memory (this worker's own writes); a job
  that is not a scheduled one (manual, retry, ``cgtwatch reconcile``) reads them afresh.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from crawlers.engine import tracking
from crawlers.engine.causes import failure_cause
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.job import JobRun, PageState, links_hash
from crawlers.engine.poll_articles import ArticleCallbacks
from crawlers.engine.poll_lists import ListCallbacks
from crawlers.engine.recheck import DEFAULT_AGES_S
from crawlers.state.seen import SeenRecord, SeenStore, page_key

PAGE_CACHE_MAX = 100_000


class PollSpider(ListCallbacks, ArticleCallbacks, scrapy.Spider):
    name = "cgtwatch"

    def __init__(self, seen: SeenStore, max_pages: int = 3, max_articles: int = 200,
                 recheck_ages_s: tuple[float, ...] = DEFAULT_AGES_S, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen, self.max_pages, self.max_articles = seen, max_pages, max_articles
        self.recheck_ages_s = tuple(sorted(recheck_ages_s))
        self.runs: dict[str, JobRun] = {}
        self.pages: dict[str, SeenRecord | None] = {}
        self._deadlines: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PollSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_item_done, signal=signals.item_scraped)
        crawler.signals.connect(spider.on_item_done, signal=signals.item_dropped)
        crawler.signals.connect(spider.on_item_done, signal=signals.item_error)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        assert isinstance(spider, PollSpider)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """No start requests: jobs come through ``submit``."""
        return
        yield  # an async generator

    def on_opened(self) -> None:
        self._deadlines = task.LoopingCall(self.expire_late_runs)
        self._deadlines.start(5.0, now=False)

    def on_closed(self) -> None:
        if self._deadlines is not None and self._deadlines.running:
            self._deadlines.stop()

    def on_idle(self) -> None:
        self.expire_late_runs()
        raise DontCloseSpider

    def expire_late_runs(self) -> None:
        now = time.monotonic()
        for run in list(self.runs.values()):
            run.expire_if_late(now)

    # -- jobs --------------------------------------------------------------------------

    def submit(self, run: JobRun) -> None:
        """Start a job: its entry points go to the engine now (call in the reactor thread)."""
        done = run.on_done

        def finished(ended: JobRun) -> None:
            self.runs.pop(ended.key, None)
            self.store_pages(ended)
            done(ended)

        run.on_done = finished
        self.runs[run.key] = run
        if run.job.reason != "schedule":  # manual, retry, reconcile: the store may have
            for url in (*run.source.list_urls, *run.source.feeds, *run.source.sitemaps):
                self.pages.pop(str(url), None)  # forgotten records the cache still holds
        run.hold()  # until every entry point is queued
        try:
            for request in self.entry_requests(run):
                self.crawler.engine.crawl(tracking.prepare(run, request))
        finally:
            run.release()

    def entry_requests(self, run: JobRun) -> Iterator[scrapy.Request]:
        for url in run.source.list_urls:
            yield self.list_request(str(url), self.parse_list, depth=1)
        for url in run.source.feeds:
            yield self.list_request(str(url), self.parse_feed)
        for url in run.source.sitemaps:
            yield self.list_request(str(url), self.parse_sitemap)

    def on_item_done(self, item: Any, response: Any = None, spider: Any = None,
                     exception: BaseException | None = None, failure: Failure | None = None
                     ) -> None:
        if not isinstance(item, FetchedArticle):
            return
        run = self.runs.get(item.run_key)
        if run is None:
            return
        if isinstance(exception, DropItem):
            run.inc("articles_unchanged")
        elif failure is not None or exception is not None:
            run.article_failures.append(failure_cause(failure or exception))  # type: ignore[arg-type]
        else:
            run.inc("published")
            if item.article.revision == 1:
                run.inc("published_new")
        run.release()

    # -- list-page records -------------------------------------------------------------

    def page(self, url: str) -> SeenRecord | None:
        if url not in self.pages:
            if len(self.pages) >= PAGE_CACHE_MAX:
                self.pages.clear()
            self.pages[url] = self.seen.page_validators(url)
        return self.pages[url]

    def store_pages(self, run: JobRun) -> None:
        """Keep a job's list-page states, only when nothing failed or was cut."""
        if run.clean:
            for state in run.pages:
                self.store_page(state)

    def store_page(self, state: PageState) -> None:
        self.seen.record_page(state.url, state.etag, state.last_modified, state.links_hash,
                              state.next_check)
        self.pages[state.url] = SeenRecord(page_key(state.url), state.url, state.links_hash, 0,
                                           state.etag, state.last_modified,
                                           next_check=state.next_check)

    def page_state(self, response: Response, url: str, urls: list[str],
                   next_check: str) -> PageState:
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        return PageState(url, etag.decode("latin-1") if etag else None,
                         modified.decode("latin-1") if modified else None, links_hash(urls),
                         next_check)
