"""Building the raw-article message from a fetched page and the extractor's fields."""

from __future__ import annotations

from config.contracts.ids import article_id, content_hash
from config.sources import Source
from crawlers.engine.items import MAX_HTML_CHARS, build_raw_article

SOURCE = Source(id="gd-sci", name="广东省科学技术厅", kind="government", region="广东省",
                language="zh", list_urls=["https://gdstc.gd.gov.cn/tzgg/"])
URL = "https://gdstc.gd.gov.cn/tzgg/content/post_1.html"


def test_fields_from_extractor_source_and_page() -> None:
    fields = {"title": " 关于细胞治疗项目的通知 ", "text": "正文。\n", "date": "2026-11-18",
              "language": "zh", "author": "办公室", "issuer": "广东省科学技术厅",
              "doc_number": "粤科函〔2026〕1号"}
    raw = build_raw_article(SOURCE, URL, "<html>页面</html>", "gb18030", fields,
                            list_url="https://gdstc.gd.gov.cn/tzgg/", status=200,
                            extractor="x/1")
    assert raw.article_id == article_id(URL)
    assert (raw.source_id, raw.source_name, raw.source_kind, raw.region) == (
        "gd-sci", "广东省科学技术厅", "government", "广东省")
    assert raw.title == "关于细胞治疗项目的通知" and raw.text == "正文。"
    assert raw.published == "2026-11-18T00:00:00+08:00"  # a bare date: that day in China
    assert (raw.author, raw.issuer, raw.doc_number) == ("办公室", "广东省科学技术厅",
                                                       "粤科函〔2026〕1号")
    assert (raw.html, raw.encoding, raw.extractor) == ("<html>页面</html>", "gb18030", "x/1")
    assert raw.list_url == "https://gdstc.gd.gov.cn/tzgg/"
    assert raw.content_hash == content_hash("关于细胞治疗项目的通知", "正文。")
    assert raw.revision == 1


def test_list_hints_fill_missing_title_and_date() -> None:
    raw = build_raw_article(SOURCE, URL, "", "utf-8", {"text": "正文"},
                            listed_title="列表标题", listed_date="2026-11-17")
    assert raw.title == "列表标题"
    assert raw.published == "2026-11-17T00:00:00+08:00"


def test_extracted_title_and_date_win_over_list_hints() -> None:
    raw = build_raw_article(SOURCE, URL, "", "utf-8", {"title": "页面标题", "date": "2026-11-18"},
                            listed_title="列表标题", listed_date="2026-11-17")
    assert (raw.title, raw.published) == ("页面标题", "2026-11-18T00:00:00+08:00")


def test_language_defaults_to_the_source_language() -> None:
    assert build_raw_article(SOURCE, URL, "", "utf-8", {}).language == "zh"
    assert build_raw_article(SOURCE, URL, "", "utf-8", {"language": "en"}).language == "en"


def test_attachments_without_url_are_dropped() -> None:
    fields = {"attachments": [{"url": "https://a.gov.cn/1.pdf", "name": "附件1", "kind": "pdf"},
                              {"name": "no url"}, "not a dict",
                              {"url": "https://a.gov.cn/2.docx", "name": None}]}
    raw = build_raw_article(SOURCE, URL, "", "utf-8", fields)
    assert [(a.url, a.name, a.kind) for a in raw.attachments] == [
        ("https://a.gov.cn/1.pdf", "附件1", "pdf"), ("https://a.gov.cn/2.docx", "", "")]


def test_page_html_is_capped() -> None:
    raw = build_raw_article(SOURCE, URL, "x" * (MAX_HTML_CHARS + 10), "utf-8", {})
    assert len(raw.html) == MAX_HTML_CHARS


def test_same_content_same_hash_whatever_the_page_chrome() -> None:
    one = build_raw_article(SOURCE, URL, "<html>A</html>", "utf-8", {"title": "T", "text": "B"})
    two = build_raw_article(SOURCE, URL, "<html>Z</html>", "utf-8", {"title": "T", "text": "B"})
    assert one.content_hash == two.content_hash


def test_published_keeps_the_page_offset_else_the_source_zone() -> None:
    fda = Source(id="fda", name="FDA", kind="regulator", language="en",
                 timezone="America/New_York", feeds=["https://www.fda.gov/rss.xml"])
    page = {"date": "2026-11-18T09:30+08:00"}
    assert build_raw_article(SOURCE, URL, "", "utf-8", page).published == \
        "2026-11-18T09:30:00+08:00"
    naive = {"date": "2026-11-18T09:30"}
    assert build_raw_article(SOURCE, URL, "", "utf-8", naive).published == \
        "2026-11-18T09:30:00+08:00"  # a Chinese source: Asia/Shanghai
    assert build_raw_article(fda, URL, "", "utf-8", naive).published == \
        "2026-11-18T09:30:00-05:00"  # stated in sources.yaml
