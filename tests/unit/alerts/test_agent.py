"""The alerter enqueues one durable delivery per rule × story × channel; poison goes to the
dead-letter topic and the next article is alerted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]

RULES = AlertRulesFile.model_validate({
    "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                 {"name": "email", "type": "email", "to": ["cgt@example.org"]},
                 {"name": "log", "type": "file"}],
    "rules": [{"name": "cgt-main", "channels": ["slack", "email"]},
              {"name": "gene", "labels": ["gene_therapy"], "channels": ["log"]},
              {"name": "english", "languages": ["en"], "channels": ["log"]}],
})


def harness(**senders: ScriptedSender) -> Harness:
    return Harness(RULES, {name: senders.get(name, ScriptedSender())
                           for name in ("slack", "email", "log")})


def test_sends_once_per_matching_rule_and_channel(make_article: Make) -> None:
    h = harness()
    article = make_article(cell=("primary", 0.9), gene=("secondary", 0.6))
    assert asyncio.run(h.handle(article)) == 3
    assert h.senders["slack"].articles == h.senders["email"].articles == [article.article_id]
    assert h.senders["log"].sent[0][1]["rule"] == "gene"
    assert sorted(h.queue.records) == [f"cgt-main:{article.story_id}:email",
                                       f"cgt-main:{article.story_id}:slack",
                                       f"gene:{article.story_id}:log"]
    record = h.queue.records[f"cgt-main:{article.story_id}:slack"]
    assert (record["status"], record["attempts"], record["title"]) == ("sent", 1, article.title)
    assert h.senders["slack"].sent[0][0] == record["key"]  # the delivery key goes along


def test_nothing_is_queued_when_no_rule_matches(make_article: Make) -> None:
    h = harness()
    assert asyncio.run(h.handle(make_article(cell=("passing", 0.2)))) == 0
    assert h.queue.records == {}


def test_the_same_article_twice_and_a_revision_of_its_story_are_sent_once(
        make_article: Make) -> None:
    h = harness()
    first = make_article(story_id="story-1")
    revised = make_article(story_id="story-1", revision=2, text="更正后的正文 CAR-T。")
    assert asyncio.run(h.handle(first)) == 2
    assert asyncio.run(h.handle(first, revised)) == 0
    assert len(h.senders["slack"].sent) == 1


def test_a_batch_is_queued_before_anything_is_sent(make_article: Make) -> None:
    h = harness()
    articles = [make_article(url=f"https://a.gov.cn/{i}.html") for i in range(3)]
    queued = asyncio.run(h.alerter.handle_batch([(a.encode(), {}) for a in articles]))
    assert queued == 6 and h.senders["slack"].sent == []
    assert set(h.queue.with_status("queued")) == set(h.queue.records)
    asyncio.run(h.drain())
    assert h.senders["slack"].articles == [a.article_id for a in articles]


def poison(article: ClassifiedArticle, **fields: str) -> bytes:
    return json.dumps({**json.loads(article.encode()), **fields}).encode()


def test_poison_is_dead_lettered_and_the_next_article_alerted(make_article: Make) -> None:
    slack = ScriptedSender(broken_titles={"破坏渲染"})
    h = harness(slack=slack)
    good = make_article(url="https://a.gov.cn/good.html")
    bad_id = poison(make_article(), article_id="a" * 16 + "\r\nBcc: x@y.org")
    empty_id = poison(make_article(), article_id="")
    unrenderable = make_article(url="https://a.gov.cn/bad.html", title="破坏渲染").encode()
    origin = {"topic": "articles.classified", "partition": 0, "offset": 7}
    batch = [(bad_id, origin), (empty_id, origin), (b"{not json", origin),
             (unrenderable, origin), (good.encode(), origin)]
    assert asyncio.run(h.alerter.handle_batch(batch)) == 2
    assert [(d.stage, d.offset) for d in h.letters] == [("alerts", 7)] * 4
    assert "article_id" in h.letters[0].error and "article_id" in h.letters[1].error
    assert "cannot render" in h.letters[3].error
    assert h.letters[3].article_id == json.loads(unrenderable)["article_id"]
    asyncio.run(h.drain())
    assert slack.articles == h.senders["email"].articles == [good.article_id]


def test_a_sender_that_raises_fails_the_delivery_with_a_dead_letter(make_article: Make
                                                                     ) -> None:
    class Raising(ScriptedSender):
        async def deliver(self, key: str, payload: dict[str, object]) -> object:  # type: ignore
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")

    h = harness(slack=Raising())
    article = make_article()
    asyncio.run(h.handle(article))
    record = h.queue.records[f"cgt-main:{article.story_id}:slack"]
    assert record["status"] == "failed" and "UnicodeEncodeError" in record["error"]
    assert [(d.stage, d.article_id) for d in h.letters] == [("alerts", article.article_id)]
    assert [e.kind for e in h.ops] == ["alert_delivery_failed"]
    assert h.queue.records[f"cgt-main:{article.story_id}:email"]["status"] == "sent"


def test_a_write_block_for_a_while_is_retried_and_alerts_once(make_article: Make) -> None:
    h = harness()
    h.queue.blocked = 2  # the history refuses two tries; the third (of 3) stores them
    articles = [make_article(url=f"https://a.gov.cn/{n}.html") for n in range(2)]
    assert asyncio.run(h.handle(*articles)) == 4
    assert h.letters == []
    assert h.senders["slack"].articles == [a.article_id for a in articles]


def test_a_write_block_for_good_dead_letters_with_the_reason_and_a_replay_alerts_once(
        make_article: Make) -> None:
    h = harness()
    h.queue.blocked = 3  # every try of the handler retry
    article = make_article()
    assert asyncio.run(h.handle(article)) == 0
    assert [(d.stage, d.article_id) for d in h.letters] == [("alerts", article.article_id)]
    assert "cluster_block_exception" in h.letters[0].error and h.queue.records == {}
    replayed = h.letters[0].payload.encode()  # what ``cgtwatch deadletter replay`` sends
    assert asyncio.run(h.alerter.handle_batch([(replayed, {})])) == 2
    asyncio.run(h.drain())
    assert asyncio.run(h.alerter.handle_batch([(replayed, {})])) == 0  # replayed twice
    asyncio.run(h.drain())
    assert h.senders["slack"].articles == h.senders["email"].articles == [article.article_id]


def test_a_batch_returns_only_once_its_dead_letters_are_published(make_article: Make) -> None:
    h = harness()
    h.letters_down = 5  # the dead-letter topic refuses five times, then takes it
    asyncio.run(h.alerter.handle_batch([(b"not json", {"offset": 3})]))
    assert [(d.stage, d.offset) for d in h.letters] == [("alerts", 3)]
