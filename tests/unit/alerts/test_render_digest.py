"""Digests: grouped by label and region, untrusted text stays text, Slack limits respected."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from alerts.channels.slack import from_status
from alerts.dryrun import article_from_doc, matches
from alerts.render import render_slack, safe_url, slack_link
from alerts.render_digest import MAX_BLOCKS, render_email_digest, render_slack_digest
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule

Make = Callable[..., ClassifiedArticle]
RULE = Rule(name="cgt", channels=["c"])
HOSTILE = "<!channel> <@U1> <http://evil|x> & <!subteam^S1>"


def test_slack_digest_groups_by_label_and_region(make_article: Make) -> None:
    items = [make_article(url="https://a.gov.cn/1", regions=[("广东省", "Guangdong")]),
             make_article(url="https://a.gov.cn/2", regions=[("广东省", "Guangdong")]),
             make_article(url="https://a.gov.cn/3", cell=("none", 0.0),
                          gene=("primary", 0.8), regions=[("上海市", "Shanghai")])]
    payload = render_slack_digest(RULE, "cgt digest, 2026-11-18 08:00", items)
    texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert texts[0].startswith("*cell_therapy · Guangdong* (2)")
    assert texts[1].startswith("*gene_therapy · Shanghai* (1)")
    assert payload["blocks"][0]["type"] == "header"
    assert "3 alert(s)" in payload["text"]


def test_digest_escapes_untrusted_text(make_article: Make) -> None:
    item = make_article(title=HOSTILE, source_name=HOSTILE, url="javascript:alert(1)",
                        regions=[(HOSTILE, "")])
    dumped = json.dumps(render_slack_digest(RULE, "t", [item]), ensure_ascii=False)
    for control in ("<!channel>", "<@U1>", "<http://evil", "<!subteam", "javascript:"):
        assert control not in dumped
    email = render_email_digest(RULE, "t\r\nBcc: x@y", [item])
    assert "<!channel>" not in email.html and "javascript:" not in email.html
    assert "\n" not in email.subject and "\r" not in email.subject


def test_long_digest_stays_within_slack_limits(make_article: Make) -> None:
    items = [make_article(url=f"https://a.gov.cn/{i}", title="细胞治疗" * 40,
                          regions=[(f"区{i % 60}", "")]) for i in range(400)]
    payload = render_slack_digest(RULE, "t", items)
    assert len(payload["blocks"]) <= MAX_BLOCKS + 1
    assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"]
               if b["type"] == "section")
    assert "more: `cgtwatch alerts history --rule cgt`" in json.dumps(payload["blocks"][-1])
    assert render_email_digest(RULE, "t", items).text.count("https://a.gov.cn/") == 400


def test_links_only_for_http_urls() -> None:
    assert safe_url("javascript:alert(1)") == "" and safe_url(" https://a.cn/x ") == (
        "https://a.cn/x")
    assert slack_link("data:text/html,x", "<b>") == "&lt;b&gt;"
    assert slack_link("https://a.cn/a b<c", "t") == "<https://a.cn/a%20b%3Cc|t>"


def test_other_sources_of_the_story_are_shown(make_article: Make) -> None:
    from alerts.render import StoryRef, render_email

    others = [StoryRef("大连日报 <!here>", "https://b.cn/1"), StoryRef("FDA", "https://c.gov/2")]
    payload = render_slack(RULE, make_article(), others)
    also = payload["blocks"][1]["text"]["text"]
    assert also.startswith("*Also reported by:* <https://b.cn/1|大连日报 &lt;!here&gt;>")
    assert payload["blocks"][2]["type"] == "context"
    assert "https://c.gov/2" in render_email(RULE, make_article(), others).text


@pytest.mark.parametrize(("status", "ok", "retryable"), [
    (200, True, True), (429, False, True), (500, False, True), (503, False, True),
    (400, False, False), (403, False, False), (404, False, False)])
def test_which_slack_answers_are_retried(status: int, ok: bool, retryable: bool) -> None:
    outcome = from_status(status, {"Retry-After": "3"})
    assert (outcome.ok, outcome.retryable) == (ok, retryable)


def test_indexed_documents_become_articles_again() -> None:
    doc = {"article_id": "a1" * 16,
           "url": "https://a.gov.cn/1", "source_id": "s", "title": "基因治疗",
           "text": "AAV 基因治疗", "labels": ["gene_therapy"], "language": "zh",
           "scores": {"gene_therapy": 0.8, "cell_therapy": 0.0},
           "salience": {"gene_therapy": "primary", "cell_therapy": "none"},
           "evidence": {"gene_therapy": [{"term": "AAV", "snippet": "AAV", "field": "text",
                                          "weight": 1.0}]},
           "regions": ["广东省"], "regions_en": ["Guangdong"],
           "published": "2026-11-18T09:30:00+08:00",
           "fetched_at": "2026-11-18T01:00:00+00:00", "story_id": "st", "source_region": "广东省"}
    article = article_from_doc(doc)
    assert article.classification.results["gene_therapy"].salience == "primary"
    assert article.classification.regions[0].name_en == "Guangdong"
    assert article.published == "2026-11-18T09:30:00+08:00"  # the stored time, offset kept
    gene = Rule(name="g", labels=["gene_therapy"], regions=["Guangdong"], channels=["c"],
                enabled=False)
    assert [a.article_id for a in matches(gene, [doc])] == ["a1" * 16]
    assert matches(gene.model_copy(update={"regions": ["Shanghai"]}), [doc]) == []


def test_digest_shows_published_in_the_window_zone(make_article: Make) -> None:
    item = make_article(published="2026-11-18T09:30:00+08:00")
    assert "2026-11-18 09:30 +08:00" in render_email_digest(RULE, "t", [item]).text
    utc = Rule(name="cgt", channels=["c"], digest={"timezone": "UTC"})
    assert "2026-11-18 01:30 +00:00" in render_email_digest(utc, "t", [item]).text
