"""The delivery queue of one channel, kept in the alert-history index (``alerts.history``).

Input: the channel name and this worker's identity (instance id and a boot id per process).
Output: the channel's due deliveries in order (oldest first), claims (``queued``/``retrying``
→ ``sending``, with optimistic concurrency so two alerters never both send one delivery),
outcomes, and the deliveries left ``sending`` by a crash: this instance's from an earlier boot
at once, any instance's once their claim is older than the lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import ConflictError
from elasticsearch.helpers import async_bulk

from alerts.history import Ledger
from config.contracts.wire import utcnow

WAITING = ("queued", "retrying")
DELIVERY_KINDS = ("immediate", "digest")


@dataclass(frozen=True)
class Owner:
    instance: str
    boot: str


@dataclass
class Hit:
    """A delivery as read, with the version that a claim must match."""

    doc: dict[str, Any]
    seq_no: int
    primary_term: int

    @property
    def key(self) -> str:
        return str(self.doc["key"])

    def at(self, field: str) -> datetime | None:
        value = self.doc.get(field)
        return datetime.fromisoformat(value) if value else None


class DeliveryQueue(Ledger):
    async def _search(self, filters: list[dict[str, Any]], limit: int,
                      must_not: list[dict[str, Any]] | None = None) -> list[Hit]:
        query = {"bool": {"filter": filters, "must_not": must_not or []}}
        response = await self._es.search(
            index=self._index, query=query, size=limit, seq_no_primary_term=True,
            sort=[{"seq": "asc"}, {"created_at": "asc"}])
        return [Hit(h["_source"], h["_seq_no"], h["_primary_term"])
                for h in response["hits"]["hits"]]

    async def waiting(self, channel: str, limit: int) -> list[Hit]:
        """The channel's deliveries waiting to be sent, oldest first (due or not)."""
        return await self._search([{"term": {"channel": channel}},
                                   {"terms": {"status": list(WAITING)}},
                                   {"terms": {"kind": list(DELIVERY_KINDS)}}], limit)

    async def interrupted(self, channel: str, owner: Owner, before: datetime, limit: int = 100
                          ) -> list[Hit]:
        """``sending`` deliveries of a dead worker: this instance's earlier boots, or any
        claimed before ``before``."""
        base = [{"term": {"channel": channel}}, {"term": {"status": "sending"}}]
        mine = await self._search([*base, {"term": {"instance": owner.instance}}], limit,
                                  must_not=[{"term": {"boot": owner.boot}}])
        old = await self._search([*base, {"range": {"claimed_at": {"lte": before.isoformat()}}}],
                                 limit)
        seen = {h.key for h in mine}
        return mine + [h for h in old if h.key not in seen]

    async def take(self, hits: list[Hit], owner: Owner, unit: str) -> list[Hit]:
        """Mark ``hits`` as being sent by ``owner`` (one unit); return those claimed (a
        delivery changed meanwhile, e.g. claimed by another alerter, is left out)."""
        fields = {"status": "sending", "claimed_at": utcnow().isoformat(), "unit": unit,
                  "instance": owner.instance, "boot": owner.boot,
                  "updated_at": utcnow().isoformat()}
        if len(hits) == 1:
            hit = hits[0]
            try:
                await self._es.update(index=self._index, id=hit.key, if_seq_no=hit.seq_no,
                                      if_primary_term=hit.primary_term, refresh=True,
                                      doc={**fields, "attempts": hit.doc.get("attempts", 0) + 1})
            except ConflictError:
                return []
            return hits
        actions = [{"_op_type": "update", "_index": self._index, "_id": h.key,
                    "if_seq_no": h.seq_no, "if_primary_term": h.primary_term,
                    "doc": {**fields, "attempts": h.doc.get("attempts", 0) + 1}} for h in hits]
        _, errors = await async_bulk(self._es, actions, refresh=True, raise_on_error=False,
                                     stats_only=False)
        lost = {next(iter(e.values())).get("_id") for e in errors}  # type: ignore[union-attr]
        return [h for h in hits if h.key not in lost]

    async def mark(self, keys: list[str], fields: dict[str, Any]) -> None:
        """Record an outcome on every key (one request for one key, else one bulk)."""
        if len(keys) == 1:
            await self.update(keys[0], fields)
        else:
            await self.update_many(keys, fields)

    async def select(self, query: dict[str, Any], limit: int) -> list[Hit]:
        """Deliveries matching ``query`` (for ``cgtwatch alerts retry``)."""
        response = await self._es.search(index=self._index, query=query, size=limit,
                                         seq_no_primary_term=True, sort=[{"created_at": "asc"}])
        return [Hit(h["_source"], h["_seq_no"], h["_primary_term"])
                for h in response["hits"]["hits"]]
