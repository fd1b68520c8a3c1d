"""Paging of Hanweb data-proxy requests and the spider's use of the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.http import XmlResponse

from bench.sites.pages import dataproxy_xml, hanweb_site
from config.sources import Source
from crawlers.engine.job import JobRun
from crawlers.engine.poll_spider import PollSpider
from crawlers.links.dataproxy import next_dataproxy_url, total_records
from crawlers.state.seen import SqliteSeenStore
from tests.unit.crawlers.engine.poll_support import make_spider, response

PROXY = "http://x.gov.cn/module/web/jpage/dataproxy.jsp"
ROOT = "http://x.gov.cn"


def query(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query)


def test_next_request_follows_the_record_window() -> None:
    url = f"{PROXY}?startrecord=1&endrecord=45&perpage=15"
    following = next_dataproxy_url(url, 45, "<totalrecord>233</totalrecord>")
    assert query(following) == {"startrecord": ["46"], "endrecord": ["90"], "perpage": ["15"]}


@pytest.mark.parametrize(("count", "xml"), [
    (10, "<totalrecord>233</totalrecord>"),  # a short answer: the column ended
    (45, "<totalrecord>45</totalrecord>"),  # the total is reached
])
def test_no_next_request_at_the_end(count: int, xml: str) -> None:
    assert next_dataproxy_url(f"{PROXY}?startrecord=1&endrecord=45&perpage=15", count, xml) is None


def test_no_paging_without_a_window() -> None:
    assert next_dataproxy_url(PROXY, 45, "") is None
    assert total_records("<datastore></datastore>") is None


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[tuple[PollSpider, JobRun]]:
    seen = SqliteSeenStore(tmp_path / "seen.sqlite3")
    source = Source(id="hw", name="hw", kind="government",
                    list_urls=[f"{ROOT}/col/col100/index.html"])
    yield make_spider(seen, source, max_pages=2)
    seen.close()


def test_column_without_inline_records_posts_to_the_data_proxy(
        engine: tuple[PollSpider, JobRun]) -> None:
    spider, run = engine
    url = f"{ROOT}/col/col100/index.html"
    page = hanweb_site()["/col/col100/index.html"].body
    out = list(spider.parse_list(response(url, page, run), depth=1))
    (post,) = out
    assert isinstance(post, scrapy.FormRequest) and post.method == "POST"
    assert post.callback == spider.parse_dataproxy
    assert query(post.url) == {"startrecord": ["1"], "endrecord": ["6"], "perpage": ["2"]}
    assert parse_qs(post.body.decode())["columnid"] == ["100"]


def test_data_proxy_answer_gives_articles_and_the_next_window(
        engine: tuple[PollSpider, JobRun]) -> None:
    spider, run = engine
    url = f"{PROXY}?startrecord=1&endrecord=6&perpage=2"
    body = dataproxy_xml("100", 1, 6)
    out = list(spider.parse_dataproxy(response(url, body, run, cls=XmlResponse),
                                      list_url=f"{ROOT}/col/col100/index.html",
                                      form={"columnid": "100"}, depth=1))
    articles = [r for r in out if r.callback == spider.parse_article]
    assert [r.url.rsplit("_", 1)[1] for r in articles] == [f"{n}.html" for n in range(5001, 5007)]
    (following,) = [r for r in out if r.callback == spider.parse_dataproxy]
    assert query(following.url)["startrecord"] == ["7"]
    last = list(spider.parse_dataproxy(response(url, body, run, cls=XmlResponse),
                                       list_url="", form={}, depth=2))
    assert not [r for r in last if r.callback == spider.parse_dataproxy]  # max pages
