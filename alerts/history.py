"""Alert history and the durable dedupe ledger, kept in an Elasticsearch index.

Input: alert keys and delivery outcomes. Output: one document per key (``_id`` = key):

- ``kind=immediate``: ``rule:story:channel``, ``status`` ``pending`` → ``sent`` | ``failed``;
- ``kind=item``: the same key, queued for a digest or held in quiet hours (``status=queued``,
  ``window``, ``due_at``, the article itself); ``sent`` once its digest went out;
- ``kind=digest``: ``digest:rule:window:channel``, with the keys of the items it carries.

``claim`` creates a document atomically (``op_type=create``), so a redelivered article or a
second alerter finds the earlier attempt. All state lives here, none in memory: an alerter that
restarts between digest windows finds its queued items again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, Elasticsearch
from elasticsearch.dsl import Date, Document, Index, Integer, Keyword, Object, Text
from elasticsearch.helpers import async_bulk

from config.contracts import utcnow
from config.settings import Settings

STATUSES = ("pending", "queued", "sent", "failed")


class AlertRecordDoc(Document):
    key = Keyword()
    kind = Keyword()
    rule = Keyword()
    channel = Keyword()
    article_id = Keyword()
    story_id = Keyword()
    title = Text(analyzer="cjk")
    url = Keyword()
    status = Keyword()
    reason = Keyword()
    window = Keyword()
    due_at = Date()
    digest = Keyword()
    item_keys = Keyword()
    item_count = Integer()
    error = Text()
    attempts = Integer()
    created_at = Date()
    updated_at = Date()
    sent_at = Date()
    fetched_at = Date()
    article = Object(enabled=False)


def alerts_index(settings: Settings) -> str:
    return f"{settings.elastic.index_prefix}-alerts"


def setup_alert_history(es: Elasticsearch, settings: Settings) -> str:
    name = alerts_index(settings)
    index = Index(name)
    index.document(AlertRecordDoc)
    index.settings(number_of_shards=1, number_of_replicas=0)
    if not es.indices.exists(index=name):
        es.indices.create(index=name, **index.to_dict())
    return name


def history_query(rule: str | None = None, status: str | None = None,
                  since: datetime | None = None) -> dict[str, Any]:
    """The query behind ``cgtwatch alerts history`` (pure)."""
    filters: list[dict[str, Any]] = []
    if rule:
        filters.append({"term": {"rule": rule}})
    if status:
        filters.append({"term": {"status": status}})
    if since is not None:
        filters.append({"range": {"updated_at": {"gte": since.isoformat()}}})
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


class Ledger:
    """Durable per-key delivery state over the alerts index."""

    def __init__(self, es: AsyncElasticsearch, index: str) -> None:
        self._es, self._index = es, index

    async def claim(self, key: str, record: dict[str, Any], status: str = "pending"
                    ) -> str | None:
        """Create the record with ``status``; return the earlier status if it existed."""
        now = utcnow().isoformat()
        doc = {**record, "key": key, "status": status, "attempts": 0,
               "created_at": now, "updated_at": now}
        try:
            await self._es.create(index=self._index, id=key, document=doc, refresh=True)
            return None
        except ConflictError:
            found = await self._es.get(index=self._index, id=key)
            return str(found["_source"].get("status", "pending"))

    async def update(self, key: str, fields: dict[str, Any]) -> None:
        await self._es.update(index=self._index, id=key, refresh=True,
                              doc={**fields, "updated_at": utcnow().isoformat()})

    async def get(self, key: str) -> dict[str, Any]:
        found = await self._es.get(index=self._index, id=key)
        return dict(found["_source"])

    async def finish(self, key: str, status: str, attempts: int, error: str = "") -> None:
        fields: dict[str, Any] = {"status": status, "attempts": attempts, "error": error}
        if status == "sent":
            fields["sent_at"] = utcnow().isoformat()
        await self.update(key, fields)

    async def count_recent(self, rule: str, channel: str, since: datetime) -> int:
        """Immediate alerts of ``rule`` on ``channel`` created since ``since``."""
        query = {"bool": {"filter": [
            {"term": {"kind": "immediate"}}, {"term": {"rule": rule}},
            {"term": {"channel": channel}},
            {"range": {"created_at": {"gte": since.isoformat()}}}]}}
        return int((await self._es.count(index=self._index, query=query))["count"])

    async def due(self, now: datetime, limit: int = 5000) -> list[dict[str, Any]]:
        """Queued items whose window is due, oldest first."""
        query = {"bool": {"filter": [{"term": {"status": "queued"}},
                                     {"range": {"due_at": {"lte": now.isoformat()}}}]}}
        response = await self._es.search(index=self._index, query=query, size=limit,
                                         sort=[{"created_at": "asc"}])
        return [hit["_source"] for hit in response["hits"]["hits"]]

    async def update_many(self, keys: list[str], fields: dict[str, Any]) -> None:
        """Set ``fields`` on every key in one bulk request."""
        stamp = {**fields, "updated_at": utcnow().isoformat()}
        actions = [{"_op_type": "update", "_index": self._index, "_id": key, "doc": stamp}
                   for key in keys]
        if actions:
            await async_bulk(self._es, actions, refresh=True)
