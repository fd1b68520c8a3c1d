"""List-page discovery over the hand-written fixtures in ``tests/fixtures/lists``."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from config.sources import Selectors
from crawlers.links.dates import date_from_url, find_date
from crawlers.links.discover import ListedLink, find_article_links

LISTS = Path(__file__).resolve().parents[3] / "fixtures" / "lists"
TODAY = date(2024, 6, 1)


def read(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


def test_trs_list_keeps_the_column_and_skips_navigation() -> None:
    base = "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index.html"
    links = find_article_links(read("trs_list.html"), base, today=TODAY)
    assert len(links) == 8
    first = links[0]
    assert first == ListedLink(
        url="http://kjt.ln.gov.cn/kjt/zwgk/tzgg/202004/t20200419_3001234.html",
        title="关于组织申报2020年度干细胞临床研究项目的通知", date="2020-04-19")
    assert links[-1].url == "http://kjt.ln.gov.cn/kjt/kjdt/202003/t20200325_3000912.html"
    assert all(link.date for link in links)
    assert not any("ztzl" in link.url or link.url[-7:] == "gov.cn/" for link in links)


def test_listed_link_is_frozen() -> None:
    link = ListedLink(url="http://a.example/x.html")
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.url = "http://b.example/"  # type: ignore[misc]


def test_hanweb_inline_datastore_records() -> None:
    base = "http://gdstc.gd.gov.cn/col/col2201/index.html"
    links = find_article_links(read("hanweb_column.html"), base, today=TODAY)
    assert [link.url for link in links] == [
        "http://gdstc.gd.gov.cn/art/2020/4/19/art_2201_890123.html",
        "http://gdstc.gd.gov.cn/art/2020/4/16/art_2201_889977.html",
        "http://gdstc.gd.gov.cn/art/2020/4/10/art_2201_889501.html",
    ]
    assert links[0].title == "广东省科学技术厅关于细胞治疗重点专项项目立项的公示"
    assert links[0].date == "2020-04-19"


def test_plain_list_with_short_dates_takes_year_from_today() -> None:
    links = find_article_links(read("plain_ul.html"), "https://news.dmu.edu.cn/xxxw.htm",
                               today=TODAY)
    assert len(links) == 5
    assert links[0].url == "https://news.dmu.edu.cn/info/1011/23456.htm"
    assert links[0].date == "2024-05-20"
    assert links[-1].title == "“传承红色基因”主题党日活动举行"


def test_table_of_notices_with_chinese_dates() -> None:
    links = find_article_links(read("table_notices.html"), "http://wsjkw.example.gov.cn/tzgg/",
                               today=TODAY)
    assert [link.date for link in links] == ["2024-05-21", "2024-05-18", "2024-05-09"]
    assert links[0].title.startswith("关于公布2024年度细胞治疗")


def test_fda_like_views_rows_with_time_elements() -> None:
    base = "https://www.fda.gov/news-events/fda-newsroom/press-announcements"
    links = find_article_links(read("fda_list.html"), base, today=TODAY)
    assert len(links) == 3
    assert links[0].url.endswith("/fda-approves-first-gene-therapy-treat-severe-hemophilia")
    assert links[0].url.startswith("https://www.fda.gov/news-events/press-announcements/")
    assert [link.date for link in links] == ["2024-05-21", "2024-05-14", "2024-05-10"]


def test_nih_like_teasers_with_english_dates() -> None:
    links = find_article_links(read("nih_list.html"),
                               "https://www.nih.gov/news-events/news-releases", today=TODAY)
    assert [link.date for link in links] == ["2024-04-19", "2024-04-12", "2024-04-03"]
    assert "gene-editing" in links[0].url


def test_gbk_page_decoded_as_gb18030() -> None:
    raw = (LISTS / "gbk_list.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    html = raw.decode("gb18030")
    links = find_article_links(html, "http://www.dljp.gov.cn/xwdt/index.html", today=TODAY)
    assert len(links) == 4
    assert links[0].title == "大连自贸片区与大连医科大学共建基因细胞治疗先行示范区"
    assert "堃" in links[3].title
    assert links[0].date == "2024-05-20"


def test_selector_overrides_css_and_xpath() -> None:
    html = read("trs_list.html")
    base = "http://kjt.ln.gov.cn/kjt/zwgk/tzgg/index.html"
    css = find_article_links(html, base, Selectors(links="ul.zt li", date="span"), today=TODAY)
    assert [link.title for link in css] == ["科技创新专题", "优化营商环境"]
    xpath = find_article_links(html, base, Selectors(links="//ul[@class='list_ul']/li",
                                                     date="//span"), today=TODAY)
    assert len(xpath) == 8 and xpath[3].date == "2020-04-10"
    hrefs = find_article_links(html, base, Selectors(links="(//ul[@class='list_ul'])[1]//a/@href"))
    assert len(hrefs) == 5 and hrefs[0].date == "2020-04-19"


def test_bad_selector_names_itself() -> None:
    with pytest.raises(ValueError, match="invalid selector"):
        find_article_links("<html><body><a href='/x'>x</a></body></html>", "http://a.example/",
                           Selectors(links="ul[[["))


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<?xml version='1.0'?><a/>"])
def test_empty_or_odd_input(html: str) -> None:
    assert find_article_links(html, "http://a.example/") == []


def test_skips_javascript_mailto_and_home_pages() -> None:
    rows = [("javascript:openWin('x')", "关于细胞治疗临床研究项目备案的通知公告"),
            ("mailto:a@b.cn", "联系我们关于细胞治疗临床研究的邮件地址"),
            ("http://www.other.gov.cn/", "其他政府网站首页链接文字很长很长"),
            ("/art/2024/5/2/art_1_2.html", "关于干细胞临床研究机构备案的通知")]
    items = "".join(f'<li><a href="{href}">{title}</a><span>2024-05-02</span></li>'
                    for href, title in rows)
    html = f"<html><body><ul>{items}</ul></body></html>"
    links = find_article_links(html, "http://x.gov.cn/col/col1/index.html")
    assert [link.url for link in links] == ["http://x.gov.cn/art/2024/5/2/art_1_2.html"]


@pytest.mark.parametrize(("text", "expected"), [
    ("发布时间：2020-04-19 10:30", "2020-04-19"),
    ("2020/4/9", "2020-04-09"),
    ("2020.04.19", "2020-04-19"),
    ("2020年4月19日", "2020-04-19"),
    ("Apr 19, 2020", "2020-04-19"),
    ("September 3, 2021", "2021-09-03"),
    ("19 April 2020", "2020-04-19"),
    ("[04-19]", "2024-04-19"),
    ("[12-19]", "2023-12-19"),
    ("电话 0411-87654321", None),
    ("2020-02-30", None),
])
def test_find_date_forms(text: str, expected: str | None) -> None:
    assert find_date(text, "", TODAY) == expected


def test_short_date_takes_year_from_url() -> None:
    assert find_date("[04-19]", "http://x.cn/202004/t20200419_1.html", TODAY) == "2020-04-19"


@pytest.mark.parametrize(("url", "expected"), [
    ("http://x.cn/xwdt/202004/t20200419_3001234.html", "2020-04-19"),
    ("http://x.cn/art/2020/4/9/art_1234_567890.html", "2020-04-09"),
    ("http://x.cn/news/20200419/abc.html", "2020-04-19"),
    ("http://x.cn/info/1011/23456.htm", None),
])
def test_date_from_url(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected
