"""The spider's incremental behaviour: 304s, re-checks of young articles, list validators
kept only after a clean crawl, and pointer pages completed from their attachment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from bench.sites.pages import HANWEB_POINTER, hanweb_site, trs_site
from config.contracts import RawArticle, article_id, utcnow
from config.sources import Source
from crawlers.engine.spider import GenericSpider
from crawlers.state.seen import SeenStore, SqliteSeenStore

ROOT = "http://127.0.0.1:8765"
LIST = f"{ROOT}/trs/xxgk/index.html"
SOURCE = Source(id="trs", name="trs", kind="government", list_urls=[LIST])


@pytest.fixture
def seen(tmp_path: Path) -> Iterator[SeenStore]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield store
    store.close()


def make(seen: SeenStore, **kwargs: Any) -> GenericSpider:
    spider = GenericSpider.from_crawler(get_crawler(GenericSpider), source=SOURCE, seen=seen,
                                        **kwargs)
    assert isinstance(spider, GenericSpider)
    return spider


def stat(spider: GenericSpider, key: str) -> Any:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_value(f"cgtwatch/{key}")


def html(url: str, body: bytes, status: int = 200, **headers: str) -> HtmlResponse:
    return HtmlResponse(url, body=body, status=status, request=Request(url), headers=headers)


def test_list_request_is_conditional_and_304_stops(seen: SeenStore) -> None:
    seen.record_page(LIST, '"v1"', None)
    spider = make(seen)
    request = spider._list_request(LIST, spider.parse_list, depth=1)
    assert request.headers.get("If-None-Match") == b'"v1"'
    assert request.meta["handle_httpstatus_list"] == [304]
    assert list(spider.parse_list(html(LIST, b"", status=304), depth=1)) == []
    assert stat(spider, "not_modified") == 1 and stat(spider, "list_pages") == 1


def test_list_validators_are_stored_only_after_a_clean_crawl(seen: SeenStore) -> None:
    body = trs_site()["/trs/xxgk/index.html"].body
    spider = make(seen)
    list(spider.parse_list(html(LIST, body, ETag='"v2"'), depth=1))
    spider.crawler.stats.set_value("cgtwatch/article_failures", 1)
    spider.closed("finished")
    assert seen.page_validators(LIST) is None
    clean = make(seen)
    list(clean.parse_list(html(LIST, body, ETag='"v2"'), depth=1))
    clean.closed("finished")
    stored = seen.page_validators(LIST)
    assert stored is not None and stored.etag == '"v2"'


def test_young_known_articles_are_rechecked_conditionally(seen: SeenStore) -> None:
    body = trs_site()["/trs/xxgk/index.html"].body
    url = f"{ROOT}/trs/xxgk/202404/t20240417_1007.html"
    seen.record(article_id(url), url, "h", 1, '"a1"', None)
    spider = make(seen, recheck_within_days=3.0, recheck_max=5)
    out = [r for r in spider.parse_list(html(LIST, body), depth=1)
           if isinstance(r, scrapy.Request) and r.callback == spider.parse_article]
    recheck = next(r for r in out if r.url == url)
    assert recheck.headers.get("If-None-Match") == b'"a1"'
    assert stat(spider, "articles_rechecked") == 1
    assert list(spider.parse_article(html(url, b"", status=304), listed_title="",
                                     listed_date=None, list_url=LIST)) == []
    assert stat(spider, "not_modified") == 1
    no_budget = make(seen, recheck_within_days=3.0, recheck_max=0)
    urls = [r.url for r in no_budget.parse_list(html(LIST, body), depth=1)
            if isinstance(r, scrapy.Request)]
    assert url not in urls and stat(no_budget, "articles_known") == 1


def test_pointer_page_fetches_its_attachment(seen: SeenStore) -> None:
    site = hanweb_site()
    path = f"/art/2024/4/18/art_100_{HANWEB_POINTER}.html"
    spider = make(seen)
    (request,) = spider.parse_article(html(ROOT + path, site[path].body), listed_title="",
                                      listed_date=None, list_url=LIST)
    assert isinstance(request, scrapy.Request)
    assert request.url.endswith(f"notice_{HANWEB_POINTER}.docx")
    docx = site[f"/module/download/notice_{HANWEB_POINTER}.docx"].body
    (item,) = spider.parse_attachment(Response(request.url, body=docx, request=request),
                                      **request.cb_kwargs)
    assert isinstance(item, RawArticle) and "细胞治疗临床研究试点" in item.text
    assert item.fetched_at <= utcnow()
    assert stat(spider, "pointer_pages") == 1 and stat(spider, "attachments_read") == 1
    (same,) = spider.parse_attachment(Response(request.url, body=b"junk", request=request),
                                      **request.cb_kwargs)
    assert same == request.cb_kwargs["item"]  # unreadable: the page as it is
