"""The indexer's batch logic: decode (last revision wins), bulk-index, dead-letter failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from elasticsearch import ConnectionError as EsConnectionError

import indexer.agent
from config.contracts.articles import ClassifiedArticle
from config.contracts.ops import DeadLetter
from config.contracts.wire import decode
from indexer.agent import bulk_until_done, decode_batch, index_events
from tests.unit.fakes import FakeEvent, FakeTopics, fake_event


def events(*values: bytes | None) -> list[FakeEvent]:
    """Events read from articles.classified, at offsets 0, 1, 2, ..."""
    return [fake_event(v, topic="articles.classified", offset=i) for i, v in enumerate(values)]


@dataclass
class FakeBulk:
    """Stands in for ``async_bulk``: answers each call with the next list of item errors."""

    answers: list[list[dict[str, Any]] | Exception]
    calls: list[list[dict[str, Any]]] = field(default_factory=list)

    async def __call__(self, es: Any, actions: list[dict[str, Any]],
                       **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
        self.calls.append(list(actions))
        errors = self.answers.pop(0) if self.answers else []
        if isinstance(errors, Exception):
            raise errors
        return len(actions) - len(errors), errors


def item_error(article_id: str, status: int, kind: str) -> dict[str, Any]:
    return {"index": {"_id": article_id, "status": status, "error": {"type": kind}}}


def test_last_revision_wins_within_a_batch(make_article: Callable[..., ClassifiedArticle]
                                           ) -> None:
    url = "https://a.gov.cn/1.html"
    r1, r3, r2 = (make_article(url=url, revision=n) for n in (1, 3, 2))
    other = make_article(url="https://a.gov.cn/2.html")
    good, bad = decode_batch(events(r1.encode(), r3.encode(), other.encode(), r2.encode()))
    assert bad == []
    assert set(good) == {r1.article_id, other.article_id}
    article, event = good[r1.article_id]
    assert article.revision == 3
    assert event.message.offset == 1


def test_equal_revisions_keep_the_later_message(make_article: Callable[..., ClassifiedArticle]
                                                ) -> None:
    first = make_article(title="初稿")
    again = make_article(title="再次发送")
    good, _ = decode_batch(events(first.encode(), again.encode()))
    assert good[first.article_id][0].title == "再次发送"


def test_bad_messages_become_dead_letters(make_article: Callable[..., ClassifiedArticle]
                                          ) -> None:
    ok = make_article()
    good, bad = decode_batch(events(b"{oops", ok.encode(), None))
    assert list(good) == [ok.article_id]
    assert [(d.stage, d.offset, d.topic) for d in bad] == [
        ("indexer", 0, "articles.classified"), ("indexer", 2, "articles.classified")]
    assert bad[0].payload == "{oops"
    assert bad[0].error_type == "ValidationError"


def test_bulk_until_done_ignores_stale_revisions(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = FakeBulk([[item_error("a", 409, "version_conflict_engine_exception")]])
    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    actions = [{"_id": "a"}, {"_id": "b"}]
    assert asyncio.run(bulk_until_done(object(), actions)) == []  # type: ignore[arg-type]
    assert len(bulk.calls) == 1


def test_bulk_until_done_returns_permanent_item_failures(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    bulk = FakeBulk([[item_error("b", 400, "mapper_parsing_exception")]])
    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    failed = asyncio.run(bulk_until_done(object(), [{"_id": "a"}, {"_id": "b"}]))  # type: ignore
    assert failed == [{"_id": "b", "status": 400, "error": {"type": "mapper_parsing_exception"}}]
    assert len(bulk.calls) == 1


def mixed_failures(monkeypatch: pytest.MonkeyPatch) -> FakeBulk:
    """First round: ``b`` is throttled (429), ``c`` is rejected (400); the retry succeeds."""
    bulk = FakeBulk([[item_error("b", 429, "es_rejected_execution_exception"),
                      item_error("c", 400, "mapper_parsing_exception")], []])
    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    return bulk


def test_bulk_until_done_retries_only_transient_items(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = mixed_failures(monkeypatch)
    asyncio.run(bulk_until_done(object(), [{"_id": "a"}, {"_id": "b"}, {"_id": "c"}]))  # type: ignore
    assert [[a["_id"] for a in call] for call in bulk.calls] == [["a", "b", "c"], ["b"]]


def test_bulk_until_done_keeps_permanent_failures_across_retries(
        monkeypatch: pytest.MonkeyPatch) -> None:
    mixed_failures(monkeypatch)
    failed = asyncio.run(bulk_until_done(object(), [{"_id": "a"}, {"_id": "b"},  # type: ignore
                                                    {"_id": "c"}]))
    assert [f["_id"] for f in failed] == ["c"]


def test_bulk_until_done_waits_by_one_schedule_over_both_kinds_of_retry(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Elasticsearch away twice, then a throttled item: the waits double from 0.5 s."""
    bulk = FakeBulk([EsConnectionError("refused"), EsConnectionError("refused"),
                     [item_error("a", 429, "es_rejected_execution_exception")], []])
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    monkeypatch.setattr(asyncio, "sleep", sleep)
    assert asyncio.run(bulk_until_done(object(), [{"_id": "a"}])) == []  # type: ignore[arg-type]
    assert slept == [0.5, 1.0, 2.0] and len(bulk.calls) == 4


def test_index_events_dead_letters_bad_and_failed_documents(
        monkeypatch: pytest.MonkeyPatch, make_article: Callable[..., ClassifiedArticle]) -> None:
    good = make_article(url="https://a.gov.cn/good.html")
    rejected = make_article(url="https://a.gov.cn/rejected.html")
    bulk = FakeBulk([[item_error(rejected.article_id, 400, "mapper_parsing_exception")]])
    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    topics = FakeTopics()
    batch = events(good.encode(), b"not json", rejected.encode())
    written = asyncio.run(index_events(batch, object(), "cgtwatch-articles",  # type: ignore
                                       topics))  # type: ignore[arg-type]
    assert written == 1
    assert {a["_id"] for a in bulk.calls[0]} == {good.article_id, rejected.article_id}
    assert all(a["_index"] == "cgtwatch-articles" for a in bulk.calls[0])
    letters = [decode(DeadLetter, v) for _, v in topics.deadletter.sent]
    assert sorted((d.offset, d.article_id) for d in letters) == [
        (1, None), (2, rejected.article_id)]
    assert "status 400" in next(d.error for d in letters if d.offset == 2)


def test_index_events_with_nothing_decodable_skips_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = FakeBulk([])
    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    topics = FakeTopics()
    written = asyncio.run(index_events(events(b"{"), object(), "i", topics))  # type: ignore
    assert written == 0 and bulk.calls == []
    assert len(topics.deadletter.sent) == 1
