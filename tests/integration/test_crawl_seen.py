"""The shared seen-store in Elasticsearch (noida-db): revisions, validators and sharing.

Two ``ElasticSeenStore`` objects stand for two crawler replicas in different containers:
what one records, the other knows at once (real-time ``mget``, no refresh).
"""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from config.clients import elastic
from crawlers.state.seen_es import ElasticSeenStore, open_seen_store, seen_index
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration


def test_revisions_validators_and_sharing(stack: Env) -> None:
    index = seen_index(stack.settings)
    one = ElasticSeenStore(stack.es, index)
    other = ElasticSeenStore(Elasticsearch(**elastic(stack.settings)), index, owns_client=True)
    try:
        assert one.next_revision("a1", "h1") == 1 and not one.known("a1")
        one.record("a1", "http://x/1", "h1", 1, '"e1"', "Mon, 01 Apr 2024 00:00:00 GMT")
        assert other.known("a1") and other.next_revision("a1", "h1") is None
        assert other.next_revision("a1", "h2") == 2
        first = other.get("a1")
        assert first is not None and first.etag == '"e1"'
        other.record("a1", "http://x/1", "h2", 2, '"e2"', None)
        again = one.get("a1")
        assert again is not None and (again.revision, again.etag) == (2, '"e2"')
        assert again.first_seen == first.first_seen and again.last_seen >= first.last_seen
        one.touch("a1", '"e3"', None)
        touched = other.get("a1")
        assert touched is not None and (touched.revision, touched.etag) == (2, '"e3"')
        one.record_page("http://x/list/", '"p1"', None)
        page = other.page_validators("http://x/list/")
        assert page is not None and page.etag == '"p1"' and not other.known("http://x/list/")
        assert set(one.lookup(["a1", "zz"])) == {"a1"}
    finally:
        other.close()


def test_store_survives_a_restart_and_sqlite_remains_an_option(stack: Env) -> None:
    store = open_seen_store(stack.settings)
    store.record("b1", "http://x/2", "h", 1)
    store.close()
    reopened = open_seen_store(stack.settings)
    try:
        assert reopened.known("b1")
    finally:
        reopened.close()
    single_host = stack.settings.model_copy(update={"crawler": stack.settings.crawler.model_copy(
        update={"seen_store": "sqlite"})})
    sqlite = open_seen_store(single_host)
    try:
        assert not sqlite.known("b1")
        assert (stack.settings.paths.data_dir / "seen.sqlite3").exists()
    finally:
        sqlite.close()
