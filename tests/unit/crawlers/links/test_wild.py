"""List pages in the styles of Chinese university and government CMSs, found without selectors.

Fixtures in ``tests/fixtures/lists/wild`` (expected links and next pages in ``expected.json``):
WebPlus (博达) lists whose ``<a>`` wraps image, title, summary and a split date badge, items on
sibling subdomains and WeChat; a portal whose cards are the links; a VSB dynamic list
(``content.jsp?…&wbnewsid=N``, department and date spans before the link, 【category】
prefix, script-only pager); a government information hub with several column boxes (one tab
hidden by inline style, media coverage off-site); a paged list with a sidebar marked up like
it and items hidden until "加载更多"; a college column listing only WeChat articles.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from config.sources import LinkHosts
from crawlers.links.discover import find_article_links, find_next_pages, list_blocks
from crawlers.links.model import link_title

WILD = Path(__file__).resolve().parents[3] / "fixtures" / "lists" / "wild"
CASES: dict[str, dict[str, Any]] = json.loads((WILD / "expected.json").read_text("utf-8"))
TODAY = date(2024, 6, 1)


def page(name: str) -> tuple[str, str]:
    return (WILD / name).read_text("utf-8"), CASES[name]["base_url"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_listed_article_and_nothing_else(name: str) -> None:
    html, base = page(name)
    links = find_article_links(html, base, today=TODAY)
    assert [link.url for link in links] == CASES[name]["urls"]
    assert all(link.title and link.date for link in links)


@pytest.mark.parametrize("name", sorted(CASES))
def test_next_page(name: str) -> None:
    html, base = page(name)
    assert find_next_pages(html, base, base)[:1] == CASES[name]["next_pages"][:1]


def test_webplus_cards_title_and_split_date_from_inside_the_link() -> None:
    html, base = page("webplus_block_anchors.html")
    links = find_article_links(html, base, today=TODAY)
    assert links[0].title == "我校与省细胞治疗产业联盟签署战略合作协议"  # not the summary
    assert [link.date for link in links[:3]] == ["2024-05-28", "2024-05-26", "2024-05-24"]
    hosts = {link.url.split("/")[2] for link in links}
    assert hosts == {"news.example.edu.cn", "www.example.edu.cn", "jwc.example.edu.cn",
                     "mp.weixin.qq.com"}


def test_portal_cards_are_the_links() -> None:
    html, base = page("portal_card_anchors.html")
    links = find_article_links(html, base, today=TODAY)
    assert links[1].title == "关于征集2025年度科技计划项目指南建议的通知（2）"
    assert links[1].date == "2024-05-26"
    assert find_next_pages(html, base, base)[-1].endswith("/bmdt/index_7.html")


def test_vsb_dynamic_urls_dates_before_the_link_and_category_prefix() -> None:
    html, base = page("vsb_dynamic.html")
    links = find_article_links(html, base, today=TODAY)
    assert links[0].title == "生命科学学院举办干细胞与再生医学学术论坛"
    assert links[0].date == "2024-05-28" and links[-1].date == "2024-05-14"
    assert not any("/info/" in link.url for link in links)  # the undated sidebar stays out


def test_vsb_script_pager_on_a_later_page() -> None:
    html, _ = page("vsb_dynamic.html")
    here = ("https://www.example.edu.cn/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1011"
            "&totalpage=15&PAGENUM=14")
    assert find_next_pages(html, here, here) == [here.replace("PAGENUM=14", "PAGENUM=15")]
    last = here.replace("PAGENUM=14", "PAGENUM=15")
    assert find_next_pages(html, last, last) == []


def test_hub_every_column_box_counts() -> None:
    html, base = page("hub_blocks.html")
    choice = list_blocks(html, base, today=TODAY)
    assert len(choice.links) == 49
    assert [block.links for block in choice.blocks] == [8, 8, 7, 8, 6, 6, 6]
    assert any("people.com.cn" in link.url for link in choice.links)  # the hidden tab
    assert not any("/ztzl/" in link.url or "zfxxgk" in link.url for link in choice.links)


def test_paged_list_keeps_hidden_items_and_leaves_the_dated_sidebar() -> None:
    html, base = page("list_dated_sidebar.html")
    links = find_article_links(html, base, today=TODAY)
    assert len(links) == 15 and links[-1].url.endswith("_7015.html")  # display:none items
    assert not any("/kjdt/" in link.url for link in links)


def test_the_same_page_without_its_pager_still_leaves_the_sidebar() -> None:
    html, base = page("list_dated_sidebar.html")
    unpaged = html.replace('createPageHTML(6, 0, "index", "html");', "")
    links = find_article_links(unpaged, base, today=TODAY)
    assert len(links) == 15 and not any("/kjdt/" in link.url for link in links)


def test_wechat_column_and_host_policies() -> None:
    html, base = page("wechat_column.html")
    assert len(find_article_links(html, base, today=TODAY)) == 8
    strict = LinkHosts(same_site="host", off_site="drop")
    assert find_article_links(html, base, today=TODAY, hosts=strict) == []
    widened = LinkHosts(same_site="host", off_site="drop", allowed_hosts=("mp.weixin.qq.com",))
    assert len(find_article_links(html, base, today=TODAY, hosts=widened)) == 8


def test_off_site_block_loses_to_the_sites_own_list() -> None:
    rows = "".join(f'<li><a href="{{host}}/{n}/t2024052{n}_{n}.html">基因治疗临床研究进展'
                   f'报道第{n}篇</a><span>2024-05-2{n}</span></li>' for n in range(1, 9))
    html = ("<body><div class=main><ul>" + rows.replace("{host}", "https://kjt.example.gov.cn/a")
            + "</ul></div><div class=media><ol>" + rows.replace("{host}", "https://news.example.com")
            + "</ol></div><div class=page>下一页</div></body>")
    links = find_article_links(html, "https://www.example.gov.cn/tzgg/", today=TODAY)
    assert {link.url.split("/")[2] for link in links} == {"kjt.example.gov.cn"}


def test_the_chosen_block_is_explained() -> None:
    html, base = page("webplus_block_anchors.html")
    (block,) = list_blocks(html, base, today=TODAY).blocks
    assert block.describe().startswith(
        "block ul.news_list.list2 < div#wp_news_w6: 10 links, 10 dated, repeated li structure")
    assert "paged list" in block.describe()


def test_drupal_rows_with_odd_even_first_last_classes_are_one_list() -> None:
    html, base = page("drupal_views.html")
    links = find_article_links(html, base, today=TODAY)
    assert len(links) == 10 and links[0].date == "2024-05-25"  # the date in a sibling field
    assert find_next_pages(html, base, base) == [base + "?page=1"]


def test_definition_list_date_in_the_next_dd() -> None:
    html, base = page("dl_items.html")
    assert [link.date for link in find_article_links(html, base, today=TODAY)][:2] == [
        "2024-05-20", "2024-05-19"]


def test_small_hub_boxes_in_three_markups() -> None:
    html, base = page("college_hub.html")
    choice = list_blocks(html, base, today=TODAY)
    assert [block.links for block in choice.blocks] == [6, 6, 6]
    assert [link.date for link in choice.links][6:8] == ["2024-05-20", "2024-05-19"]


def test_each_item_wrapped_on_its_own_is_kept_whole() -> None:
    items = "".join(
        f'<div class="wrap"><div class="inner"><ul><li><a href="/a/t2024051{n}_{n}.html">'
        f'细胞治疗临床研究项目第{n}批立项公示</a><span>2024-05-1{n}</span></li></ul></div></div>'
        for n in range(6))
    html = f'<body><div class="list">{items}</div><div class="page">下一页</div></body>'
    links = find_article_links(html, "https://kjt.example.gov.cn/tzgg/", today=TODAY)
    assert len(links) == 6


def _box(key: str, count: int) -> str:
    items = "".join(f'<li><a href="/{key}/202405/t202405{20 - n:02d}_{n}.html">示例省{key}栏目'
                    f'发布第{n}号工作通知</a><span>2024-05-{20 - n:02d}</span></li>'
                    for n in range(count))
    return (f'<div class="box"><div class="hd"><h3>{key}</h3><a href="/{key}/">更多</a></div>'
            f'<ul class="list">{items}</ul></div>')


def test_hub_with_one_big_box_and_a_picture_news_box_keeps_every_box() -> None:
    pictures = "".join(
        f'<div class="pic"><a href="/tpxw/202405/t2024051{n}_{n}.html"><img src="/p{n}.jpg" '
        f'alt="细胞治疗产业园第{n}期项目集中签约仪式"></a><p>细胞治疗产业园第{n}期项目集中签约仪式</p></div>'
        for n in range(4))
    html = ('<body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>'
            '<div class="row">' + _box("yw", 10) + _box("tzgg", 5) + '</div><div class="row">'
            + _box("zcwj", 5) + _box("rsxx", 5) + '</div><div class="row"><div class="box tpxw">'
            + pictures + "</div></div><div class=\"footer\"><a href=\"/wzdt/\">网站地图</a></div>"
            + "</body>")
    choice = list_blocks(html, "https://www.example.gov.cn/zwgk/", today=TODAY)
    assert len(choice.links) == 29
    assert sorted(block.links for block in choice.blocks) == [4, 5, 5, 5, 10]


def test_a_headline_item_of_another_shape_in_the_same_list_joins_it() -> None:
    plain = "".join(f'<li><a href="/tzgg/202405/t202405{20 - n:02d}_{n}.html">关于第{n}批细胞治疗'
                    f'临床研究项目的通知</a><span>2024-05-{20 - n:02d}</span></li>'
                    for n in range(1, 13))
    headline = ('<li class="top"><div class="pic"><a href="/tzgg/202405/t20240521_0.html">'
                '<img src="/p.jpg"></a></div><h3><a href="/tzgg/202405/t20240521_0.html">'
                '全省细胞治疗产业发展大会召开</a></h3><p>大会总结了一年来的工作。</p>'
                '<span>2024-05-21</span></li>')
    side = "".join(f'<li><a href="/kjdt/202405/t2024051{n}_{n}.html">科技动态第{n}条消息'
                   f'标题文字</a><span>2024-05-1{n}</span></li>' for n in range(5))
    html = (f'<body><div class="left"><ul class="list">{side}</ul></div><div class="right">'
            f'<ul class="list">{headline}{plain}</ul><div id="pages"></div></div></body>')
    links = find_article_links(html, "https://kjt.example.gov.cn/tzgg/", today=TODAY)
    assert [link.url.rsplit("/", 1)[1] for link in links][:2] == [
        "t20240521_0.html", "t20240519_1.html"]
    assert len(links) == 13 and links[0].title == "全省细胞治疗产业发展大会召开"


def test_a_flat_list_takes_the_date_beside_each_link() -> None:
    rows = "".join(f'<a href="/xw/content.jsp?id={n}">细胞治疗临床研究第{n}项进展报道</a>'
                   f'<span class="date">2024-05-1{n}</span><br/>' for n in range(5))
    html = f'<body><div class="list">{rows}</div><div class="fanye">下一页</div></body>'
    links = find_article_links(html, "https://x.example.edu.cn/xw/", today=TODAY)
    assert [link.date for link in links] == [f"2024-05-1{n}" for n in range(5)]


@pytest.mark.parametrize(("anchor", "title"), [
    ('<a href="/a/1.htm" title="点击查看详情"><p>关于开展2024年度细胞治疗项目申报的通知</p>'
     '<span>2024-05-21</span></a>', "关于开展2024年度细胞治疗项目申报的通知"),
    ('<a href="/a/1.htm" title="关于开展2024年度细胞治疗项目申报工作的通知"><div class="t">'
     '关于开展2024年度…</div><span>2024-05-21</span></a>',
     "关于开展2024年度细胞治疗项目申报工作的通知"),
    ('<a href="/a/1.htm"><span>2024-05-21</span>学校召开科研工作会议</a>', "学校召开科研工作会议"),
    ('<a href="/a/1.htm">【通知】关于举办青年教师教学竞赛的通知</a>',
     "关于举办青年教师教学竞赛的通知"),
    ('<a href="/a/1.htm"><img src="/i.gif">学校召开科研工作会议</a>', "学校召开科研工作会议")])
def test_listed_titles(anchor: str, title: str) -> None:
    assert link_title(lxml.html.fragment_fromstring(anchor)) == title
