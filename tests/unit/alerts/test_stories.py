"""A batch's stories are looked up in one request; each article gets the others of its story
(never itself, at most ``MAX_OTHERS``), and a failing lookup gives no others."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from alerts.render import StoryRef
from alerts.stories import MAX_OTHERS, StoryLookup
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile
from tests.unit.alerts.fakes import Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]


class RecordingEs:
    """``search`` answers from ``docs`` (each with ``story_id``) as a terms aggregation with
    top hits would, and records every request."""

    def __init__(self, docs: list[dict[str, Any]], fail: bool = False) -> None:
        self.docs, self.fail = docs, fail
        self.requests: list[dict[str, Any]] = []

    async def search(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.fail:
            raise ConnectionError("es down")
        wanted = request["query"]["bool"]["filter"][0]["terms"]["story_id"]
        size = request["aggs"]["stories"]["aggs"]["top"]["top_hits"]["size"]
        buckets = [{"key": story, "top": {"hits": {"hits": [
            {"_source": d} for d in self.docs if d["story_id"] == story][:size]}}}
            for story in wanted if any(d["story_id"] == story for d in self.docs)]
        return {"aggregations": {"stories": {"buckets": buckets}}}


def doc(article_id: str, story: str) -> dict[str, Any]:
    return {"article_id": article_id, "story_id": story, "source_name": f"site {article_id}",
            "url": f"https://example.org/{article_id}", "title": article_id}


def test_one_request_per_batch_and_never_the_article_itself(make_article: Make) -> None:
    a = make_article(url="https://a.example.org/1", story_id="s1")
    b = make_article(url="https://b.example.org/2", story_id="s1")
    c = make_article(url="https://c.example.org/3", story_id="s2")
    es = RecordingEs([doc(a.article_id, "s1"), doc(b.article_id, "s1"), doc("x", "s1"),
                      doc(c.article_id, "s2")])
    lookup = StoryLookup(es, "cgtwatch-articles")  # type: ignore[arg-type]
    found = asyncio.run(lookup.others_of([a, b, c]))
    assert len(es.requests) == 1
    assert [r.title for r in found[a.article_id]] == [b.article_id, "x"]
    assert [r.title for r in found[b.article_id]] == [a.article_id, "x"]
    assert found[c.article_id] == []
    assert [r.title for r in asyncio.run(lookup.others(c))] == []


def test_at_most_max_others(make_article: Make) -> None:
    a = make_article(story_id="big")
    es = RecordingEs([doc(f"o{n}", "big") for n in range(MAX_OTHERS + 5)])
    found = asyncio.run(StoryLookup(es, "i").others_of([a]))  # type: ignore[arg-type]
    assert len(found[a.article_id]) == MAX_OTHERS


def test_a_failing_lookup_gives_no_others(make_article: Make) -> None:
    a = make_article(story_id="s1")
    lookup = StoryLookup(RecordingEs([], fail=True), "i")  # type: ignore[arg-type]
    assert asyncio.run(lookup.others_of([a])) == {}
    assert asyncio.run(lookup.others(a)) == []


class CountingLookup:
    """A ``StoryLookup`` stand-in: records each batch it is asked about."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def others_of(self, articles: list[ClassifiedArticle]) -> dict[str, list[StoryRef]]:
        self.calls.append([a.article_id for a in articles])
        return {a.article_id: [StoryRef("other site", f"https://o.example.org/{a.article_id}")]
                for a in articles}


def test_the_alerter_looks_up_only_matching_articles_once_per_batch(make_article: Make
                                                                     ) -> None:
    rules = AlertRulesFile.model_validate({
        "channels": [{"name": "log", "type": "file"}],
        "rules": [{"name": "cgt", "channels": ["log"]}]})
    h = Harness(rules, {"log": ScriptedSender()})
    lookup = CountingLookup()
    h.alerter.stories = lookup  # type: ignore[assignment]
    cgt = [make_article(url=f"https://a.example.org/{n}") for n in range(3)]
    other = make_article(url="https://a.example.org/x", cell=("none", 0.0))
    assert asyncio.run(h.handle(*cgt, other)) == 3
    assert lookup.calls == [[a.article_id for a in cgt]]
    assert [p["others"] for _, p in h.senders["log"].sent] == [
        [f"https://o.example.org/{a.article_id}"] for a in cgt]
