"""Article extraction on small synthetic pages (government TRS page, notice with metadata
table and attachments, GBK bytes, English news article)."""

from __future__ import annotations

from crawlers.extract.article import extract_article, is_pointer_page
from crawlers.extract.dates import date_from_url, parse_date

PARA = ("为贯彻落实国务院关于促进生物医药产业发展的决策部署，进一步规范细胞治疗产品研发与临床试验，"
        "现将有关事项通知如下，请各单位结合实际认真组织实施，确保各项工作落到实处。")

TRS_PAGE = f"""<html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="关于开展细胞治疗产品临床研究备案工作的通知">
<meta name="PubDate" content="2020-04-19 10:30">
<meta name="ContentSource" content="广东省科学技术厅">
<title>关于开展细胞治疗产品临床研究备案工作的通知_通知公告_广东省科学技术厅</title></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/tzgg/">通知公告</a></div>
<h1>关于开展细胞治疗产品临床研究备案工作的通知</h1>
<table class="meta"><tr><td>索引号：006940060/2020-00123</td>
<td>发布机构：广东省科学技术厅</td></tr>
<tr><td>发文日期：2020年4月17日</td><td>文号：粤科规范字〔2020〕1号</td></tr></table>
<div class="TRS_Editor"><p>{PARA}</p><p>{PARA}</p><p>一、备案范围。{PARA}</p>
<p>附件：<a href="./P020200419.pdf">备案申请表.pdf</a></p></div>
<div class="footer">版权所有 广东省科学技术厅 地址：广州市连新路171号</div></body></html>"""


def test_government_page_meta_tags_and_table() -> None:
    url = "http://gdstc.gd.gov.cn/zwgk/tzgg/content/post_3001234.html"
    result = extract_article(TRS_PAGE.encode("utf-8"), url)
    assert result["title"] == "关于开展细胞治疗产品临床研究备案工作的通知"
    assert result["date"] == "2020-04-19T10:30"
    assert result["issuer"] == "广东省科学技术厅"
    assert result["doc_number"] == "粤科规范字〔2020〕1号"
    assert result["language"] == "zh" and result["encoding"] == "utf-8"
    assert result["text"].count("贯彻落实国务院") == 3
    assert "版权所有" not in result["text"] and "首页" not in result["text"]
    assert result["attachments"] == [{
        "url": "http://gdstc.gd.gov.cn/zwgk/tzgg/content/P020200419.pdf",
        "name": "备案申请表.pdf", "kind": "pdf"}]
    assert not is_pointer_page(result)


def test_gbk_page_with_title_segments_and_labelled_date() -> None:
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
    <title>我校召开干细胞研究进展座谈会-新闻网-某某医科大学</title></head><body>
    <div class="top"><a href="/">首页</a><a href="/xw/">学校新闻</a></div>
    <div class="article"><div class="bt">我校召开干细胞研究进展座谈会</div>
    <div class="info">发布时间：2021年3月5日 来源：科研处 作者：张三</div>
    <div class="content"><p>{PARA}</p><p>{PARA}</p></div></div></body></html>"""
    result = extract_article(page.encode("gbk"), "")
    assert result["encoding"] == "gb18030"
    assert result["title"] == "我校召开干细胞研究进展座谈会"
    assert result["date"] == "2021-03-05"
    assert result["issuer"] == "科研处" and result["author"] == "张三"
    assert result["text"].startswith("为贯彻落实")


def test_pointer_page_with_attachments() -> None:
    page = """<html><head><title>关于公布2020年度项目评审结果的通知_通知公告</title></head><body>
    <h1>关于公布2020年度项目评审结果的通知</h1><div class="content"><p>详见附件。</p>
    <p><a href="/files/2020/result.docx">评审结果.docx</a></p>
    <p><a href="/files/2020/list.wps">名单</a></p></div></body></html>"""
    result = extract_article(page, "https://kjt.example.gov.cn/tzgg/t20200419_1.html")
    kinds = [a["kind"] for a in result["attachments"]]
    assert kinds == ["docx", "wps"]
    assert result["date"] == "2020-04-19"
    assert is_pointer_page(result)


def test_english_article() -> None:
    sentence = ("The Food and Drug Administration approved the first gene therapy for the "
                "treatment of the disease, the agency said in a statement on Monday. ")
    page = f"""<html lang="en"><head><title>FDA approves gene therapy | Health News</title>
    <meta property="article:published_time" content="2023-12-08T14:00:00Z"></head><body>
    <nav><a href="/">Home</a><a href="/health">Health</a></nav>
    <article><h1>FDA approves gene therapy</h1><p>{sentence * 3}</p><p>{sentence * 2}</p>
    <div class="share"><a href="#">Share on Twitter</a></div></article>
    <aside><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Another one</a></li>
    </ul></aside></body></html>"""
    result = extract_article(page.encode("utf-8"), "https://example.com/news/fda")
    assert result["title"] == "FDA approves gene therapy"
    assert result["date"] == "2023-12-08T14:00+00:00"  # the page's own offset is kept
    assert result["date_source"] == "meta:article:published_time"
    assert result["language"] == "en"
    assert "approved the first gene therapy" in result["text"]
    assert "Share on Twitter" not in result["text"] and "Other story" not in result["text"]


def test_empty_input() -> None:
    result = extract_article(b"", "")
    assert result["text"] == "" and result["title"] is None and result["date"] is None


def test_date_helpers() -> None:
    assert parse_date("发布时间：2020年4月19日 10:30") == "2020-04-19T10:30"
    assert parse_date("日期：2020/4/19") == "2020-04-19"
    assert parse_date("November 20, 2019") == "2019-11-20"
    assert parse_date("no date here") is None
    assert date_from_url("http://a.gov.cn/art/2020/4/19/art_1234_567890.html") == "2020-04-19"
    assert date_from_url("http://a.gov.cn/xxgk/202004/t20200419_3001234.html") == "2020-04-19"
    assert date_from_url("http://a.gov.cn/2020/04/19/x.html") == "2020-04-19"
