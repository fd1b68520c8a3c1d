"""List-page callbacks of the engine's spider (mixed into ``PollSpider``).

Input: list pages (HTML columns, Hanweb data-proxy pages, feeds, sitemaps) of a job. Output:
requests for the job's new articles and for the known ones due for a re-check, the next list
page while pages still show new links (every page up to the limit for a job that is not a
scheduled poll), and the list state to store after a clean crawl. A
list page answered 304, or showing the same article links as last time with no re-check due,
ends the poll there. List-page failures are recorded with their cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from config.contracts.ids import article_id
from config.contracts.wire import utcnow
from crawlers.engine import tracking
from crawlers.engine.articles import header_charset
from crawlers.engine.causes import failure_cause
from crawlers.engine.conditional import NOT_MODIFIED, conditional_headers
from crawlers.engine.job import JobRun, PageState, links_hash
from crawlers.engine.recheck import earliest, next_recheck, parse_time, recheck_due
from crawlers.extract.encoding import decode_html
from crawlers.links.dataproxy import next_dataproxy_url
from crawlers.links.discover import find_next_pages
from crawlers.links.feeds import parse_feed, parse_sitemap
from crawlers.links.formats import ListPage, read_list_page
from crawlers.links.hanweb import HanwebProxyRequest, links_from_records, records
from crawlers.links.model import ListedLink
from crawlers.state.seen import SeenRecord, SeenStore

LIST_META = {"handle_httpstatus_list": [NOT_MODIFIED]}


def page_due(record: SeenRecord | None, now: datetime) -> bool:
    """A re-check of an article on this page is due (or the page was never crawled)."""
    if record is None or not record.content_hash:
        return True
    when = parse_time(record.next_check)
    return when is not None and when <= now


def _go_on(run: JobRun, new_before: int) -> bool:
    """Follow the next list page: the page showed new links, or the job is not a scheduled
    poll (manual, retry, reconcile: every page up to the limit, for articles forgotten
    anywhere in the list)."""
    return run.counts["links_new"] > new_before or run.job.reason != "schedule"


class ListCallbacks:
    """Callbacks of list pages; the spider provides the seen-store and page records."""

    seen: SeenStore
    max_pages: int
    max_articles: int
    recheck_ages_s: tuple[float, ...]

    def page(self, url: str) -> SeenRecord | None:
        raise NotImplementedError

    def page_state(self, response: Response, url: str, urls: list[str],
                   next_check: str) -> PageState:
        raise NotImplementedError

    def store_page(self, state: PageState) -> None:
        raise NotImplementedError

    def list_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        record = self.page(url)
        headers = {} if page_due(record, utcnow()) else conditional_headers(record)
        return scrapy.Request(url, callback=callback, errback=self.list_failed, headers=headers,
                              dont_filter=True, cb_kwargs=cb_kwargs, meta=dict(LIST_META))

    @tracking.errback
    def list_failed(self, run: JobRun, failure: Failure) -> Iterator[Any]:
        run.list_failures.append(failure_cause(failure))
        yield from ()

    def _not_modified(self, run: JobRun, response: Response) -> bool:
        run.inc("list_pages")
        if response.status != NOT_MODIFIED:
            return False
        run.inc("not_modified")
        run.inc("lists_not_modified")
        return True

    @tracking.callback
    def parse_list(self, run: JobRun, response: Response, depth: int = 1) -> Iterator[Any]:
        if self._not_modified(run, response):
            return
        html, _ = decode_html(response.body, header_charset(response))
        reading = read_list_page(ListPage.of(run.source, html, response.url, utcnow().date()))
        if reading.proxies:  # a Hanweb column without inline records: its data proxy
            yield from self._dataproxy_requests(reading.proxies, response.url, depth)
            return
        links = reading.links
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        if depth == 1 and self._unchanged(run, response, first_url, links):
            return
        before = run.counts["links_new"]
        yield from self.article_requests(run, links, response.url, first_page=depth == 1,
                                         page=(response, first_url) if depth == 1 else None)
        if depth < (run.source.max_pages or self.max_pages) and _go_on(run, before):
            for url in find_next_pages(html, response.url, response.url,
                                       run.source.selectors)[:1]:
                yield scrapy.Request(url, callback=self.parse_list, errback=self.list_failed,
                                     cb_kwargs={"depth": depth + 1}, dont_filter=True,
                                     meta=dict(LIST_META))

    def _unchanged(self, run: JobRun, response: Response, url: str,
                   links: list[ListedLink]) -> bool:
        """Same links as the last clean poll and no re-check due: the poll ends here."""
        record = self.page(url)
        if page_due(record, utcnow()) or record is None:
            return False
        if record.content_hash != links_hash([link.url for link in links]):
            return False
        run.inc("list_pages_unchanged")
        run.inc("lists_unchanged")
        run.inc("links_found", len(links))
        state = self.page_state(response, url, [link.url for link in links],
                                record.next_check)
        if (state.etag, state.last_modified) != (record.etag, record.last_modified):
            run.pages.append(state)
        return True

    def article_requests(self, run: JobRun, links: list[ListedLink], list_url: str,
                         first_page: bool = False,
                         page: tuple[Response, str] | None = None) -> Iterator[scrapy.Request]:
        """Requests for new articles and for known ones due for a re-check."""
        run.inc("links_found", len(links))
        known = self.seen.lookup([article_id(link.url) for link in links])
        now, checks = utcnow(), []
        for link in links:
            aid = article_id(link.url)
            record = known.get(aid)
            first = (parse_time(record.first_seen) if record else None) or now
            if first_page:
                checks.append(next_recheck(first, now, self.recheck_ages_s))
            if aid in run.queued:
                continue
            if record is not None and not (first_page and recheck_due(
                    first, parse_time(record.last_seen), now, self.recheck_ages_s)):
                run.inc("articles_known")
                continue
            if len(run.queued) >= self.max_articles:
                run.truncated = True
                continue
            run.queued.add(aid)
            run.inc("articles_rechecked" if record is not None else "links_new")
            yield scrapy.Request(
                link.url, callback=self.parse_article, errback=self.article_failed,
                headers=conditional_headers(record), dont_filter=True,
                meta={"handle_httpstatus_list": [NOT_MODIFIED]}, cb_kwargs={
                    "listed_title": link.title, "listed_date": link.date,
                    "list_url": list_url, "recheck": record is not None})
        if page is not None:
            when = earliest(checks)
            run.pages.append(self.page_state(page[0], page[1], [x.url for x in links],
                                             when.isoformat() if when else ""))

    def _dataproxy_requests(self, proxies: list[HanwebProxyRequest], url: str, depth: int
                            ) -> list[scrapy.Request]:
        return [scrapy.FormRequest(proxy.url, formdata=proxy.form, dont_filter=True,
                                   callback=self.parse_dataproxy, errback=self.list_failed,
                                   cb_kwargs={"list_url": url, "form": proxy.form,
                                              "depth": depth})
                for proxy in proxies]

    @tracking.callback
    def parse_dataproxy(self, run: JobRun, response: Response, list_url: str,
                        form: dict[str, str], depth: int) -> Iterator[Any]:
        """One page of a Hanweb column's records from its ``jpage`` data proxy."""
        run.inc("list_pages")
        run.inc("dataproxy_pages")
        xml, _ = decode_html(response.body, header_charset(response))
        fragments = records(xml)
        links = links_from_records(fragments, response.url, utcnow().date())
        before = run.counts["links_new"]
        yield from self.article_requests(run, links, list_url, first_page=depth == 1)
        following = next_dataproxy_url(response.url, len(fragments), xml)
        limit = run.source.max_pages or self.max_pages
        if following and depth < limit and _go_on(run, before):
            yield scrapy.FormRequest(following, formdata=form, dont_filter=True,
                                     callback=self.parse_dataproxy, errback=self.list_failed,
                                     cb_kwargs={"list_url": list_url, "form": form,
                                                "depth": depth + 1})

    @tracking.callback
    def parse_feed(self, run: JobRun, response: Response) -> Iterator[Any]:
        if not self._not_modified(run, response):
            first_url = (response.meta.get("redirect_urls") or [response.url])[0]
            yield from self.article_requests(run, parse_feed(response.body, response.url),
                                             response.url, first_page=True,
                                             page=(response, first_url))

    @tracking.callback
    def parse_sitemap(self, run: JobRun, response: Response) -> Iterator[Any]:
        if self._not_modified(run, response):
            return
        links, children = parse_sitemap(response.body, response.url)
        yield from self.article_requests(run, links, response.url)
        for url in children[:5]:
            yield self.list_request(url, self.parse_sitemap)

    # provided by ArticleCallbacks
    parse_article: Any
    article_failed: Any

