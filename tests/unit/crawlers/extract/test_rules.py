"""Extraction rules on small synthetic pages: government metadata tables with labels and
values on separate lines (成文日期, 发文机关), ambiguous ``7/5/2005`` dates, forum reply lists,
header lines under the headline, and English "Related:" / newsletter clutter."""

from __future__ import annotations

from crawlers.extract.article import extract_article
from crawlers.extract.clean import clean_english, clean_lines
from crawlers.extract.dates import parse_date, written_date
from crawlers.extract.fields import labelled_fields

PARA = ("为贯彻落实国务院关于促进生物医药产业发展的决策部署，进一步规范细胞治疗产品研发与临床试验，"
        "现将有关事项通知如下，请各单位结合实际认真组织实施，确保各项工作落到实处。")
SIGN_UP = ("The company said it would sign up more clinics to the programme next year, once the "
           "regulator has agreed on how patients are followed up.")  # a sentence, not a prompt
EN = ("The agency said the approval covers adults with the disease who have no other options, "
      "and that the company must run a confirmatory trial. ")


def test_xxgk_table_written_date_issuer_and_doc_number() -> None:
    page = f"""<html><head><meta name="PubDate" content="2022-01-28 00:00">
    <title>关于加强干细胞临床研究管理的通告</title></head><body><table>
    <tr><td>发文机关：</td><td>吉林省卫生健康委员会</td></tr>
    <tr><td>成文日期：</td><td>2022年01月27日</td></tr>
    <tr><td>发文字号：</td><td>吉卫发〔2022〕3号</td></tr>
    <tr><td>发布日期：</td><td>2022年01月28日</td></tr></table>
    <h1>关于加强干细胞临床研究管理的通告</h1>
    <div class="content"><p>{PARA}</p><p>{PARA}</p></div></body></html>"""
    result = extract_article(page.encode("utf-8"), "")
    assert result["date"] == "2022-01-27"
    assert result["issuer"] == "吉林省卫生健康委员会"
    assert result["doc_number"] == "吉卫发〔2022〕3号"
    assert result["title"] == "关于加强干细胞临床研究管理的通告"


def test_written_date_on_same_line_or_next() -> None:
    assert written_date(["成文日期：2020年4月17日 发布日期：2020年4月19日"]) == "2020-04-17"
    assert written_date(["成文日期：", "2020-04-17"]) == "2020-04-17"
    assert written_date(["发布日期：2020-04-19"]) is None


def test_labelled_value_on_next_line_is_not_another_label() -> None:
    fields = labelled_fields({}, ["来源：", "科研处", "文号：", "发布时间："])
    assert fields["issuer"] == "科研处"
    assert "doc_number" not in fields


def test_ambiguous_slash_dates() -> None:
    assert parse_date("7/5/2005 9:23:57 PM") == "2005-07-05T21:23"
    assert parse_date("7/5/2005 9:23:57 PM", dayfirst=True) == "2005-05-07T21:23"
    assert parse_date("9/17/2004", dayfirst=True) == "2004-09-17"


def test_chinese_page_reads_slash_dates_day_first() -> None:
    page = f"""<html><body><div class="nav"><a href="/">首页</a></div>
    <h2>我是怎样认识细胞治疗的</h2><div>发布日期：</div><div>7/5/2005 9:23:57 PM</div>
    <div class="text"><p>{PARA}</p><p>{PARA}</p></div></body></html>"""
    assert extract_article(page, "")["date"] == "2005-05-07T21:23"


def test_forum_thread_keeps_post_not_reply_list() -> None:
    replies = "".join(
        f'<li><a href="t{i}">回复标题第{i}条</a>【<a href="u{i}">网友{i}</a>】'
        f'<font class="posttime">08-{i % 28 + 1:02d} 16:58</font> {i}字 [{i}/0]</li>'
        for i in range(120))
    page = f"""<html><body><table><tr><td><b>主题：</b>细胞治疗的费用问题</td></tr>
    <tr><td><b>作者：</b><a href="u">芊草</a> <b>时间：</b>2005-08-22 19:13:18</td></tr></table>
    <table><tr><td><p class="large">{PARA}</p></td></tr></table>
    <table><tr><td><ul>{replies}</ul></td></tr></table></body></html>"""
    result = extract_article(page, "")
    assert result["text"] == PARA
    assert result["date"] == "2005-08-22T19:13"


def test_header_line_under_headline_and_related_list() -> None:
    lines = ["标题", "2005-04-05 06:40更新 来源：转载文章", PARA, PARA,
             "相关报道：", "·另一条新闻（2005-04-03 17:19PM）"]
    assert clean_lines(lines) == ["标题", PARA, PARA]


def test_clean_english_drops_pointers_and_prompts() -> None:
    lines = [EN * 3, "Related: The 15 Weirdest Galaxies", "- 15 Amazing Images of Stars",
             EN * 2, "Subscribe to our newsletter for more stories like this.",
             SIGN_UP,
             EN * 2, "You may also like", "Some other story"]
    assert clean_english(lines) == [EN * 3, EN * 2, SIGN_UP, EN * 2]
