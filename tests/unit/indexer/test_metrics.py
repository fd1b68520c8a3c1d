"""Indexer metrics: what one batch records (written, latency, failures, dead letters)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from elasticsearch import ConnectionError as EsConnectionError
from prometheus_client import REGISTRY

import indexer.agent
from config.contracts.articles import ClassifiedArticle
from config.contracts.wire import utcnow
from indexer import metrics
from indexer.agent import bulk_until_done, index_events
from tests.unit.indexer.test_agent import FakeBulk, FakeTopics, events, item_error


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def snapshot() -> dict[str, float]:
    return {
        "indexed": value("cgtwatch_indexer_articles_indexed_total"),
        "latency_count": value("cgtwatch_indexer_fetch_to_index_seconds_count"),
        "latency_le_30": value("cgtwatch_indexer_fetch_to_index_seconds_bucket", le="30.0"),
        "batches": value("cgtwatch_indexer_batch_size_count"),
        "batch_sum": value("cgtwatch_indexer_batch_size_sum"),
        "failed_400": value("cgtwatch_indexer_bulk_failures_total", status="400"),
        "transport": value("cgtwatch_indexer_bulk_failures_total", status="transport"),
        "dl_bulk": value("cgtwatch_indexer_dead_lettered_total", reason="bulk_failed"),
        "dl_undecodable": value("cgtwatch_indexer_dead_lettered_total", reason="undecodable"),
    }


def delta(before: dict[str, float]) -> dict[str, float]:
    after = snapshot()
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def test_a_batch_records_written_failed_and_dead_lettered(
        monkeypatch: pytest.MonkeyPatch, make_article: Callable[..., ClassifiedArticle],
        caplog: pytest.LogCaptureFixture) -> None:
    fetched = utcnow() - timedelta(seconds=20)
    good = make_article(url="https://a.gov.cn/good.html", fetched_at=fetched)
    rejected = make_article(url="https://a.gov.cn/rejected.html")
    monkeypatch.setattr(indexer.agent, "async_bulk", FakeBulk(
        [[item_error(rejected.article_id, 400, "mapper_parsing_exception")]]))
    before = snapshot()
    with caplog.at_level(logging.INFO, logger="indexer.agent"):
        asyncio.run(index_events(events(good.encode(), b"{", rejected.encode()), object(),  # type: ignore[arg-type]
                                 "cgtwatch-articles", FakeTopics()))  # type: ignore[arg-type]
    assert delta(before) == {"indexed": 1, "latency_count": 1, "latency_le_30": 1, "batches": 1,
                             "batch_sum": 3, "failed_400": 1, "dl_bulk": 1,
                             "dl_undecodable": 1}
    about = {(r.article_id, r.source, r.stage, r.levelname) for r in caplog.records  # type: ignore[attr-defined]
             if hasattr(r, "article_id")}
    assert about == {(good.article_id, good.source_id, "indexer", "INFO"),
                     (rejected.article_id, rejected.source_id, "indexer", "WARNING")}


def test_latency_is_from_fetched_at(make_article: Callable[..., ClassifiedArticle]) -> None:
    now = utcnow()
    old = make_article(fetched_at=now - timedelta(minutes=45))
    before = value("cgtwatch_indexer_fetch_to_index_seconds_sum")
    metrics.record_batch(undecodable=0, failed=[], written=[old], now=now)
    assert value("cgtwatch_indexer_fetch_to_index_seconds_sum") - before == pytest.approx(2700)
    clock_skew = make_article(fetched_at=now + timedelta(seconds=5))  # never negative
    metrics.record_batch(undecodable=0, failed=[], written=[clock_skew], now=now)
    assert value("cgtwatch_indexer_fetch_to_index_seconds_sum") - before == pytest.approx(2700)


def test_transport_errors_are_counted_and_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0

    async def flaky(es: object, actions: list[dict[str, object]], **kwargs: object
                    ) -> tuple[int, list[object]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise EsConnectionError("connection refused")
        return len(actions), []

    async def no_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr(indexer.agent, "async_bulk", flaky)
    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    before = snapshot()
    assert asyncio.run(bulk_until_done(object(), [{"_id": "a"}])) == []  # type: ignore[arg-type]
    assert delta(before) == {"transport": 1}


def test_crawl_stats_batches_do_not_count_as_articles() -> None:
    before = snapshot()
    metrics.record_batch(undecodable=2, failed=[{"_id": "job", "status": 400}])
    assert delta(before) == {"dl_undecodable": 2, "failed_400": 1, "dl_bulk": 1}
