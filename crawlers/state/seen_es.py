"""The shared seen-store in Elasticsearch: index ``<prefix>-seen``, ``_id = article_id``.

Input: an ``Elasticsearch`` client and the index name. Output: the ``SeenStore`` interface
(``crawlers.state.seen``) over documents holding url, content_hash, revision, etag, last_modified,
first_seen and last_seen. Every crawler replica, in any container, reads and writes the same
index; reads use real-time ``mget`` (no refresh needed), writes are upserts that keep
``first_seen``. List-page validators live in the same index under ``page-<hash>`` ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from elasticsearch import ApiError, Elasticsearch
from elasticsearch.helpers import bulk, scan

from config.clients import elastic
from config.settings import Settings
from crawlers.state.seen import SeenRecord, SeenStore, SqliteSeenStore

SEEN_MAPPING: dict[str, Any] = {
    "dynamic": "false",
    "properties": {
        "url": {"type": "keyword", "ignore_above": 4096},
        "content_hash": {"type": "keyword"},
        "revision": {"type": "integer"},
        "etag": {"type": "keyword", "index": False},
        "last_modified": {"type": "keyword", "index": False},
        "first_seen": {"type": "date"},
        "last_seen": {"type": "date"},
        "next_check": {"type": "date"},
    },
}


def seen_index(settings: Settings) -> str:
    return f"{settings.elastic.index_prefix}-seen"


def ensure_index(es: Elasticsearch, index: str, mapping: dict[str, Any]) -> str:
    """Create ``index`` with ``mapping`` unless it exists (idempotent, race-safe)."""
    if not es.indices.exists(index=index):
        try:
            es.indices.create(index=index, mappings=mapping,
                              settings={"number_of_shards": 1})
        except ApiError as exc:
            if "already_exists" not in str(exc):
                raise
    return index


def _record(doc: dict[str, Any]) -> SeenRecord:
    src = doc["_source"]
    return SeenRecord(
        article_id=doc["_id"], url=src.get("url", ""), content_hash=src.get("content_hash", ""),
        revision=int(src.get("revision", 0)), etag=src.get("etag"),
        last_modified=src.get("last_modified"), first_seen=src.get("first_seen", ""),
        last_seen=src.get("last_seen", ""), next_check=src.get("next_check") or "")


class ElasticSeenStore(SeenStore):
    """Seen-store shared by all crawler workers (the default backend)."""

    def __init__(self, es: Elasticsearch, index: str, owns_client: bool = False) -> None:
        self.es, self.index, self._owns = es, index, owns_client
        ensure_index(es, index, SEEN_MAPPING)

    def lookup(self, article_ids: list[str]) -> dict[str, SeenRecord]:
        if not article_ids:
            return {}
        docs = self.es.mget(index=self.index, ids=list(article_ids))["docs"]
        return {doc["_id"]: _record(doc) for doc in docs if doc.get("found")}

    def records(self) -> Iterator[SeenRecord]:
        self.es.indices.refresh(index=self.index)
        for doc in scan(self.es, index=self.index, query={"query": {"match_all": {}}},
                        size=1000):
            yield _record(doc)

    def forget(self, keys: list[str]) -> None:
        actions = [{"_op_type": "delete", "_index": self.index, "_id": k} for k in keys]
        bulk(self.es, actions, raise_on_error=False, refresh=True)

    def _write(self, record: SeenRecord) -> None:
        doc = {"url": record.url, "content_hash": record.content_hash,
               "revision": record.revision, "etag": record.etag,
               "last_modified": record.last_modified, "last_seen": record.last_seen,
               "next_check": record.next_check or None}
        self.es.update(index=self.index, id=record.article_id, doc=doc,
                       upsert={**doc, "first_seen": record.first_seen}, retry_on_conflict=3)

    def close(self) -> None:
        if self._owns:
            self.es.close()


def open_seen_store(settings: Settings) -> SeenStore:
    """The configured backend (``CGTWATCH_CRAWLER__SEEN_STORE``: elasticsearch or sqlite)."""
    if settings.crawler.seen_store == "sqlite":
        return SqliteSeenStore(settings.paths.data_dir / "seen.sqlite3")
    return ElasticSeenStore(Elasticsearch(**elastic(settings)), seen_index(settings),
                            owns_client=True)
