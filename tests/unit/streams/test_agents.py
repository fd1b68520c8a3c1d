"""The classifier agent's per-event handler: classify, drop duplicates, dead-letter bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from config.contracts.articles import Classification, ClassifiedArticle, LabelResult, RawArticle
from config.contracts.ops import DeadLetter
from config.contracts.wire import decode
from streams.agents import handle_batch, handle_raw
from streams.shared_maps import SeenIndex
from tests.unit.fakes import FakeEvent, FakeTopics, RecordingTopic, fake_event


class FakeClassifier:
    def classify(self, title: str, text: str, lang: str | None = None) -> Classification:
        return Classification(labels=["cell_therapy"], classifier="fake-1", results={
            "cell_therapy": LabelResult(score=0.7, salience="secondary")})


class BrokenClassifier:
    def classify(self, title: str, text: str, lang: str | None = None) -> Classification:
        raise RuntimeError("taxonomy exploded")


def event_for(value: bytes | None, key: bytes | None = None) -> FakeEvent:
    """An event read from articles.raw, partition 1, offset 42."""
    return fake_event(value, key=key, partition=1, offset=42)


def handle(event: FakeEvent, topics: FakeTopics, seen: SeenIndex,
           classifier: Any = None) -> str:
    return asyncio.run(handle_raw(event, topics, classifier or FakeClassifier(),  # type: ignore
                                  seen))


def only_dead_letter(topics: FakeTopics) -> tuple[bytes | None, DeadLetter]:
    ((key, value),) = topics.deadletter.sent
    return key, decode(DeadLetter, value)


def test_classified_article_is_sent_and_remembered(make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    topics, seen = FakeTopics(), SeenIndex()
    outcome = handle(event_for(raw.encode(), raw.article_id.encode()), topics, seen)
    assert outcome == "classified"
    ((key, value),) = topics.classified.sent
    assert key == raw.article_id.encode()
    out = decode(ClassifiedArticle, value)
    assert out.article_id == raw.article_id and out.labels == ["cell_therapy"]
    assert list(seen) == [raw.article_id]
    assert seen.hash_of(raw.article_id) == raw.content_hash
    assert topics.deadletter.sent == []


def test_same_content_again_is_a_duplicate(make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    topics, seen = FakeTopics(), SeenIndex()
    assert handle(event_for(raw.encode()), topics, seen) == "classified"
    assert handle(event_for(raw.encode()), topics, seen) == "duplicate"
    assert len(topics.classified.sent) == 1


def test_revised_content_is_classified_again(make_raw: Callable[..., RawArticle]) -> None:
    topics, seen = FakeTopics(), SeenIndex()
    first = make_raw()
    revised = make_raw(text="更正后的正文。", content_hash="revised-hash", revision=2)
    handle(event_for(first.encode()), topics, seen)
    assert handle(event_for(revised.encode()), topics, seen) == "classified"
    assert [decode(ClassifiedArticle, v).revision for _, v in topics.classified.sent] == [1, 2]
    assert seen.hash_of(first.article_id) == "revised-hash"


def test_malformed_json_goes_to_the_dead_letter_topic() -> None:
    topics, seen = FakeTopics(), SeenIndex()
    payload = b'{"article_id": "abc", "url": '
    assert handle(event_for(payload, b"abc"), topics, seen) == "deadletter"
    key, letter = only_dead_letter(topics)
    assert key == b"abc"
    assert letter.stage == "streams"
    assert letter.error_type == "ValidationError" and "Invalid JSON" in letter.error
    assert letter.payload == payload.decode()
    assert (letter.topic, letter.partition, letter.offset, letter.key) == (
        "articles.raw", 1, 42, "abc")
    assert topics.classified.sent == [] and seen == {}


def test_wrong_schema_version_is_dead_lettered(make_raw: Callable[..., RawArticle]) -> None:
    data = json.loads(make_raw().encode())
    data["schema_version"] = 2
    topics: FakeTopics = FakeTopics()
    assert handle(event_for(json.dumps(data).encode()), topics, SeenIndex()) == "deadletter"
    assert "schema_version" in only_dead_letter(topics)[1].error


def test_empty_message_is_dead_lettered() -> None:
    topics = FakeTopics()
    assert handle(event_for(None), topics, SeenIndex()) == "deadletter"
    assert only_dead_letter(topics)[1].payload == ""


def test_classifier_failure_is_dead_lettered_with_the_article(
        make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    topics, seen = FakeTopics(), SeenIndex()
    assert handle(event_for(raw.encode()), topics, seen, BrokenClassifier()) == "deadletter"
    key, letter = only_dead_letter(topics)
    assert key == raw.article_id.encode()
    assert letter.article_id == raw.article_id
    assert (letter.error_type, letter.error) == ("RuntimeError", "taxonomy exploded")
    assert topics.classified.sent == [] and seen == {}


def test_seen_is_not_updated_when_sending_fails(make_raw: Callable[..., RawArticle]) -> None:
    class Unreachable(RecordingTopic):
        async def send(self, key: bytes | None = None,
                       value: bytes = b"") -> asyncio.Future[None]:
            raise ConnectionError("broker down")

    topics, seen = FakeTopics(classified=Unreachable()), SeenIndex()
    with pytest.raises(ConnectionError):
        handle(event_for(make_raw().encode()), topics, seen)
    assert seen == {}


def batch(events: list[FakeEvent], topics: FakeTopics, seen: SeenIndex,
          classifier: Any = None) -> list[str]:
    return asyncio.run(handle_batch(events, topics, classifier or FakeClassifier(),  # type: ignore
                                    seen))


def test_a_batch_sends_every_output_and_remembers_them(
        make_raw: Callable[..., RawArticle]) -> None:
    raws = [make_raw(url=f"http://example.gov.cn/{n}.html") for n in range(3)]
    topics, seen = FakeTopics(), SeenIndex()
    outcomes = batch([event_for(r.encode()) for r in raws], topics, seen)
    assert outcomes == ["classified"] * 3
    assert [k for k, _ in topics.classified.sent] == [r.article_id.encode() for r in raws]
    assert sorted(seen) == sorted(r.article_id for r in raws)


def test_the_same_article_twice_in_a_batch_is_sent_once_last_copy_winning(
        make_raw: Callable[..., RawArticle]) -> None:
    first = make_raw()
    revised = make_raw(text="更正后的正文。", content_hash="revised-hash", revision=2)
    topics, seen = FakeTopics(), SeenIndex()
    events = [event_for(first.encode()), event_for(revised.encode()),
              event_for(first.encode(), b"x")]
    assert batch(events, topics, seen) == ["duplicate", "duplicate", "classified"]
    ((_, value),) = topics.classified.sent
    assert decode(ClassifiedArticle, value).content_hash == first.content_hash
    assert seen.hash_of(first.article_id) == first.content_hash


def test_a_bad_event_in_a_batch_is_dead_lettered_alone(
        make_raw: Callable[..., RawArticle]) -> None:
    raw = make_raw()
    topics, seen = FakeTopics(), SeenIndex()
    outcomes = batch([event_for(b"{not json", b"k"), event_for(raw.encode())], topics, seen)
    assert outcomes == ["deadletter", "classified"]
    key, letter = only_dead_letter(topics)
    assert key == b"k" and "Invalid JSON" in letter.error
    assert len(topics.classified.sent) == 1 and list(seen) == [raw.article_id]


def test_maps_are_not_updated_when_an_ack_of_the_batch_fails(
        make_raw: Callable[..., RawArticle]) -> None:
    raws = [make_raw(url=f"http://example.gov.cn/{n}.html") for n in range(3)]
    topics, seen = FakeTopics(classified=RecordingTopic(fail=True)), SeenIndex()
    with pytest.raises(ConnectionError):
        batch([event_for(r.encode()) for r in raws], topics, seen)
    assert seen == {}
    assert batch([event_for(r.encode()) for r in raws], FakeTopics(), seen) == [
        "classified"] * 3  # the retried batch writes them all
