"""Rate limits are counted in the alert history, once per batch, rule and channel; a limit
found used up is not counted again before its oldest alert leaves the period; stories are
looked up only for the alerts rendered now."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from alerts.agent import Alerter
from alerts.history import Ledger, recent_query
from alerts.render import StoryRef
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import T0, Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]


def harness(**rule: Any) -> Harness:
    rules = AlertRulesFile.model_validate({
        "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                     {"name": "log", "type": "file"}],
        "rules": [{"name": "r", "channels": ["slack", "log"], **rule}]})
    return Harness(rules, {"slack": ScriptedSender(), "log": ScriptedSender()})


def batch(make: Make, first: int, n: int) -> list[ClassifiedArticle]:
    return [make(url=f"https://a.gov.cn/{i}.html") for i in range(first, first + n)]


def handle(h: Harness, articles: list[ClassifiedArticle]) -> int:
    return asyncio.run(h.alerter.handle_batch([(a.encode(), {}) for a in articles]))


def test_a_used_up_limit_is_not_counted_again_until_its_oldest_alert_leaves_the_period(
        make_article: Make) -> None:
    h = harness(rate_limit={"max": 3, "per": "hour"})
    assert handle(h, batch(make_article, 0, 2)) == 4
    assert h.queue.calls == ["count_recent"] * 2  # once per channel for the batch
    h.clock.now = T0 + timedelta(minutes=10)
    assert handle(h, batch(make_article, 2, 2)) == 2  # the third of each channel, then full
    h.clock.now = T0 + timedelta(minutes=20)
    h.queue.calls.clear()
    assert handle(h, batch(make_article, 4, 2)) == 0  # counted: used up; when does it end?
    assert h.queue.calls == ["count_recent", "oldest_recent"] * 2
    h.queue.calls.clear()
    for minutes in (30, 45, 59):
        h.clock.now = T0 + timedelta(minutes=minutes)
        assert handle(h, batch(make_article, 10 + minutes, 1)) == 0
    assert h.queue.calls == []  # known to be used up: not counted
    h.clock.now = T0 + timedelta(hours=1, seconds=1)  # the two alerts of T0 leave it
    assert handle(h, batch(make_article, 100, 3)) == 4  # two free per channel again
    assert h.queue.calls == ["count_recent"] * 2
    kinds = [r["kind"] for r in h.queue.records.values()]
    assert (kinds.count("immediate"), kinds.count("item")) == (10, 14)  # the rest: digests


def test_the_limit_holds_across_a_restart(make_article: Make) -> None:
    h = harness(rate_limit={"max": 2, "per": "hour"})
    assert handle(h, batch(make_article, 0, 3)) == 4
    h.clock.now = T0 + timedelta(minutes=30)
    h.alerter = Alerter(h.rules, h.senders, h.queue, clock=h.clock)  # type: ignore[arg-type]
    assert handle(h, batch(make_article, 3, 1)) == 0  # a new process reads the history
    assert h.queue.calls[-4:] == ["count_recent", "oldest_recent"] * 2


def test_stories_are_looked_up_only_for_what_is_rendered_now(make_article: Make) -> None:
    h = harness(rate_limit={"max": 2, "per": "hour"})
    asked: list[list[str]] = []

    class Lookup:
        async def others_of(self, articles: list[ClassifiedArticle]
                            ) -> dict[str, list[StoryRef]]:
            asked.append([a.article_id for a in articles])
            return {a.article_id: [StoryRef("other", f"https://o.org/{a.article_id}")]
                    for a in articles}

    h.alerter.stories = Lookup()  # type: ignore[assignment]
    articles = batch(make_article, 0, 4)
    assert handle(h, articles) == 4
    assert asked == [[a.article_id for a in articles[:2]]]  # the others go to a digest
    assert [p["others"] for _, p in h.senders["slack"].sent] == []
    asyncio.run(h.drain())
    assert [p["others"] for _, p in h.senders["slack"].sent] == [
        [f"https://o.org/{a.article_id}"] for a in articles[:2]]
    assert handle(h, batch(make_article, 4, 3)) == 0
    assert len(asked) == 1  # nothing rendered: no lookup at all


class RecordingEs:
    def __init__(self, hits: list[dict[str, Any]]) -> None:
        self.hits, self.requests = hits, list[dict[str, Any]]()

    async def search(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return {"hits": {"hits": self.hits}}


def test_the_oldest_recent_alert_is_one_sorted_search_of_the_counted_alerts() -> None:
    since = datetime.fromisoformat("2026-11-18T03:10:00+00:00")
    es = RecordingEs([{"_source": {"created_at": "2026-11-18T03:20:00+00:00"}}])
    ledger = Ledger(es, "alerts")  # type: ignore[arg-type]
    assert asyncio.run(ledger.oldest_recent("r", "slack", since)) == since + timedelta(
        minutes=10)
    (request,) = es.requests
    assert request["query"] == recent_query("r", "slack", since)
    assert (request["size"], request["sort"]) == (1, [{"created_at": "asc"}])
    es.hits = []
    assert asyncio.run(ledger.oldest_recent("r", "slack", since)) is None
