"""The one list-format registry: the spider and ``sources check --online`` read a list page
through the same ``crawlers.links.formats.read_list_page`` and report the same block(s)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import scrapy

from config.settings import CrawlerSettings
from config.sources import Selectors, Source
from crawlers.links.discover import FORMATS, ListPage, read_list_page
from crawlers.links.probe import probe_source
from crawlers.state.seen import SeenStore, SqliteSeenStore
from tests.unit.crawlers.engine.poll_support import make_spider, response

LISTS = Path(__file__).resolve().parents[3] / "fixtures" / "lists"
TODAY = date(2024, 6, 1)
GD = "http://gdstc.gd.gov.cn/col/col2201/index.html"
SKY = "https://sky.example.edu.cn/xyxw.htm"


def read(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


def source(url: str, **extra: object) -> Source:
    return Source.model_validate({"id": "s", "name": "s", "kind": "university",
                                  "list_urls": [url], **extra})


def test_registry_order() -> None:
    assert [f.name for f in FORMATS] == ["selectors", "hanweb-datastore", "hanweb-dataproxy",
                                         "blocks"]
    assert [f.fetches for f in FORMATS] == [False, False, True, False]


def test_each_format_reads_its_page() -> None:
    inline = read_list_page(ListPage(read("hanweb_column.html"), GD, today=TODAY))
    assert inline.format == "hanweb-datastore" and len(inline.links) == 3
    bare = read("hanweb_column.html").replace('type="text/xml"', 'type="text/x-none"')
    proxied = read_list_page(ListPage(bare, GD, today=TODAY))
    assert proxied.format == "hanweb-dataproxy" and proxied.proxies and not proxied.links
    assert read_list_page(ListPage(bare, GD, today=TODAY), fetch=False).format == "blocks"
    chosen = read_list_page(ListPage(read("plain_ul.html"), "https://news.dmu.edu.cn/xxxw.htm",
                                     Selectors(links="ul.news-list li"), today=TODAY))
    assert chosen.format == "selectors" and len(chosen.links) == 5
    assert chosen.explain() == ["selectors: selectors.links 'ul.news-list li': 5 links"]


def test_blocks_reading_explains_itself() -> None:
    html = read("wild/vsb_dynamic.html")
    reading = read_list_page(ListPage.of(source(SKY), html, "https://www.example.edu.cn/list.jsp"))
    assert reading.format == "blocks"
    (line,) = reading.explain()
    assert line.startswith("block table.winstyle1011 < div.con-right: 15 links, 15 dated, "
                           "repeated tr structure; highest-scoring repeated links (")
    assert line.endswith("), paged list")
    empty = read_list_page(ListPage("<body><div class=nav><a href=/a>首页</a></div></body>",
                                    SKY, today=TODAY))
    assert empty.links == [] and empty.explain() == [
        "blocks: no repeated block of dated or article-shaped links"]


@pytest.fixture
def seen(tmp_path: Path) -> Iterator[SeenStore]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield store
    store.close()


def spider_links(seen: SeenStore, src: Source, html: str, url: str) -> list[scrapy.Request]:
    spider, run = make_spider(seen, src)
    page = response(url, html.encode("utf-8"), run, content_type="text/html; charset=utf-8")
    return list(spider.parse_list(page, depth=1))


def test_the_spider_reads_through_the_registry_with_the_sources_host_policy(
        seen: SeenStore) -> None:
    html = read("wild/wechat_column.html")
    found = spider_links(seen, source(SKY), html, SKY)
    assert sum("mp.weixin.qq.com" in r.url for r in found) == 8
    strict = source(SKY, same_site="host", off_site="drop")
    assert not any("mp.weixin.qq.com" in r.url for r in spider_links(seen, strict, html, SKY))
    bare = read("hanweb_column.html").replace('type="text/xml"', 'type="text/x-none"')
    (proxy,) = spider_links(seen, source(GD), bare, GD)
    assert isinstance(proxy, scrapy.FormRequest) and "dataproxy.jsp" in proxy.url


def test_online_check_reports_format_and_blocks() -> None:
    pages = {SKY: read("wild/wechat_column.html"),
             "https://www.example.edu.cn/xwzx/list.htm": read("wild/webplus_block_anchors.html")}

    def answer(request: httpx.Request) -> httpx.Response:
        body = pages.get(str(request.url))
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body.encode("utf-8"),
                              headers={"Content-Type": "text/html; charset=utf-8"})

    src = source(SKY, list_urls=[SKY, "https://www.example.edu.cn/xwzx/list.htm",
                                 "https://www.example.edu.cn/gone.htm"])
    transport = httpx.MockTransport(answer)
    results = probe_source(src, CrawlerSettings(), transport=transport)
    assert [(r.links, r.format) for r in results] == [(8, "blocks"), (10, "blocks"), (0, "")]
    assert results[1].blocks[0].startswith(
        "block ul.news_list.list2 < div#wp_news_w6: 10 links, 10 dated, repeated li structure")
    assert results[2].note == "HTTP error" and not results[2].ok
