"""Hanweb data proxy, pagination, feeds and sitemaps (``crawlers.links.discover`` re-exports)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from config.sources import Selectors
from crawlers.links.discover import (
    HanwebProxyRequest,
    find_next_pages,
    hanweb_dataproxy_urls,
    parse_feed,
    parse_hanweb_dataproxy,
    parse_sitemap,
)

LISTS = Path(__file__).resolve().parents[3] / "fixtures" / "lists"
GD = "http://gdstc.gd.gov.cn/col/col2201/index.html"


def read(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


def test_dataproxy_response_records() -> None:
    links = parse_hanweb_dataproxy(read("hanweb_dataproxy.xml"), GD, today=date(2020, 6, 1))
    assert len(links) == 4
    assert links[0].url == "http://gdstc.gd.gov.cn/art/2020/3/30/art_2201_888120.html"
    assert links[0].title == "关于干细胞临床研究机构备案的通知"
    assert links[2].url.startswith("https://www.gd.gov.cn/zwgk/")
    assert links[3].date == "2020-03-18"


def test_dataproxy_request_from_column_page() -> None:
    requests = hanweb_dataproxy_urls(read("hanweb_column.html"), GD)
    assert len(requests) == 1
    request = requests[0]
    assert isinstance(request, HanwebProxyRequest) and request.method == "POST"
    parts = urlsplit(request.url)
    assert parts.netloc == "gdstc.gd.gov.cn" and parts.path == "/module/web/jpage/dataproxy.jsp"
    assert parse_qs(parts.query) == {"startrecord": ["1"], "endrecord": ["60"], "perpage": ["20"]}
    assert request.form["columnid"] == "2201"
    assert request.form["unitid"] == "4567"
    assert request.form["webid"] == "180"
    assert request.form["webname"] == "广东省科学技术厅"
    assert request.form["col"] == "1" and request.form["permissiontype"] == "0"
    assert request.form["sourceContentType"] == "1"


def test_dataproxy_request_from_script_only() -> None:
    html = """<script>var proxy = "/module/web/jpage/dataproxy.jsp";
      $('#88').jpage({proxyUrl: proxy, perPage: 15, columnid: '1229', unitid: '88',
      webid: '2', path: '/', webname: 'X'});</script>"""
    (request,) = hanweb_dataproxy_urls(html, "https://wsjkw.example.gov.cn/col/col1229/")
    assert request.url.endswith("dataproxy.jsp?startrecord=1&endrecord=45&perpage=15")
    assert request.form["columnid"] == "1229" and request.form["unitid"] == "88"


def test_no_dataproxy_on_plain_page() -> None:
    assert hanweb_dataproxy_urls(read("plain_ul.html"), "https://news.dmu.edu.cn/") == []


def test_trs_create_page_html() -> None:
    page = "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index.html"
    assert find_next_pages(read("trs_list.html"), page, page) == [
        "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index_1.html",
        "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index_2.html",
        "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index_3.html",
    ]


def test_trs_newer_signature_on_a_later_page() -> None:
    html = "<div id='page_div'></div><script>createPageHTML('page_div',4, 2,'index','shtml',60);"
    html += "</script>"
    page = "http://x.gov.cn/a/index_2.shtml"
    assert find_next_pages(html, page, page) == ["http://x.gov.cn/a/index_3.shtml"]


def test_next_text_link() -> None:
    page = "https://news.dmu.edu.cn/xxxw.htm"
    assert find_next_pages(read("plain_ul.html"), page, page) == [
        "https://news.dmu.edu.cn/xxxw/2.htm"]


def test_rel_next() -> None:
    page = "https://www.fda.gov/news-events/fda-newsroom/press-announcements"
    assert find_next_pages(read("fda_list.html"), page, page) == [page + "?page=1"]


def test_query_page_numbers() -> None:
    page = "https://www.nih.gov/news-events/news-releases"
    html = read("nih_list.html")
    assert find_next_pages(html, page, page) == [page + "?page=0"]
    assert find_next_pages(html, page, page + "?page=1") == [page + "?page=2"]
    assert find_next_pages(html, page, page + "?page=2") == []


def test_next_page_selector() -> None:
    page = "https://news.dmu.edu.cn/xxxw.htm"
    selectors = Selectors(next_page="//div[@class='pages']/a[last()]/@href")
    assert find_next_pages(read("plain_ul.html"), page, page, selectors) == [
        "https://news.dmu.edu.cn/xxxw/9.htm"]


def test_rss_feed() -> None:
    links = parse_feed((LISTS / "feed_rss.xml").read_bytes(), "https://www.ema.europa.eu/en/news")
    assert [link.date for link in links] == ["2024-04-19", "2024-04-12", None]
    assert links[1].url == "https://www.ema.europa.eu/en/news/meeting-highlights-cat-april-2024"
    assert links[2].url.endswith("guid-only-item")
    assert links[0].title.startswith("First gene therapy")


def test_atom_feed() -> None:
    links = parse_feed((LISTS / "feed_atom.xml").read_bytes(), "https://www.nih.gov/")
    assert links[0].url.endswith("nih-launches-program-accelerate-gene-editing-therapies")
    assert links[0].date == "2024-04-19"
    assert links[1].url.startswith("https://www.nih.gov/news-events/")


def test_broken_feed_is_empty() -> None:
    assert parse_feed(b"", "http://a.example/") == []
    assert parse_feed(b"not xml at all", "http://a.example/") == []


def test_sitemap_urlset() -> None:
    pages, children = parse_sitemap((LISTS / "sitemap.xml").read_bytes(),
                                    "https://www.example.gov.cn/sitemap.xml")
    assert children == []
    assert [p.date for p in pages] == ["2024-05-20", "2024-05-18", "2024-05-15"]
    assert pages[2].title == "细胞治疗产业园开园"


def test_sitemap_index() -> None:
    pages, children = parse_sitemap((LISTS / "sitemap_index.xml").read_bytes(),
                                    "https://www.example.gov.cn/sitemap.xml")
    assert pages == []
    assert children == ["https://www.example.gov.cn/sitemap-news.xml",
                        "https://www.example.gov.cn/sitemap-notices.xml"]
