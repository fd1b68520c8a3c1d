"""Rendering alerts: untrusted titles stay literal text in Slack, HTML and mail headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from alerts.render import header_safe, render_email, render_record, render_slack, slack_escape
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule

Make = Callable[..., ClassifiedArticle]
RULE = Rule(name="cgt-main", channels=["slack"])
HOSTILE = "细胞治疗 <!channel> <@U123> <http://evil.example|click here> & <#C999>"


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def test_slack_escape() -> None:
    assert slack_escape("a & b <!here> <@U1>") == "a &amp; b &lt;!here&gt; &lt;@U1&gt;"


def test_hostile_title_stays_literal_text_in_slack(make_article: Make) -> None:
    article = make_article(title=HOSTILE, source_name="来源 <!everyone>")
    payload = render_slack(RULE, article)
    for text in strings(payload):
        for control in ("<!channel>", "<@U123>", "<http://evil", "<#C999>", "<!everyone>"):
            assert control not in text
    assert payload["text"] == ("[cgtwatch] 细胞治疗 &lt;!channel&gt; &lt;@U123&gt; "
                               "&lt;http://evil.example|click here&gt; &amp; &lt;#C999&gt;")
    body = payload["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt;" in body and "&amp;" in body
    assert "来源 &lt;!everyone&gt;" in body


def test_slack_message_links_the_article_once(make_article: Make) -> None:
    article = make_article(url="https://a.gov.cn/news/1.html", title="基因治疗")
    payload = render_slack(RULE, article)
    body = payload["blocks"][0]["text"]["text"]
    assert body.startswith("*<https://a.gov.cn/news/1.html|基因治疗>*")
    assert body.count("<") == 1
    assert payload["unfurl_links"] is False
    assert "cgt-main" in payload["blocks"][1]["elements"][0]["text"]


def test_slack_link_cannot_be_broken_out_of_by_the_url(make_article: Make) -> None:
    article = make_article(url="https://a.gov.cn/x?a=1|fake>label", title="t")
    body = render_slack(RULE, article)["blocks"][0]["text"]["text"]
    assert body.startswith("*<https://a.gov.cn/x?a=1%7Cfake%3Elabel|t>*")


def test_slack_shows_labels_where_and_evidence(make_article: Make) -> None:
    article = make_article(cell=("primary", 0.91), gene=("secondary", 0.5),
                           regions=[("广东省", "Guangdong")], published="2026-11-18")
    body = render_slack(RULE, article)["blocks"][0]["text"]["text"]
    assert "cell_therapy (primary, 0.91), gene_therapy (secondary, 0.50)" in body
    assert "广东省科学技术厅 · Guangdong · 2026-11-18" in body
    assert "… CAR-T …" in body


def test_title_falls_back_to_url(make_article: Make) -> None:
    article = make_article(title="", url="https://a.gov.cn/1.html")
    assert render_slack(RULE, article)["text"] == "[cgtwatch] https://a.gov.cn/1.html"
    assert render_email(RULE, article).subject == "[cgtwatch] https://a.gov.cn/1.html"


def test_email_subject_has_no_line_breaks(make_article: Make) -> None:
    email = render_email(RULE, make_article(title="细胞治疗\r\nBcc: x@y\nX-Evil: 1\t"))
    assert "\r" not in email.subject and "\n" not in email.subject
    assert email.subject.startswith("[cgtwatch] 细胞治疗")


def test_header_safe() -> None:
    assert header_safe("a\r\nb\x00c\x7f") == "a b c"
    assert len(header_safe("长" * 500)) == 200
    assert header_safe("x" * 50, limit=10) == "x" * 10


def test_email_html_is_escaped(make_article: Make) -> None:
    article = make_article(title="<script>alert(1)</script> & co",
                           url='https://a.gov.cn/?q="><img src=x onerror=alert(1)>')
    html = render_email(RULE, article).html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert 'href="https://a.gov.cn/?q=&quot;&gt;&lt;img' in html


def test_email_text_part_is_plain(make_article: Make) -> None:
    article = make_article(title="细胞治疗 & 基因治疗", url="https://a.gov.cn/1.html")
    text = render_email(RULE, article).text
    assert text.startswith("细胞治疗 & 基因治疗\nhttps://a.gov.cn/1.html\n")
    assert text.rstrip().endswith("-- rule cgt-main")


def test_record_for_file_and_console(make_article: Make) -> None:
    article = make_article(cell=("primary", 0.9), gene=("secondary", 0.6))
    record = render_record(RULE, article)
    assert record == {"rule": "cgt-main", "article_id": article.article_id,
                      "story_id": article.story_id, "title": article.title,
                      "url": article.url, "labels": ["cell_therapy", "gene_therapy"],
                      "source": "demo-gd-sci", "published": "2026-11-18"}
