"""Item pipelines: unchanged articles are dropped; new revisions are published, then recorded.
The validators travel in the ``FetchedArticle`` item itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from config.contracts.articles import RawArticle
from config.contracts.topics import Topics
from config.contracts.wire import decode
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.pipelines import KafkaPublishPipeline, RevisionPipeline
from crawlers.state.seen import SeenStore, SqliteSeenStore


@pytest.fixture
def seen(tmp_path: Path) -> Iterator[SeenStore]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield store
    store.close()


class FakeFuture:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.timeouts: list[float | None] = []

    def get(self, timeout: float | None = None) -> object:
        self.timeouts.append(timeout)
        if self.error is not None:
            raise self.error
        return object()


@dataclass
class RecordingProducer:
    """Stands in for ``KafkaProducer``: records sends; ``fail_with`` makes the ack fail."""

    fail_with: Exception | None = None
    sent: list[tuple[str, bytes | None, bytes]] = field(default_factory=list)
    futures: list[FakeFuture] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"") -> FakeFuture:
        self.sent.append((topic, key, value))
        self.futures.append(FakeFuture(self.fail_with))
        return self.futures[-1]

    def flush(self, timeout: float | None = None) -> None:
        self.calls.append("flush")

    def close(self, timeout: float | None = None) -> None:
        self.calls.append("close")


def publisher(seen: SeenStore, producer: RecordingProducer) -> KafkaPublishPipeline:
    """The pipeline without its real Kafka producer."""
    pipeline = KafkaPublishPipeline.__new__(KafkaPublishPipeline)
    pipeline.producer, pipeline.seen, pipeline.timeout_s = producer, seen, 5.0
    pipeline.published = 0
    return pipeline


def fetched(raw: RawArticle, etag: str | None = None, modified: str | None = None
            ) -> FetchedArticle:
    return FetchedArticle(raw, etag, modified, run_key="job-1:abc")


def test_new_article_passes_with_revision_one(seen: SeenStore,
                                              make_raw: Callable[..., RawArticle]) -> None:
    item = RevisionPipeline(seen).process_item(fetched(make_raw()))
    assert item.article.revision == 1 and item.run_key == "job-1:abc"


def test_unchanged_article_is_dropped(seen: SeenStore, make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    seen.record(raw.article_id, raw.url, raw.content_hash, 1)
    with pytest.raises(DropItem, match=raw.article_id) as dropped:
        RevisionPipeline(seen).process_item(fetched(raw))
    assert dropped.value.log_level == "DEBUG"  # an unchanged re-check is no warning


def test_changed_article_gets_the_next_revision(seen: SeenStore,
                                                make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    seen.record(raw.article_id, raw.url, raw.content_hash, 1)
    changed = make_raw(text="更正：AAV 基因治疗药物获批开展 II 期临床试验。")
    item = RevisionPipeline(seen).process_item(fetched(changed))
    assert item.article.revision == 2
    assert changed.revision == 1  # the input item is not mutated


def test_publish_sends_to_raw_topic_keyed_by_article_id(
        seen: SeenStore, make_raw: Callable[..., RawArticle]) -> None:
    producer = RecordingProducer()
    pipeline = publisher(seen, producer)
    raw = make_raw(revision=2)
    item = fetched(raw)
    assert asyncio.run(pipeline.process_item(item)) is item
    ((topic, key, value),) = producer.sent
    assert topic == Topics.RAW
    assert key == raw.article_id.encode()
    assert decode(RawArticle, value) == raw
    assert producer.futures[0].timeouts == [5.0]
    assert pipeline.published == 1
    assert seen.next_revision(raw.article_id, raw.content_hash) is None
    assert seen.next_revision(raw.article_id, "other") == 3


def test_failed_acknowledgement_is_not_recorded(seen: SeenStore,
                                                make_raw: Callable[..., RawArticle]) -> None:
    pipeline = publisher(seen, RecordingProducer(fail_with=TimeoutError("no ack")))
    raw = make_raw()
    with pytest.raises(TimeoutError):
        asyncio.run(pipeline.process_item(fetched(raw)))
    assert not seen.known(raw.article_id)
    assert pipeline.published == 0


def test_close_flushes_then_closes(seen: SeenStore) -> None:
    producer = RecordingProducer()
    publisher(seen, producer).close_spider()
    assert producer.calls == ["flush", "close"]


def test_pipelines_need_the_spiders_seen_store_and_settings(seen: SeenStore) -> None:
    crawler = get_crawler()
    with pytest.raises(NotConfigured, match="seen-store"):
        RevisionPipeline.from_crawler(crawler)
    crawler.spider = SimpleNamespace(seen=seen)  # type: ignore[assignment]  # a stand-in
    pipeline = RevisionPipeline.from_crawler(crawler)
    assert pipeline.seen is seen
    assert pipeline.seen.next_revision("a", "h") == 1
    with pytest.raises(NotConfigured, match="CGTWATCH_SETTINGS"):
        KafkaPublishPipeline.from_crawler(crawler)


def test_published_revision_keeps_the_page_validators(
        seen: SeenStore, make_raw: Callable[..., RawArticle]) -> None:
    pipeline = publisher(seen, RecordingProducer())
    raw = make_raw()
    asyncio.run(pipeline.process_item(fetched(raw, '"e1"', "Mon, 01 Apr 2024 00:00:00 GMT")))
    record = seen.get(raw.article_id)
    assert record is not None
    assert (record.etag, record.last_modified) == ('"e1"', "Mon, 01 Apr 2024 00:00:00 GMT")


def test_unchanged_article_refreshes_its_validators(
        seen: SeenStore, make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    seen.record(raw.article_id, raw.url, raw.content_hash, 1, '"old"', None)
    with pytest.raises(DropItem):
        RevisionPipeline(seen).process_item(fetched(raw, '"new"'))
    record = seen.get(raw.article_id)
    assert record is not None and (record.etag, record.revision) == ('"new"', 1)
