"""Alert history and the durable dedupe ledger, kept in an Elasticsearch index.

Input: alert keys ``rule:story:channel`` and delivery outcomes. Output: one document per key
(``_id`` = key) whose ``status`` is ``pending``, ``sent`` or ``failed``. ``claim`` creates the
document atomically (``op_type=create``), so a redelivered article finds the earlier attempt
and is sent only if that attempt did not succeed.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, Elasticsearch
from elasticsearch.dsl import Date, Document, Index, Integer, Keyword, Text

from config.contracts import utcnow
from config.settings import Settings


class AlertRecordDoc(Document):
    key = Keyword()
    rule = Keyword()
    channel = Keyword()
    article_id = Keyword()
    story_id = Keyword()
    title = Text(analyzer="cjk")
    url = Keyword()
    status = Keyword()
    error = Text()
    attempts = Integer()
    created_at = Date()
    updated_at = Date()
    fetched_at = Date()


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


class Ledger:
    """Durable per-key delivery state over the alerts index."""

    def __init__(self, es: AsyncElasticsearch, index: str) -> None:
        self._es, self._index = es, index

    async def claim(self, key: str, record: dict[str, Any]) -> str | None:
        """Create the record as pending; return the earlier status if it already existed."""
        now = utcnow().isoformat()
        doc = {**record, "key": key, "status": "pending", "attempts": 0,
               "created_at": now, "updated_at": now}
        try:
            await self._es.create(index=self._index, id=key, document=doc)
            return None
        except ConflictError:
            found = await self._es.get(index=self._index, id=key)
            return str(found["_source"].get("status", "pending"))

    async def finish(self, key: str, status: str, attempts: int, error: str = "") -> None:
        await self._es.update(index=self._index, id=key, doc={
            "status": status, "attempts": attempts, "error": error,
            "updated_at": utcnow().isoformat()}, refresh=True)
