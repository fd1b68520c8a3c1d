"""Helpers of the engine spider's unit tests: a ``PollSpider`` on a Scrapy test crawler with
one job registered, and responses to requests of that job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from config.contracts.crawl import CrawlJob
from config.sources import Source
from crawlers.engine.job import JobRun
from crawlers.engine.poll_spider import PollSpider
from crawlers.engine.tracking import RUN_KEY
from crawlers.state.seen import SeenStore


def make_spider(seen: SeenStore, source: Source, **kwargs: Any) -> tuple[PollSpider, JobRun]:
    """A spider and one open job of ``source`` (its ``done`` list is ``run.on_done``'s)."""
    spider = PollSpider.from_crawler(get_crawler(PollSpider), seen=seen, **kwargs)
    done: list[JobRun] = []
    run = JobRun(job=CrawlJob(job_id="job-1", source_id=source.id), source=source,
                 key="job-1:t", deadline_s=60, on_done=done.append)
    spider.runs[run.key] = run
    run.hold()  # the test holds the job open, as a pending request would
    return spider, run


def response(url: str, body: bytes, run: JobRun | None = None, status: int = 200,
             content_type: str = "text/html", cls: type[TextResponse] = HtmlResponse,
             **headers: str) -> TextResponse:
    request = Request(url, meta={RUN_KEY: run.key} if run is not None else {})
    return cls(url=url, body=body, status=status, request=request,
               headers={"Content-Type": content_type, **headers})


def requests(results: Iterator[Any]) -> list[scrapy.Request]:
    out = list(results)
    assert all(isinstance(r, scrapy.Request) for r in out), out
    return out


def counts(run: JobRun) -> dict[str, int]:
    return {k: v for k, v in run.counts.items()
            if not k.startswith("status/") and k != "pages_fetched" and v}
