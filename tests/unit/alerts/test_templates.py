"""Per-rule templates: each channel escapes page text before the template sees it; a template
failing on an article dead-letters that article, the next one is alerted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alerts.channels.local import ConsoleSender
from alerts.render import render_email, render_record, render_slack
from config.contracts import ClassifiedArticle
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
