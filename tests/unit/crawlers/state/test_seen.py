"""The SQLite seen-store (single-host option): new → 1, unchanged → None, changed → +1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.state.seen import SqliteSeenStore as SeenStore
from crawlers.state.seen import page_key


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "seen.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SeenStore]:
    seen = SeenStore(db_path)
    yield seen
    seen.close()


def test_new_article_gets_revision_one(store: SeenStore) -> None:
    assert not store.known("a1")
    assert store.next_revision("a1", "h1") == 1


def test_unchanged_content_gets_none(store: SeenStore) -> None:
    store.record("a1", "https://a.org/1", "h1", 1)
    assert store.known("a1")
    assert store.next_revision("a1", "h1") is None


def test_changed_content_gets_the_next_revision(store: SeenStore) -> None:
    store.record("a1", "https://a.org/1", "h1", 1)
    assert store.next_revision("a1", "h2") == 2
    store.record("a1", "https://a.org/1", "h2", 2)
    assert store.next_revision("a1", "h2") is None
    assert store.next_revision("a1", "h3") == 3


def test_nothing_is_remembered_until_recorded(store: SeenStore) -> None:
    assert store.next_revision("a1", "h1") == 1
    assert store.next_revision("a1", "h1") == 1
    assert not store.known("a1")


def test_articles_are_independent(store: SeenStore) -> None:
    store.record("a1", "https://a.org/1", "h1", 1)
    assert store.next_revision("a2", "h1") == 1


def test_state_persists_across_reopen(db_path: Path) -> None:
    first = SeenStore(db_path)
    first.record("a1", "https://a.org/1", "h1", 1)
    first.record("a1", "https://a.org/1", "h2", 2)
    first.close()
    again = SeenStore(db_path)
    try:
        assert again.known("a1")
        assert again.next_revision("a1", "h2") is None
        assert again.next_revision("a1", "h3") == 3
    finally:
        again.close()


def test_two_handles_on_one_file_see_each_other(db_path: Path) -> None:
    """Several crawler processes on one host share the store."""
    one, two = SeenStore(db_path), SeenStore(db_path)
    try:
        one.record("a1", "https://a.org/1", "h1", 1)
        assert two.known("a1")
    finally:
        one.close()
        two.close()


def test_creates_missing_data_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "seen.sqlite3"
    SeenStore(path).close()
    assert path.exists()


def test_records_and_forget(store: SeenStore) -> None:
    store.record("a1", "http://x/1", "h1", 1)
    store.record("a2", "http://x/2", "h2", 3)
    store.record_page("http://x/list/", '"e"', None)
    assert {r.article_id for r in store.records()} == {"a1", "a2", page_key("http://x/list/")}
    assert {(r.article_id, r.revision) for r in store.articles()} == {("a1", 1), ("a2", 3)}
    store.forget(["a2", page_key("http://x/list/"), "never-seen"])
    assert [r.article_id for r in store.records()] == ["a1"]
    assert store.next_revision("a2", "h2") == 1  # forgotten: new again
