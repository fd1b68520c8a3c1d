"""The one generic, config-driven spider: list pages (or feeds, sitemaps) → article pages.

Input: a ``Source`` from ``sources.yaml`` and a seen-store (spider arguments). Output:
``RawArticle`` items for new or changed article pages, plus crawl statistics under
``cgtwatch/*`` keys. Link discovery and extraction are the pure functions of
``crawlers.links.discover`` and ``crawlers.extract.article``; the list-page formats (selectors,
Hanweb, generic blocks) are the one registry ``crawlers.links.formats``; this class only
schedules requests:
- list pages, then their next pages up to ``max_pages``; a Hanweb column without inline
  records is read through its ``jpage`` data proxy (POST), page by page;
- list pages are fetched with ``If-None-Match``/``If-Modified-Since`` (304 = nothing new);
  their validators are stored only after a clean crawl, so nothing listed is ever skipped;
- known articles are skipped, except young ones, re-checked with a conditional GET;
- article handling (pointer pages → attachment text) is in ``crawlers.engine.articles``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from config.contracts import article_id, utcnow
from config.sources import Source
from crawlers.engine.articles import EXTRACTOR, ArticleMixin, header_charset
from crawlers.engine.conditional import (
    NOT_MODIFIED,
    Validators,
    conditional_headers,
    should_recheck,
    validators,
)
from crawlers.extract.encoding import decode_html
from crawlers.links.dataproxy import next_dataproxy_url
from crawlers.links.discover import find_next_pages
from crawlers.links.feeds import parse_feed, parse_sitemap
from crawlers.links.formats import ListPage, read_list_page
from crawlers.links.hanweb import HanwebProxyRequest, links_from_records, records
from crawlers.links.model import ListedLink
from crawlers.state.seen import SeenStore

__all__ = ["EXTRACTOR", "GenericSpider", "header_charset"]


class GenericSpider(ArticleMixin, scrapy.Spider):
    name = "generic"

    def __init__(self, source: Source, seen: SeenStore, max_pages: int = 3,
                 max_articles: int = 200, recheck_within_days: float = 0.0,
                 recheck_max: int = 0, **kwargs: Any) -> None:
        super().__init__(name=f"generic-{source.id}", **kwargs)
        self.source, self.seen = source, seen
        self.max_pages = source.max_pages or max_pages
        self.max_articles = max_articles
        self.recheck_within_days, self.recheck_left = recheck_within_days, recheck_max
        self.queued = 0
        self.truncated = False
        self.validators: dict[str, Validators] = {}  # article id → validators, for pipelines
        self.page_validators: dict[str, Validators] = {}

    def _list_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        headers = conditional_headers(self.seen.page_validators(url))
        return scrapy.Request(url, callback=callback, dont_filter=True, headers=headers,
                              cb_kwargs=cb_kwargs, meta={"handle_httpstatus_list": [304]})

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.list_urls:
            yield self._list_request(str(url), self.parse_list, depth=1)
        for url in self.source.feeds:
            yield self._list_request(str(url), self.parse_feed)
        for url in self.source.sitemaps:
            yield self._list_request(str(url), self.parse_sitemap)

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cgtwatch/{key}", count)

    def _unchanged_list(self, response: Response) -> bool:
        """Count the list page; True when it answered 304 (nothing new since last time)."""
        self._inc("list_pages")
        if response.status == NOT_MODIFIED:
            self._inc("not_modified")
            return True
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        self.page_validators[first_url] = validators(response)
        return False

    def _article_requests(self, links: list[ListedLink], list_url: str
                          ) -> Iterator[scrapy.Request]:
        self._inc("links_found", len(links))
        if not links:
            self._inc("empty_lists")
        known = self.seen.lookup([article_id(link.url) for link in links])
        now = utcnow()
        for link in links:
            if self.queued >= self.max_articles:
                self.truncated = True
                return
            record = known.get(article_id(link.url))
            headers: dict[str, str] = {}
            if record is not None:
                if self.recheck_left <= 0 or not should_recheck(record, now,
                                                                self.recheck_within_days):
                    self._inc("articles_known")
                    continue
                self.recheck_left -= 1
                self._inc("articles_rechecked")
                headers = conditional_headers(record)
            self.queued += 1
            yield scrapy.Request(
                link.url, callback=self.parse_article, errback=self.article_failed,
                headers=headers, meta={"handle_httpstatus_list": [304]}, cb_kwargs={
                    "listed_title": link.title, "listed_date": link.date,
                    "list_url": list_url})

    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if self._unchanged_list(response):
            return
        html, _ = decode_html(response.body, header_charset(response))
        reading = read_list_page(ListPage.of(self.source, html, response.url, utcnow().date()))
        if reading.proxies:  # a Hanweb column without inline records: its data proxy
            yield from self._dataproxy_requests(reading.proxies, response.url, depth)
            return
        yield from self._article_requests(reading.links, response.url)
        if depth < self.max_pages:
            for url in find_next_pages(html, response.url, response.url,
                                       self.source.selectors)[:1]:
                yield scrapy.Request(url, callback=self.parse_list, cb_kwargs={"depth": depth + 1},
                                     meta={"handle_httpstatus_list": [304]})

    def _dataproxy_requests(self, proxies: list[HanwebProxyRequest], url: str, depth: int
                            ) -> list[scrapy.Request]:
        return [scrapy.FormRequest(proxy.url, formdata=proxy.form, dont_filter=True,
                                   callback=self.parse_dataproxy,
                                   cb_kwargs={"list_url": url, "form": proxy.form,
                                              "depth": depth})
                for proxy in proxies]

    def parse_dataproxy(self, response: Response, list_url: str, form: dict[str, str],
                        depth: int) -> Iterator[scrapy.Request]:
        """One page of a Hanweb column's records from its ``jpage`` data proxy."""
        self._inc("list_pages")
        self._inc("dataproxy_pages")
        xml, _ = decode_html(response.body, header_charset(response))
        fragments = records(xml)
        links = links_from_records(fragments, response.url, utcnow().date())
        yield from self._article_requests(links, list_url)
        following = next_dataproxy_url(response.url, len(fragments), xml)
        if following and depth < self.max_pages:
            yield scrapy.FormRequest(following, formdata=form, dont_filter=True,
                                     callback=self.parse_dataproxy, cb_kwargs={
                                         "list_url": list_url, "form": form,
                                         "depth": depth + 1})

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not self._unchanged_list(response):
            yield from self._article_requests(parse_feed(response.body, response.url),
                                              response.url)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if self._unchanged_list(response):
            return
        links, children = parse_sitemap(response.body, response.url)
        yield from self._article_requests(links, response.url)
        for url in children[:5]:
            yield self._list_request(url, self.parse_sitemap)

    def closed(self, reason: str) -> None:
        """Keep list-page validators only after a clean, complete crawl."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        clean = (reason == "finished" and not self.truncated
                 and not stats.get("cgtwatch/article_failures")
                 and not stats.get("log_count/ERROR"))
        if clean:
            for url, (etag, modified) in self.page_validators.items():
                self.seen.record_page(url, etag, modified)
