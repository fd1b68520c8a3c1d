"""The one generic, config-driven spider: list pages (or feeds, sitemaps) → article pages.

Input: a ``Source`` from ``sources.yaml`` (passed as a spider argument). Output: ``RawArticle``
items for article pages not yet in the seen-store, plus crawl statistics under
``cgtwatch/*`` keys. Link discovery and extraction are the pure functions of
``crawlers.links`` and ``crawlers.extract``; this class only schedules requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from config.contracts import article_id
from config.sources import Source
from crawlers.encoding import decode_html
from crawlers.extract import extract_article
from crawlers.items import build_raw_article
from crawlers.links import find_article_links, find_next_pages
from crawlers.links_feeds import parse_feed, parse_sitemap
from crawlers.links_model import ListedLink
from crawlers.seen import SeenStore

EXTRACTOR = "cgtwatch.extract/1"


def header_charset(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "charset=" in content_type:
        return content_type.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return None


class GenericSpider(scrapy.Spider):
    name = "generic"

    def __init__(self, source: Source, seen: SeenStore, max_pages: int = 3,
                 max_articles: int = 200, **kwargs: Any) -> None:
        super().__init__(name=f"generic-{source.id}", **kwargs)
        self.source, self.seen = source, seen
        self.max_pages = source.max_pages or max_pages
        self.max_articles = max_articles
        self.queued = 0

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.list_urls:
            yield scrapy.Request(str(url), callback=self.parse_list, dont_filter=True,
                                 cb_kwargs={"depth": 1})
        for url in self.source.feeds:
            yield scrapy.Request(str(url), callback=self.parse_feed, dont_filter=True)
        for url in self.source.sitemaps:
            yield scrapy.Request(str(url), callback=self.parse_sitemap, dont_filter=True)

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cgtwatch/{key}", count)

    def _article_requests(self, links: list[ListedLink], list_url: str
                          ) -> Iterator[scrapy.Request]:
        self._inc("links_found", len(links))
        if not links:
            self._inc("empty_lists")
        for link in links:
            if self.queued >= self.max_articles:
                return
            if self.seen.known(article_id(link.url)):
                self._inc("articles_known")
                continue
            self.queued += 1
            yield scrapy.Request(link.url, callback=self.parse_article, cb_kwargs={
                "listed_title": link.title, "listed_date": link.date, "list_url": list_url})

    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        self._inc("list_pages")
        html, _ = decode_html(response.body, header_charset(response))
        links = find_article_links(html, response.url, self.source.selectors)
        yield from self._article_requests(links, response.url)
        if depth < self.max_pages:
            for url in find_next_pages(html, response.url, response.url,
                                       self.source.selectors)[:1]:
                yield scrapy.Request(url, callback=self.parse_list, cb_kwargs={"depth": depth + 1})

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        self._inc("list_pages")
        yield from self._article_requests(parse_feed(response.body, response.url), response.url)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        self._inc("list_pages")
        links, children = parse_sitemap(response.body, response.url)
        yield from self._article_requests(links, response.url)
        for url in children[:5]:
            yield scrapy.Request(url, callback=self.parse_sitemap)

    def parse_article(self, response: Response, listed_title: str, listed_date: str | None,
                      list_url: str) -> Iterator[Any]:
        html, encoding = decode_html(response.body, header_charset(response))
        fields = extract_article(html, response.url)
        yield build_raw_article(self.source, response.url, html, encoding, fields,
                                listed_title=listed_title, listed_date=listed_date,
                                list_url=list_url, status=response.status, extractor=EXTRACTOR)
