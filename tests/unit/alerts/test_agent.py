"""The alerter: one delivery per rule × story × channel, retries with backoff, outcomes recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alerts.agent import Alerter
from alerts.channels import Delivery
from config.contracts import ClassifiedArticle
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import MemoryLedger as DictLedger
from tests.unit.alerts.fakes import ScriptedSender

Make = Callable[..., ClassifiedArticle]

RULES = AlertRulesFile.model_validate({
    "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                 {"name": "email", "type": "email", "to": ["cgt@example.org"]},
                 {"name": "log", "type": "file"}],
    "rules": [{"name": "cgt-main", "channels": ["slack", "email"]},
              {"name": "gene", "labels": ["gene_therapy"], "channels": ["log"]},
              {"name": "english", "languages": ["en"], "channels": ["log"]}],
})


def alerter(ledger: DictLedger, **senders: ScriptedSender) -> Alerter:
    every = {name: senders.get(name, ScriptedSender()) for name in ("slack", "email", "log")}
    return Alerter(RULES, every, ledger, attempts=4, backoff_s=0.01)  # type: ignore[arg-type]


def test_sends_once_per_matching_rule_and_channel(make_article: Make) -> None:
    ledger = DictLedger()
    slack, email, log = ScriptedSender(), ScriptedSender(), ScriptedSender()
    article = make_article(cell=("primary", 0.9), gene=("secondary", 0.6))
    sent = asyncio.run(alerter(ledger, slack=slack, email=email, log=log).handle(article))
    assert sent == 3
    assert slack.sent == email.sent == [("cgt-main", article.article_id)]
    assert log.sent == [("gene", article.article_id)]
    assert sorted(ledger.records) == [f"cgt-main:{article.story_id}:email",
                                      f"cgt-main:{article.story_id}:slack",
                                      f"gene:{article.story_id}:log"]
    record = ledger.records[f"cgt-main:{article.story_id}:slack"]
    assert (record["status"], record["attempts"], record["title"]) == ("sent", 1, article.title)


def test_nothing_is_sent_when_no_rule_matches(make_article: Make) -> None:
    ledger = DictLedger()
    article = make_article(cell=("passing", 0.2))
    assert asyncio.run(alerter(ledger).handle(article)) == 0
    assert ledger.records == {}


def test_second_handle_of_the_same_article_sends_nothing(make_article: Make) -> None:
    ledger, slack = DictLedger(), ScriptedSender()
    worker = alerter(ledger, slack=slack)
    article = make_article()

    async def twice() -> tuple[int, int]:
        return await worker.handle(article), await worker.handle(article)

    assert asyncio.run(twice()) == (2, 0)
    assert len(slack.sent) == 1


def test_a_revision_of_the_same_story_is_not_alerted_again(make_article: Make) -> None:
    ledger, slack = DictLedger(), ScriptedSender()
    worker = alerter(ledger, slack=slack)
    first = make_article(story_id="story-1")
    revised = make_article(story_id="story-1", revision=2, text="更正后的正文 CAR-T。")
    asyncio.run(worker.handle(first))
    assert asyncio.run(worker.handle(revised)) == 0
    assert len(slack.sent) == 1


def test_retries_honour_retry_after_then_succeed(make_article: Make) -> None:
    ledger = DictLedger()
    limited = Delivery(False, "slack: HTTP 429", retry_after=0.01)
    slack = ScriptedSender([limited, limited])
    article = make_article()
    assert asyncio.run(alerter(ledger, slack=slack).handle(article)) == 2
    assert len(slack.sent) == 3
    record = ledger.records[f"cgt-main:{article.story_id}:slack"]
    assert (record["status"], record["attempts"], record["error"]) == ("sent", 3, "")


def test_permanent_failure_is_recorded_as_failed(make_article: Make) -> None:
    ledger = DictLedger()
    broken = Delivery(False, "slack: HTTP 404")
    slack = ScriptedSender([broken] * 10)
    article = make_article()
    assert asyncio.run(alerter(ledger, slack=slack).handle(article)) == 1  # email still went
    assert len(slack.sent) == 4
    record = ledger.records[f"cgt-main:{article.story_id}:slack"]
    assert (record["status"], record["attempts"], record["error"]) == (
        "failed", 4, "slack: HTTP 404")
    assert ledger.records[f"cgt-main:{article.story_id}:email"]["status"] == "sent"


def test_a_failed_alert_is_retried_on_redelivery(make_article: Make) -> None:
    ledger = DictLedger()
    slack = ScriptedSender([Delivery(False, "slack: HTTP 500")] * 4)
    worker = alerter(ledger, slack=slack)
    article = make_article()
    asyncio.run(worker.handle(article))
    assert asyncio.run(worker.handle(article)) == 1  # slack now works; email was already sent
    assert ledger.records[f"cgt-main:{article.story_id}:slack"]["status"] == "sent"
