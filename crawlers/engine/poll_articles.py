"""Article and attachment callbacks of the engine's spider (mixed into ``PollSpider``).

Input: article responses (200, or 304 for a re-check sent with ``If-None-Match`` /
``If-Modified-Since``) and attachment responses. Output: ``FetchedArticle`` items (the article,
its validators, its job) for the pipelines; a 304 only refreshes the article's last check in
the seen-store. A notice that only points to an attached PDF/DOCX gets the attachment's text;
if the attachment cannot be fetched or read, the page itself is published.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from config.contracts.ids import article_id
from crawlers.engine import tracking
from crawlers.engine.articles import EXTRACTOR, header_charset, readable_attachment
from crawlers.engine.causes import failure_cause
from crawlers.engine.conditional import NOT_MODIFIED, validators
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.items import build_raw_article
from crawlers.engine.job import JobRun
from crawlers.extract.article import extract_article
from crawlers.extract.documents import attachment_text, is_pointer_page
from crawlers.extract.encoding import decode_html
from crawlers.state.seen import SeenStore


class ArticleCallbacks:
    """Callbacks of article and attachment responses."""

    seen: SeenStore
    runs: dict[str, JobRun]

    def count_response(self, run: JobRun, response: Response) -> None:
        run.inc("pages_fetched")
        run.inc(f"status/{response.status}")

    @tracking.callback
    def parse_article(self, run: JobRun, response: Response, listed_title: str,
                      listed_date: str | None, list_url: str, recheck: bool = False
                      ) -> Iterator[Any]:
        if response.status == NOT_MODIFIED:
            run.inc("not_modified")
            run.inc("articles_unchanged")
            self.seen.touch(article_id(response.url), *validators(response))
            return
        html, encoding = decode_html(response.body, header_charset(response))
        fields = extract_article(html, response.url)
        item = build_raw_article(run.source, response.url, html, encoding, fields,
                                 listed_title=listed_title, listed_date=listed_date,
                                 list_url=list_url, status=response.status, extractor=EXTRACTOR)
        fetched = FetchedArticle(item, *validators(response), run_key=run.key, recheck=recheck)
        attachment = readable_attachment(fields) if is_pointer_page(fields) else None
        if attachment is None:
            yield fetched
            return
        run.inc("pointer_pages")
        yield scrapy.Request(str(attachment["url"]), callback=self.parse_attachment,
                             errback=self.attachment_failed, dont_filter=True,
                             cb_kwargs={"fetched": fetched, "kind": str(attachment["kind"])})

    @tracking.callback
    def parse_attachment(self, run: JobRun, response: Response, fetched: FetchedArticle,
                         kind: str) -> Iterator[FetchedArticle]:
        text = attachment_text(response.body, kind)
        run.inc("attachments_read" if text else "attachments_unreadable")
        yield fetched.with_text(text) if text else fetched

    @tracking.errback
    def attachment_failed(self, run: JobRun, failure: Failure) -> Iterator[FetchedArticle]:
        """The attachment could not be fetched: publish the pointer page as it is."""
        run.inc("attachments_failed")
        request = getattr(failure, "request", None)
        fetched = request.cb_kwargs.get("fetched") if request is not None else None
        if isinstance(fetched, FetchedArticle):
            yield fetched

    @tracking.errback
    def article_failed(self, run: JobRun, failure: Failure) -> Iterator[Any]:
        """Counted with its cause: a crawl with failed articles keeps no list state."""
        run.article_failures.append(failure_cause(failure))
        yield from ()
