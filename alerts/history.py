"""Alert history and the durable dedupe ledger, kept in an Elasticsearch index.

Input: alert keys and delivery outcomes. Output: one document per key (``_id`` = key):

- ``kind=immediate``: a delivery ``rule:story:channel`` with its rendered ``payload``;
- ``kind=digest``: a delivery ``digest:rule:window:channel`` with the keys of its items;
- ``kind=item``: the same key as an immediate alert, queued for a digest or held in quiet hours
  (``status=queued``, ``window``, ``due_at``, the article itself); ``digesting`` once its
  digest delivery exists, ``sent`` (or ``failed``) with it.

A delivery moves ``queued`` → ``sending`` → ``sent``, or → ``retrying`` (``next_attempt_at``)
→ ``sending`` ..., or ends ``failed`` (permanent error, or too old) or ``unknown`` (interrupted
where the channel cannot tell and its policy is ``skip``); ``attempts`` counts the tries. It is
created atomically (``op_type=create``), so a redelivered article or a second alerter finds
the earlier one; a send is claimed with optimistic concurrency (``if_seq_no``), so one worker
sends it. All state lives here, none in memory: a restarted alerter finds everything again.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, Elasticsearch
from elasticsearch.dsl import Date, Document, Index, Integer, Keyword, Long, Object, Text
from elasticsearch.helpers import async_bulk

from config.contracts.wire import utcnow
from config.settings import Settings

STATUSES = ("queued", "sending", "sent", "retrying", "failed", "unknown", "digesting",
            "silenced")
#: refusals that pass by themselves (a write block, an overloaded or starting cluster)
PASSING_TYPES = frozenset({"cluster_block_exception", "es_rejected_execution_exception",
                           "unavailable_shards_exception", "circuit_breaking_exception"})


def passing(status: object, error: object) -> bool:
    """Whether a refusal by Elasticsearch (HTTP ``status`` and ``error`` of a bulk item or of a
    whole request) may pass by itself, so that the write is worth retrying; a refusal of the
    document itself (a mapping error) is not."""
    kind = error.get("type") if isinstance(error, dict) else error
    code = status if isinstance(status, int) else 0
    return code == 429 or code >= 500 or kind in PASSING_TYPES


class RejectedError(Exception):
    """Elasticsearch refused some documents (not a conflict): ``rejected`` = key → reason;
    ``passing``: the keys whose refusal may pass by itself (see ``passing``)."""

    def __init__(self, rejected: dict[str, str], created: list[str],
                 passing: set[str] | None = None) -> None:
        super().__init__(f"alert history refused {len(rejected)} record(s): "
                         f"{next(iter(rejected.values()), '')}")
        self.rejected, self.created = rejected, created
        self.passing = passing or set()


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
    next_attempt_at = Date()
    seq = Long()
    first_created_at = Date()
    claimed_at = Date()
    silenced_until = Date()
    instance = Keyword()
    boot = Keyword()
    unit = Keyword()
    resolution = Keyword()
    article = Object(enabled=False)
    payload = Object(enabled=False)


def queue_seq() -> int:
    """A queue position: microseconds since the epoch (a batch takes consecutive ones), so
    deliveries created in one request keep their order where times are equal."""
    return time.time_ns() // 1000


def alerts_index(settings: Settings) -> str:
    return f"{settings.elastic.index_prefix}-alerts"


def setup_alert_history(es: Elasticsearch, settings: Settings) -> str:
    name = alerts_index(settings)
    index = Index(name)
    index.document(AlertRecordDoc)
    index.settings(number_of_shards=1, number_of_replicas=0)
    if not es.indices.exists(index=name):
        es.indices.create(index=name, **index.to_dict())
    else:  # an index of an earlier version: add the fields it lacks
        es.indices.put_mapping(index=name, **index.to_dict()["mappings"])
    return name


def history_query(rule: str | None = None, status: str | None = None,
                  since: datetime | None = None, channel: str | None = None
                  ) -> dict[str, Any]:
    """The query behind ``cgtwatch alerts history`` and ``alerts retry`` (pure)."""
    filters: list[dict[str, Any]] = []
    if rule:
        filters.append({"term": {"rule": rule}})
    if status:
        filters.append({"term": {"status": status}})
    if channel:
        filters.append({"term": {"channel": channel}})
    if since is not None:
        filters.append({"range": {"updated_at": {"gte": since.isoformat()}}})
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


def recent_query(rule: str, channel: str, since: datetime) -> dict[str, Any]:
    """Immediate alerts of ``rule`` on ``channel`` created since ``since`` (rate limits)."""
    return {"bool": {"filter": [
        {"term": {"kind": "immediate"}}, {"term": {"rule": rule}},
        {"term": {"channel": channel}},
        {"range": {"created_at": {"gte": since.isoformat()}}}]}}


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

    async def create_many(self, docs: list[dict[str, Any]]) -> list[str]:
        """Create every document (``_id`` = its ``key``) that does not exist yet, in one bulk
        request; return the keys created (the others existed: redelivered articles). Raises
        ``RejectedError`` naming the keys Elasticsearch refused for another reason, and which
        of these refusals may pass. Deliveries (and silenced matches, which rate limits count)
        are searchable when it returns; digest items only after the index's next refresh
        (within a second): each is due a second or more later, and a forced refresh costs
        the local server a copy of the whole index."""
        now, seq = utcnow().isoformat(), queue_seq()
        actions = [{"_op_type": "create", "_index": self._index, "_id": doc["key"],
                    "_source": {"attempts": 0, "created_at": now, "updated_at": now,
                                "seq": seq + n, **doc}}
                   for n, doc in enumerate(docs)]
        if not actions:
            return []
        _, errors = await async_bulk(self._es, actions, raise_on_error=False, stats_only=False,
                                     refresh=any(doc.get("kind") != "item" for doc in docs))
        items = [next(iter(e.values())) for e in errors]  # type: ignore[union-attr]
        failed = {item.get("_id") for item in items}
        others = [item for item in items if item.get("status") != 409]
        created = [doc["key"] for doc in docs if doc["key"] not in failed]
        if others:
            raise RejectedError({str(i.get("_id")): str(i.get("error"))[:300] for i in others},
                                created, {str(i.get("_id")) for i in others
                                          if passing(i.get("status"), i.get("error"))})
        return created

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
        query = recent_query(rule, channel, since)
        return int((await self._es.count(index=self._index, query=query))["count"])

    async def oldest_recent(self, rule: str, channel: str, since: datetime) -> datetime | None:
        """When the oldest of those alerts was created (``None`` when there is none)."""
        response = await self._es.search(index=self._index, size=1,
                                         query=recent_query(rule, channel, since),
                                         sort=[{"created_at": "asc"}],
                                         source_includes=["created_at"])
        hits = response["hits"]["hits"]
        return datetime.fromisoformat(hits[0]["_source"]["created_at"]) if hits else None

    async def due(self, now: datetime, limit: int = 5000) -> list[dict[str, Any]]:
        """Queued items whose window is due, oldest first."""
        query = {"bool": {"filter": [{"term": {"status": "queued"}}, {"term": {"kind": "item"}},
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
