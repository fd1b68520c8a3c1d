"""The process's one Scrapy engine: a ``PollSpider`` that runs jobs handed to it.

Input: ``Settings``, a seen-store, and jobs (``submit``, callable from any thread). Output:
each job's ``JobRun`` given to its callback (in the reactor thread) when it ended. ``run``
blocks the calling (main) thread in Twisted's reactor until ``stop``; the crawler worker
feeds it from its Kafka thread, ``cgtwatch crawl`` and ``cgtwatch sources preview`` run one
job with ``crawl_once``. ``on_item`` sees every article the pipelines let through (or, with
``publish=False``, every article found).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from config.contracts.articles import RawArticle
from config.contracts.crawl import CrawlJob
from config.settings import Settings
from config.sources import Source
from crawlers.engine.config import engine_settings
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.job import JobRun
from crawlers.engine.poll_spider import PollSpider
from crawlers.state.seen import SeenStore

log = logging.getLogger(__name__)
Done = Callable[[JobRun], Any]


class Engine:
    """One ``CrawlerProcess`` with one never-closing spider."""

    def __init__(self, settings: Settings, seen: SeenStore, publish: bool = True,
                 on_item: Callable[[RawArticle], Any] | None = None) -> None:
        self.settings = settings
        self.process = CrawlerProcess(engine_settings(settings, publish))
        # Scrapy logs each response at DEBUG: our process logging decides, at INFO at least
        logging.getLogger("scrapy").setLevel(max(logging.INFO,
                                                 logging.getLevelName(settings.log_level)))
        self.crawler = self.process.create_crawler(PollSpider)
        self.opened = threading.Event()
        self._waiting: list[JobRun] = []
        self._on_item = on_item
        self.crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        self.crawler.signals.connect(self._item_scraped, signal=signals.item_scraped)
        c = settings.crawler
        self.process.crawl(self.crawler, seen=seen, max_pages=c.max_list_pages,
                           max_articles=c.max_articles_per_crawl,
                           recheck_ages_s=tuple(c.recheck_ages_s))

    @property
    def spider(self) -> PollSpider:
        spider = self.crawler.spider
        assert isinstance(spider, PollSpider)
        return spider

    def _spider_opened(self) -> None:
        self.opened.set()
        for run in self._waiting:
            self.spider.submit(run)
        self._waiting.clear()

    def _item_scraped(self, item: Any) -> None:
        if self._on_item is not None and isinstance(item, FetchedArticle):
            self._on_item(item.article)

    def new_run(self, job: CrawlJob, source: Source, on_done: Done) -> JobRun:
        return JobRun(job=job, source=source, key=f"{job.job_id}:{uuid.uuid4().hex[:8]}",
                      deadline_s=self.settings.crawler.crawl_timeout_s, on_done=on_done)

    def submit(self, run: JobRun) -> None:
        """Start ``run`` (from any thread); it is held until the spider is open."""
        from twisted.internet import reactor

        reactor.callFromThread(self._submit, run)

    def _submit(self, run: JobRun) -> None:
        if self.opened.is_set():
            self.spider.submit(run)
        else:
            self._waiting.append(run)

    def run(self) -> None:
        """Run the reactor in this thread until ``stop`` (signal handlers are the caller's)."""
        self.process.start(stop_after_crawl=True, install_signal_handlers=False)

    def stop(self) -> None:
        """Close the spider and end ``run`` (from any thread)."""
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor

        reactor.callFromThread(lambda: deferred_from_coro(self.crawler.stop_async()))


def crawl_once(settings: Settings, source: Source, seen: SeenStore, job_id: str = "",
               publish: bool = True) -> tuple[JobRun, list[RawArticle]]:
    """Crawl ``source`` once in this process; its run, and the articles published (found)."""
    articles: list[RawArticle] = []
    engine = Engine(settings, seen, publish=publish, on_item=articles.append)
    ended: list[JobRun] = []

    def done(run: JobRun) -> None:
        ended.append(run)
        engine.stop()

    job = CrawlJob(job_id=job_id or uuid.uuid4().hex, source_id=source.id, reason="manual")
    engine.submit(engine.new_run(job, source, done))
    engine.run()
    if not ended:
        raise RuntimeError(f"the crawl of {source.id} ended without a result")
    return ended[0], articles
