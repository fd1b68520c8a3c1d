"""Hosts of a list's site (``crawlers.links.hosts``), split date badges, script-only pagers."""

from __future__ import annotations

from datetime import date

import pytest

from config.sources import LinkHosts
from crawlers.links.dates import date_text, find_date
from crawlers.links.hosts import host_matches, registrable_domain, site_of
from crawlers.links.pages import find_next_pages, has_pager, script_pages


@pytest.mark.parametrize(("host", "domain"), [
    ("news.xxx.edu.cn", "xxx.edu.cn"), ("www.xxx.edu.cn", "xxx.edu.cn"),
    ("kjt.zj.gov.cn", "zj.gov.cn"), ("www.gov.cn", "www.gov.cn"), ("a.b.com.cn", "b.com.cn"),
    ("www.bbc.co.uk", "bbc.co.uk"), ("lib.ox.ac.uk", "ox.ac.uk"), ("mp.weixin.qq.com", "qq.com"),
    ("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"), ("WWW.Example.COM.", "example.com")])
def test_registrable_domain_offline(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_site_of_by_policy() -> None:
    base = "https://www.xxx.edu.cn/xwzx/list.htm"
    assert site_of("https://news.xxx.edu.cn/2024/0521/c1a2/page.htm", base) == "site"
    assert site_of("https://www.yyy.edu.cn/a.htm", base) == "off"
    assert site_of("https://mp.weixin.qq.com/s/x", base) == "off"
    by_host = LinkHosts(same_site="host", allowed_hosts=("mp.weixin.qq.com", "*.xxx.edu.cn"))
    assert site_of("https://news.xxx.edu.cn/a.htm", base, by_host) == "allowed"
    assert site_of("https://mp.weixin.qq.com/s/x", base, by_host) == "allowed"
    assert site_of("https://news.xxx.edu.cn/a.htm", base, LinkHosts(same_site="host")) == "off"
    assert site_of("http://www.xxx.edu.cn:8080/a.htm", base) == "site"


@pytest.mark.parametrize(("pattern", "host", "expected"), [
    ("mp.weixin.qq.com", "mp.weixin.qq.com", True), ("mp.weixin.qq.com", "weixin.qq.com", False),
    ("*.x.gov.cn", "kjt.x.gov.cn", True), (".x.gov.cn", "x.gov.cn", True),
    ("*.x.gov.cn", "xx.gov.cn", False)])
def test_host_patterns(pattern: str, host: str, expected: bool) -> None:
    assert host_matches(host, pattern) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("21 2024-05", "2024-05-21"), ("2024-05 21", "2024-05-21"), ("05-21 2024", "2024-05-21"),
    ("21日 2024年5月", "2024-05-21"), ("第21 2024-05 届", None), ("2024-05-21", "2024-05-21")])
def test_split_date_badges(text: str, expected: str | None) -> None:
    assert find_date(text, today=date(2024, 6, 1)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("发布时间：2024.05.21", "2024-05-21"), ("[05-20]", "2024-05-20"), ("2024", None),
    ("学院 2024-05-21", None), ("2024-05-21 10:30", "2024-05-21")])
def test_date_text_is_a_date_and_nothing_else(text: str, expected: str | None) -> None:
    assert date_text(text, today=date(2024, 6, 1)) == expected


def test_vsb_query_pagers() -> None:
    page = "https://x.edu.cn/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1011"
    html = ('<div class="pb_sys_common"><a href="?a2t=9&a2p=2&a2c=20&urltype=tree.TreeTempUrl'
            '&wbtreeid=1011">2</a><a href="?a2t=9&a2p=9&a2c=20&urltype=tree.TreeTempUrl'
            '&wbtreeid=1011">9</a></div>')
    assert find_next_pages(html, page, page) == [
        "https://x.edu.cn/list.jsp?a2t=9&a2p=2&a2c=20&urltype=tree.TreeTempUrl&wbtreeid=1011"]
    linked = '<span class="p_next"><a href="list.jsp?totalpage=9&PAGENUM=2&wbtreeid=1011">下页</a>'
    assert find_next_pages(linked, page, page) == [
        "https://x.edu.cn/list.jsp?totalpage=9&PAGENUM=2&wbtreeid=1011"]


def test_script_only_pager() -> None:
    page = "https://x.edu.cn/list.jsp?wbtreeid=1011"
    script = "<script>var totalpage = 3; go('list.jsp?PAGENUM=' + n);</script>"
    assert script_pages(script, page) == [
        "https://x.edu.cn/list.jsp?wbtreeid=1011&totalpage=3&PAGENUM=2"]
    third = "https://x.edu.cn/list.jsp?wbtreeid=1011&totalpage=3&PAGENUM=3"
    assert script_pages(script, third) == []
    assert script_pages("<p>no pager</p>", page) == []


@pytest.mark.parametrize(("html", "expected"), [
    ('<script>createPageHTML(5, 0, "index", "html");</script>', True),
    ('<div class="pages"><a href="2.htm">2</a></div>', True),
    ('<a href="list2.htm">下一页</a>', True), ('<link rel="next" href="?page=2">', True),
    ('<div class="page-content"><ul><li>x</li></ul></div>', False),
    ('<div class="box"><a class="more" href="tzgg/">更多</a></div>', False)])
def test_has_pager(html: str, expected: bool) -> None:
    assert has_pager(html) is expected


@pytest.mark.parametrize("html", ["<span>共 12 页</span>", "<span>第 1/12 页</span>",
                                  "<em>每页 20 条</em>", "<script>laypage.render({})</script>"])
def test_pager_text_cues(html: str) -> None:
    assert has_pager(html)


def test_a_page_key_without_a_total_is_no_pager() -> None:
    search_box = "<script>function go(q){location='search.jsp?q='+q+'&pageNo=1';}</script>"
    assert script_pages(search_box, "https://x.edu.cn/list.htm") == []
