"""Per-rule templates: each channel escapes page text before the template sees it; a template
failing on an article dead-letters that article, the next one is alerted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from alerts.channels import REGISTRY
from alerts.channels.local import ConsoleSender
from alerts.channels.registry import render_as
from alerts.render import render_email, render_record, render_slack
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile, Rule
from tests.unit.alerts.fakes import Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]
TEMPLATE = "*New:* {{ link }} from {{ source }} ({{ region }})\n> {{ snippet }}"
EVIL = "<!channel> *bold* <b>x</b> <https://evil.example|click>"


def rule(template: str = TEMPLATE) -> Rule:
    return Rule(name="t", channels=["log"], template=template)


def test_slack_gets_the_template_with_page_text_escaped(make_article: Make) -> None:
    article = make_article(title=EVIL, regions=[("广东省", "Guangdong")])
    body = render_slack(rule(), article)["blocks"][0]["text"]["text"]
    assert body.startswith("*New:* <https://www.example.gov.cn/news/t20261118_1.html|")
    assert "&lt;!channel&gt;" in body and "<!channel>" not in body
    assert "&lt;https://evil.example|click&gt;" in body
    assert "(Guangdong)" in body  # English names of known regions


def test_email_html_escapes_and_text_stays_plain(make_article: Make) -> None:
    email = render_email(rule(), make_article(title=EVIL))
    assert "&lt;b&gt;x&lt;/b&gt;" in email.html and "<b>x</b>" not in email.html
    assert '<a href="https://www.example.gov.cn/news/t20261118_1.html">' in email.html
    assert EVIL in email.text and email.text.endswith("-- rule t\n")


def test_without_translation_templates_get_known_english_names(make_article: Make) -> None:
    article = make_article(regions=[("广东省", "Guangdong")],
                           institutions=[("中山大学", "Sun Yat-sen University")])
    record = render_record(rule("{{ region }} | {{ institutions }} | {{ title_en }}."), article)
    assert record["message"] == "Guangdong | Sun Yat-sen University | ."


def test_file_records_carry_the_message(make_article: Make) -> None:
    record = render_record(rule("{{ title }} | {{ labels }}"), make_article(title="标题"))
    assert record["message"] == "标题 | cell_therapy (primary, 0.90)"


def test_a_template_failing_at_render_time_dead_letters_the_article(make_article: Make
                                                                     ) -> None:
    rules = AlertRulesFile.model_validate({
        "channels": [{"name": "log", "type": "file"}],
        "rules": [{"name": "t", "channels": ["log"],
                   "template": "{{ 10 // (published | length - 10) }}"}]})
    h = Harness(rules, {"log": ScriptedSender()})
    h.alerter.senders = {"log": ConsoleSender()}  # renders through render_record
    bad = make_article(url="https://a.example/1", published="2026-11-18")  # 10 // 0
    good = make_article(url="https://a.example/2", published="2026-11")
    assert asyncio.run(h.handle(bad, good)) == 1
    assert len(h.letters) == 1 and "template" in h.letters[0].error
    assert h.letters[0].article_id == bad.article_id


HOSTILE = "细胞治疗 **粗体** _斜体_ ~删除~ [点我](http://evil.example) <@all> <!channel> `x`"


CHAT_MARKUP = ("**粗体**", "_斜体_", "~删除~", "[点我](", "<@all>", "<!channel>", "`x`")
FORBIDDEN = {"slack": ("*粗体*", "_斜体_", "~删除~", "<@all>", "<!channel>", "`x`"),
             "email": ("<@all>", "<!channel>")}


def _markup(kind: str, payload: dict[str, Any]) -> str:
    if kind == "email":
        return str(payload["html"])
    return json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_channel_type_renders_a_template_with_its_own_escaping(kind: str,
                                                                     make_article: Make
                                                                     ) -> None:
    """What ``cgtwatch rules test RULE --as all`` shows: each channel type renders the
    rule's template, and page text formats, mentions and links nothing."""
    article = make_article(title=HOSTILE, source_name="<@all>")
    payload = render_as(kind, rule("NEW {{ link }} · {{ source }}\n{{ snippet }}"), article)
    if kind in ("file", "console", "webhook"):  # page text as data, not markup
        record = payload["article"] if kind == "webhook" else payload
        assert record["message"].startswith(f"NEW {HOSTILE} <https://www.example.gov.cn/")
        return
    text = _markup(kind, payload)
    assert "NEW " in text
    for bad in FORBIDDEN.get(kind, CHAT_MARKUP):
        assert bad not in text, (kind, bad)
    assert "https://www.example.gov.cn/news/t20261118_1.html" in text


def test_slack_template_text_cannot_format_the_message(make_article: Make) -> None:
    body = render_slack(rule("{{ title }}"), make_article(title="*b* _i_ ~s~ `c`"))
    text = body["blocks"][0]["text"]["text"]
    assert text == "＊b＊ ＿i＿ ～s～ ｀c｀"
