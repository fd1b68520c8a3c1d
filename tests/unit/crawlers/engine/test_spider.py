"""The generic spider schedules requests: list → articles (skipping known ones) and pages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from config.contracts import RawArticle, article_id
from config.sources import Source
from crawlers.engine.spider import EXTRACTOR, GenericSpider, header_charset
from crawlers.state.seen import SeenStore, SqliteSeenStore

REPO = Path(__file__).resolve().parents[4]
SITE = REPO / "cgtwatch" / "demo" / "site"
FIXTURES = REPO / "tests" / "fixtures" / "lists"
ROOT = "http://127.0.0.1:8765/"
LIST_URL = ROOT + "dalian-fta/index.html"
ARTICLES = [ROOT + "dalian-fta/202611/t20261118_4521367.html",
            ROOT + "dalian-fta/202611/t20261115_4520981.html",
            ROOT + "dalian-fta/202611/t20261112_4520455.html"]
SOURCE = Source(id="demo-dalian-fta", name="大连自贸片区", kind="ftz", region="辽宁省大连市",
                list_urls=[LIST_URL])


@pytest.fixture
def seen(tmp_path: Path) -> Iterator[SeenStore]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield store
    store.close()


def make_spider(seen: SeenStore, source: Source = SOURCE, **kwargs: Any) -> GenericSpider:
    crawler = get_crawler(GenericSpider)
    spider = GenericSpider.from_crawler(crawler, source=source, seen=seen, **kwargs)
    assert isinstance(spider, GenericSpider)
    return spider


def stats(spider: GenericSpider) -> dict[str, Any]:
    assert spider.crawler.stats is not None
    return {k.removeprefix("cgtwatch/"): v for k, v in spider.crawler.stats.get_stats().items()
            if k.startswith("cgtwatch/")}


def response(url: str, body: bytes, content_type: str = "text/html",
             cls: type[TextResponse] = HtmlResponse) -> TextResponse:
    return cls(url=url, body=body, request=Request(url),
               headers={"Content-Type": content_type})


def demo_page(url: str) -> bytes:
    return (SITE / url.removeprefix(ROOT)).read_bytes()


def requests(results: Iterator[Any]) -> list[scrapy.Request]:
    out = list(results)
    assert all(isinstance(r, scrapy.Request) for r in out)
    return out


def test_list_page_yields_article_requests_with_list_hints(seen: SeenStore) -> None:
    spider = make_spider(seen)
    out = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    articles = [r for r in out if r.callback == spider.parse_article]
    assert [r.url for r in articles] == ARTICLES
    first = articles[0].cb_kwargs
    assert first == {"listed_title": "大连自贸片区与大连医科大学共建基因细胞治疗先行示范区",
                     "listed_date": "2026-11-18", "list_url": LIST_URL}
    assert stats(spider) == {"list_pages": 1, "links_found": 3}


def test_list_page_yields_the_next_page_while_depth_allows(seen: SeenStore) -> None:
    spider = make_spider(seen, max_pages=2)
    out = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    pages = [r for r in out if r.callback == spider.parse_list]
    assert [(r.url, r.cb_kwargs) for r in pages] == [(ROOT + "dalian-fta/index_1.html",
                                                      {"depth": 2})]


def test_no_next_page_at_the_depth_limit(seen: SeenStore) -> None:
    spider = make_spider(seen, max_pages=2)
    out = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=2))
    assert all(r.callback == spider.parse_article for r in out)


def test_source_max_pages_overrides_the_default(seen: SeenStore) -> None:
    source = SOURCE.model_copy(update={"max_pages": 1})
    spider = make_spider(seen, source=source, max_pages=5)
    out = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    assert all(r.callback == spider.parse_article for r in out)


def test_known_articles_are_skipped(seen: SeenStore) -> None:
    seen.record(article_id(ARTICLES[1]), ARTICLES[1], "hash", 1)
    spider = make_spider(seen)
    out = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    assert [r.url for r in out if r.callback == spider.parse_article] == [ARTICLES[0],
                                                                         ARTICLES[2]]
    assert stats(spider)["articles_known"] == 1


def test_article_budget_is_shared_across_list_pages(seen: SeenStore) -> None:
    spider = make_spider(seen, max_articles=2)
    first = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    assert len([r for r in first if r.callback == spider.parse_article]) == 2
    again = requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL)), depth=1))
    assert not [r for r in again if r.callback == spider.parse_article]


def test_empty_list_is_counted(seen: SeenStore) -> None:
    spider = make_spider(seen)
    out = requests(spider.parse_list(response(LIST_URL, b"<html><body></body></html>"),
                                     depth=1))
    assert out == []
    assert stats(spider) == {"list_pages": 1, "links_found": 0, "empty_lists": 1}


def test_gbk_article_bytes_decode_to_a_raw_article(seen: SeenStore) -> None:
    spider = make_spider(seen)
    body = demo_page(ARTICLES[0])
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    out = list(spider.parse_article(response(ARTICLES[0], body), listed_title="列表标题",
                                    listed_date="2026-11-18", list_url=LIST_URL))
    (item,) = out
    assert isinstance(item, RawArticle)
    assert item.article_id == article_id(ARTICLES[0])
    assert item.title == "大连自贸片区与大连医科大学共建基因细胞治疗先行示范区"
    assert item.encoding in ("gbk", "gb2312", "gb18030")
    assert "基因细胞治疗先行示范区" in item.text and "\ufffd" not in item.text
    assert item.published is not None and item.published.startswith("2026-11-18")
    assert (item.source_id, item.list_url, item.extractor) == (SOURCE.id, LIST_URL, EXTRACTOR)


def spider_parse(seen: SeenStore, url: str, body: bytes, content_type: str) -> list[Any]:
    spider = make_spider(seen)
    return list(spider.parse_article(response(url, body, content_type), listed_title="",
                                     listed_date=None, list_url=LIST_URL))


def test_header_charset_decodes_a_page_without_meta(seen: SeenStore) -> None:
    paragraph = "<p>会议围绕细胞治疗和基因治疗产业的临床转化、审评审批与产业集聚进行了交流。</p>"
    page = ("<html><head><title>细胞治疗</title></head><body><h1>基因治疗产业发展座谈会召开</h1>"
            + paragraph * 5 + "</body></html>")
    url = ROOT + "gbk/1.html"
    (item,) = spider_parse(seen, url, page.encode("gbk"), "text/html; charset=GBK")
    assert "临床转化" in item.text
    assert item.encoding in ("gbk", "gb18030")


def test_feed_yields_article_requests(seen: SeenStore) -> None:
    source = Source(id="ema", name="EMA", kind="regulator", language="en",
                    feeds=["https://www.ema.europa.eu/en/news.xml"])
    spider = make_spider(seen, source=source)
    url = "https://www.ema.europa.eu/en/news.xml"
    body = (FIXTURES / "feed_rss.xml").read_bytes()
    out = requests(spider.parse_feed(response(url, body, "application/rss+xml",
                                              cls=TextResponse)))
    assert "https://www.ema.europa.eu/en/news/first-gene-therapy-treat-haemophilia-b" in [
        r.url for r in out]
    assert all(r.callback == spider.parse_article for r in out)
    assert stats(spider)["list_pages"] == 1


def test_sitemap_index_yields_child_sitemaps(seen: SeenStore) -> None:
    source = Source(id="sm", name="SM", kind="government",
                    sitemaps=["https://www.example.gov.cn/sitemap.xml"])
    spider = make_spider(seen, source=source)
    url = "https://www.example.gov.cn/sitemap.xml"
    body = (FIXTURES / "sitemap_index.xml").read_bytes()
    out = requests(spider.parse_sitemap(response(url, body, "application/xml",
                                                 cls=TextResponse)))
    assert [r.url for r in out] == ["https://www.example.gov.cn/sitemap-news.xml",
                                    "https://www.example.gov.cn/sitemap-notices.xml"]
    assert all(r.callback == spider.parse_sitemap for r in out)


def test_start_requests_cover_every_entry_point(seen: SeenStore) -> None:
    source = Source(id="all", name="All", kind="press", list_urls=["https://a.org/news/"],
                    feeds=["https://a.org/feed.xml"], sitemaps=["https://a.org/sitemap.xml"])
    spider = make_spider(seen, source=source)

    async def collect() -> list[scrapy.Request]:
        return [r async for r in spider.start()]

    out = asyncio.run(collect())
    assert [(r.url, getattr(r.callback, "__name__", None)) for r in out] == [
        ("https://a.org/news/", "parse_list"), ("https://a.org/feed.xml", "parse_feed"),
        ("https://a.org/sitemap.xml", "parse_sitemap")]
    assert out[0].cb_kwargs == {"depth": 1}
    assert all(r.dont_filter for r in out)


@pytest.mark.parametrize(("header", "expected"), [
    ("text/html; charset=GBK", "gbk"),
    ('text/html; charset="utf-8"; foo=bar', "utf-8"),
    ("text/html", None),
    ("text/html; charset=", None),
])
def test_header_charset(header: str, expected: str | None) -> None:
    assert header_charset(response(ROOT, b"", header)) == expected
