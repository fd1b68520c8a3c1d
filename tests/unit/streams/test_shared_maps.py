"""The seen-article index every streams worker holds in full (``streams.shared_maps``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from streams.replica import oldest_day, publish_all
from streams.shared_maps import SEEN_DAYS, BandIndex, SeenIndex, seen_entry
from tests.unit.fakes import RecordingTopic


def test_the_last_content_hash_of_an_article_wins() -> None:
    seen = SeenIndex()
    seen.apply("a1", seen_entry("h1", "2026-01-01"))
    seen.apply("a1", seen_entry("h2", "2026-02-01"))  # a revision, from another worker
    assert seen.hash_of("a1") == "h2"
    assert seen.hash_of("never-seen") is None


def test_remember_applies_at_once_and_publishes_keyed_by_article() -> None:
    topic = RecordingTopic()
    seen = SeenIndex(topic)  # type: ignore[arg-type]
    assert not seen.ready.is_set()  # a shared map waits for its topic to be read
    asyncio.run(seen.remember("a1", "h1", "2026-03-04"))
    assert seen.hash_of("a1") == "h1"
    assert topic.sent == [(b"a1", b"h1 2026-03-04")]


def test_articles_older_than_the_window_are_forgotten() -> None:
    seen = SeenIndex()
    seen.apply("old", seen_entry("h", "2024-01-01"))
    seen.apply("new", seen_entry("h", "2025-06-01"))
    cutoff = oldest_day(SEEN_DAYS, datetime(2025, 6, 30, tzinfo=UTC))
    assert cutoff == "2024-06-30"
    assert seen.prune(cutoff) == 1
    assert list(seen) == ["new"]


def test_bands_and_seen_go_out_together_and_apply_only_once_acknowledged() -> None:
    band_topic, seen_topic = RecordingTopic(), RecordingTopic(fail=True)
    bands, seen = BandIndex(band_topic), SeenIndex(seen_topic)  # type: ignore[arg-type]
    staged = [bands.stage_groups({"a1:h1": {"b00-x": "a1 src", "b01-y": "a1 src"}}),
              seen.stage({"a1": seen_entry("h1", "2026-03-04")})]
    with pytest.raises(ConnectionError):
        asyncio.run(publish_all(staged))
    assert dict(bands) == {} and dict(seen) == {}  # a retry finds the maps as they were
    seen_topic.fail = False
    asyncio.run(publish_all(staged))
    assert band_topic.sent[-1] == (b"a1:h1", b"b00-x\ta1 src\nb01-y\ta1 src")
    assert seen_topic.sent == [(b"a1", b"h1 2026-03-04")]
    assert bands.get("b01-y") == "a1 src" and seen.hash_of("a1") == "h1"
