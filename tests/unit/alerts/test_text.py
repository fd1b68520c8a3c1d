"""Safe chat text: markdown neutralised, links that cannot break out, cuts that never split a
character, an entity or a link; Slack mrkdwn formatting characters in page text."""

from __future__ import annotations

import re
from typing import Any

import pytest

from alerts.render import slack_link, slack_text
from alerts.text import cut, fit_lines, md_escape, md_link, md_url, size


def test_markdown_active_characters_are_made_full_width() -> None:
    text = md_escape("**粗体** [点我](http://evil) <@all> `code` # 标题\n@所有人 \\ ~x~ _i_ |t|")
    for char in "*[]<>`#\\~_|\n":
        assert char not in text
    assert text.startswith("＊＊粗体＊＊ ［点我］(http://evil) ＜@all＞")


def test_markdown_links_cannot_be_broken_by_the_url_or_label() -> None:
    link = md_link("https://x.org/a b)(c[d]<e>", "标题](http://evil)")
    assert link == "[标题］(http://evil)](https://x.org/a%20b%29%28c%5Bd%5D%3Ce%3E)"
    assert md_url("javascript:alert(1)") == "" and md_url("https://x.org/\nHost: y") == ""
    assert md_link("data:text/html,x", "t") == "t"


def test_slack_mrkdwn_characters_in_page_text_are_escaped() -> None:
    assert slack_text("*bold* _it_ ~s~ `c` & <!here>") == (
        "＊bold＊ ＿it＿ ～s～ ｀c｀ &amp; &lt;!here&gt;")
    assert slack_link("https://x.org/a_b", "*t*") == "<https://x.org/a_b|＊t＊>"


@pytest.mark.parametrize("limit", range(1, 40))
def test_a_cut_never_splits_a_character_an_entity_or_a_link(limit: int) -> None:
    text = "细胞 &amp; <https://x.org/a|标题> [链接](https://y.org/b) 😀 end"
    for unit in ("chars", "bytes"):
        out = cut(text, limit, unit)
        assert size(out, unit) <= max(limit, size("…", unit))
        out.encode("utf-8")  # no lone surrogate
        head = out.removesuffix("…")
        assert text.startswith(head)
        assert not head.endswith(("&", "&a", "&am", "&amp")) and head.count("<") == head.count(">")
        assert head.count("[") == head.count("](") == head.count(")")


def test_a_cut_by_bytes_counts_utf8_bytes() -> None:
    out = cut("细" * 2000, 4096, "bytes")
    assert len(out.encode()) <= 4096 and out.endswith("…") and len(out) == 1364 + 1


def test_fit_lines_keeps_whole_lines_and_says_how_many_are_left_out() -> None:
    lines = [f"- [第{i}条](https://x.org/{i})" for i in range(100)]
    out = fit_lines(lines, 300, "bytes", more="and {n} more")
    assert size(out, "bytes") <= 300
    kept = out.splitlines()
    assert kept[:-1] == lines[:len(kept) - 1]
    assert kept[-1] == f"and {100 - len(kept) + 1} more"
    assert fit_lines(["x" * 50], 10) == "x" * 9 + "…"


def test_a_long_slack_alert_is_cut_without_breaking_its_link_or_entities(make_article: Any
                                                                          ) -> None:
    from alerts.render import SLACK_TEXT_LIMIT, render_slack
    from config.rules import Rule

    article = make_article(title="细胞 & <治疗> *新* " * 400, text="基因 & 治疗 " * 2000)
    payload = render_slack(Rule(name="r", channels=["c"]), article)
    body, text = payload["blocks"][0]["text"]["text"], payload["text"]
    assert len(body) <= SLACK_TEXT_LIMIT and len(text) <= SLACK_TEXT_LIMIT
    assert re.match(r"^\*<https://[^|<>]+\|[^<>]+…>\*\n", body)  # the link whole, its label cut
    assert text.endswith("…") and "<" not in text and "*" not in text
    assert not text.removesuffix("…").endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g"))
    assert "|细胞 &amp; &lt;治疗&gt; ＊新＊" in body
