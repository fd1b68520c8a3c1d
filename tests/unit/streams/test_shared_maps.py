"""The seen-article index every streams worker holds in full (``streams.shared_maps``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from streams.replica import oldest_day
from streams.shared_maps import SEEN_DAYS, SeenIndex, seen_entry
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
