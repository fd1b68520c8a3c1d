"""The engine's spider schedules a job's requests: list → articles (skipping known ones) and
next pages while new links show; articles become ``FetchedArticle`` items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import TextResponse

from config.contracts.ids import article_id
from config.sources import Source
from crawlers.engine.articles import EXTRACTOR, header_charset
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.job import JobRun
from crawlers.engine.poll_spider import PollSpider
from crawlers.engine.tracking import RUN_KEY
from crawlers.state.seen import SeenStore, SqliteSeenStore
from tests.unit.crawlers.engine.poll_support import counts, make_spider, requests, response

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


def make(seen: SeenStore, source: Source = SOURCE, **kwargs: Any) -> tuple[PollSpider, JobRun]:
    return make_spider(seen, source, **kwargs)


def demo_page(url: str) -> bytes:
    return (SITE / url.removeprefix(ROOT)).read_bytes()


def listed(spider: PollSpider, run: JobRun, depth: int = 1) -> list[scrapy.Request]:
    return requests(spider.parse_list(response(LIST_URL, demo_page(LIST_URL), run),
                                      depth=depth))


def test_list_page_yields_article_requests_with_list_hints(seen: SeenStore) -> None:
    spider, run = make(seen)
    out = listed(spider, run)
    articles = [r for r in out if r.callback == spider.parse_article]
    assert [r.url for r in articles] == ARTICLES
    first = articles[0].cb_kwargs
    assert first == {"listed_title": "大连自贸片区与大连医科大学共建基因细胞治疗先行示范区",
                     "listed_date": "2026-11-18", "list_url": LIST_URL, "recheck": False}
    assert all(r.meta[RUN_KEY] == run.key and r.dont_filter for r in out)
    assert counts(run) == {"list_pages": 1, "links_found": 3, "links_new": 3}
    assert run.pending == len(out)  # the list request's hold went, each new one holds


def test_list_page_yields_the_next_page_while_depth_allows(seen: SeenStore) -> None:
    spider, run = make(seen, max_pages=2)
    pages = [r for r in listed(spider, run) if r.callback == spider.parse_list]
    assert [(r.url, r.cb_kwargs) for r in pages] == [(ROOT + "dalian-fta/index_1.html",
                                                      {"depth": 2})]


def test_no_next_page_at_the_depth_limit(seen: SeenStore) -> None:
    spider, run = make(seen, max_pages=2)
    assert all(r.callback == spider.parse_article for r in listed(spider, run, depth=2))


def test_no_next_page_when_the_page_shows_no_new_link(seen: SeenStore) -> None:
    for url in ARTICLES:
        seen.record(article_id(url), url, "hash", 1)
    spider, run = make(seen, max_pages=3)
    assert listed(spider, run) == []  # the rest of the column is older still
    manual, run = make(seen, max_pages=3)
    run.job = run.job.model_copy(update={"reason": "manual"})
    (page,) = listed(manual, run)  # a manual crawl (or reconcile) reads every page
    assert page.callback == manual.parse_list


def test_source_max_pages_overrides_the_default(seen: SeenStore) -> None:
    source = SOURCE.model_copy(update={"max_pages": 1})
    spider, run = make(seen, source=source, max_pages=5)
    assert all(r.callback == spider.parse_article for r in listed(spider, run))


def test_known_articles_are_skipped(seen: SeenStore) -> None:
    seen.record(article_id(ARTICLES[1]), ARTICLES[1], "hash", 1)
    spider, run = make(seen)
    out = listed(spider, run)
    assert [r.url for r in out if r.callback == spider.parse_article] == [ARTICLES[0],
                                                                         ARTICLES[2]]
    assert run.counts["articles_known"] == 1


def test_article_budget_and_dedupe_are_per_job(seen: SeenStore) -> None:
    spider, run = make(seen, max_articles=2)
    first = listed(spider, run)
    assert len([r for r in first if r.callback == spider.parse_article]) == 2
    assert run.truncated and not run.clean
    again = listed(spider, run)
    assert not [r for r in again if r.callback == spider.parse_article]


def test_empty_list_is_counted(seen: SeenStore) -> None:
    spider, run = make(seen)
    out = requests(spider.parse_list(response(LIST_URL, b"<html><body></body></html>", run),
                                     depth=1))
    assert out == []
    assert counts(run) == {"list_pages": 1}
    assert run.stats("w").cause == "no article links found"


def test_gbk_article_bytes_decode_to_a_raw_article(seen: SeenStore) -> None:
    spider, run = make(seen)
    body = demo_page(ARTICLES[0])
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    out = list(spider.parse_article(response(ARTICLES[0], body, run, ETag='"v1"'),
                                    listed_title="列表标题", listed_date="2026-11-18",
                                    list_url=LIST_URL))
    (fetched,) = out
    assert isinstance(fetched, FetchedArticle)
    assert (fetched.etag, fetched.run_key, fetched.recheck) == ('"v1"', run.key, False)
    item = fetched.article
    assert item.article_id == article_id(ARTICLES[0])
    assert item.title == "大连自贸片区与大连医科大学共建基因细胞治疗先行示范区"
    assert item.encoding in ("gbk", "gb2312", "gb18030")
    assert "基因细胞治疗先行示范区" in item.text and "\ufffd" not in item.text
    assert item.published is not None and item.published.startswith("2026-11-18")
    assert (item.source_id, item.list_url, item.extractor) == (SOURCE.id, LIST_URL, EXTRACTOR)


def spider_parse(seen: SeenStore, url: str, body: bytes, content_type: str) -> list[Any]:
    spider, run = make(seen)
    return [f.article for f in spider.parse_article(
        response(url, body, run, content_type=content_type), listed_title="",
        listed_date=None, list_url=LIST_URL)]


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
    spider, run = make(seen, source=source)
    url = "https://www.ema.europa.eu/en/news.xml"
    body = (FIXTURES / "feed_rss.xml").read_bytes()
    out = requests(spider.parse_feed(response(url, body, run,
                                              content_type="application/rss+xml",
                                              cls=TextResponse)))
    assert "https://www.ema.europa.eu/en/news/first-gene-therapy-treat-haemophilia-b" in [
        r.url for r in out]
    assert all(r.callback == spider.parse_article for r in out)
    assert run.counts["list_pages"] == 1


def test_sitemap_index_yields_child_sitemaps(seen: SeenStore) -> None:
    source = Source(id="sm", name="SM", kind="government",
                    sitemaps=["https://www.example.gov.cn/sitemap.xml"])
    spider, run = make(seen, source=source)
    url = "https://www.example.gov.cn/sitemap.xml"
    body = (FIXTURES / "sitemap_index.xml").read_bytes()
    out = requests(spider.parse_sitemap(response(url, body, run,
                                                 content_type="application/xml",
                                                 cls=TextResponse)))
    assert [r.url for r in out] == ["https://www.example.gov.cn/sitemap-news.xml",
                                    "https://www.example.gov.cn/sitemap-notices.xml"]
    assert all(r.callback == spider.parse_sitemap for r in out)


def test_entry_requests_cover_every_entry_point(seen: SeenStore) -> None:
    source = Source(id="all", name="All", kind="press", list_urls=["https://a.org/news/"],
                    feeds=["https://a.org/feed.xml"], sitemaps=["https://a.org/sitemap.xml"])
    spider, run = make(seen, source=source)
    out = list(spider.entry_requests(run))
    assert [(r.url, getattr(r.callback, "__name__", None)) for r in out] == [
        ("https://a.org/news/", "parse_list"), ("https://a.org/feed.xml", "parse_feed"),
        ("https://a.org/sitemap.xml", "parse_sitemap")]
    assert out[0].cb_kwargs == {"depth": 1}
    assert all(r.dont_filter and r.errback is not None for r in out)


def test_responses_of_an_ended_job_are_ignored(seen: SeenStore) -> None:
    spider, run = make(seen)
    run.finish()
    assert listed(spider, run) == []


@pytest.mark.parametrize(("header", "expected"), [
    ("text/html; charset=GBK", "gbk"),
    ('text/html; charset="utf-8"; foo=bar', "utf-8"),
    ("text/html", None),
    ("text/html; charset=", None),
])
def test_header_charset(header: str, expected: str | None) -> None:
    assert header_charset(response(ROOT, b"", content_type=header)) == expected
