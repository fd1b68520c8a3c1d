"""``cgtwatch alerts retry``: put chosen deliveries back in their channel's queue.

Input: filters (status, default ``failed``; since; rule; channel) over the alert history.
Output: the deliveries chosen (immediate alerts and digests, never digest items), and unless
it is a dry run, each set back to ``queued`` due now with a fresh age (``created_at``; the
first one is kept in ``first_created_at``) and ``resolution=manual_retry``. A running alerter's
channel worker sends them within ``alerts.poll_s``. Each update is conditional on the version
read (``if_seq_no``), so a delivery that changed meanwhile is left alone. It joins the end
of its channel's queue (a new ``seq``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import ConflictError, Elasticsearch

from alerts.history import history_query, queue_seq
from alerts.queue import DELIVERY_KINDS
from config.contracts.wire import utcnow

RETRYABLE_STATUSES = ("failed", "unknown", "retrying")


def retry_query(status: str, since: datetime | None, rule: str | None, channel: str | None
                ) -> dict[str, Any]:
    query = history_query(rule, status, since, channel)
    filters = list(query.get("bool", {}).get("filter", []))
    filters.append({"terms": {"kind": list(DELIVERY_KINDS)}})
    return {"bool": {"filter": filters}}


def requeue(es: Elasticsearch, index: str, query: dict[str, Any], *, dry_run: bool = False,
            limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
    """The deliveries chosen, and how many were queued again (0 on a dry run)."""
    response = es.search(index=index, query=query, size=limit, seq_no_primary_term=True,
                         sort=[{"created_at": "asc"}], source_excludes=["article", "payload"])
    hits = response["hits"]["hits"]
    chosen = [hit["_source"] for hit in hits]
    if dry_run:
        return chosen, 0
    now = utcnow().isoformat()
    done = 0
    for hit in hits:
        doc = hit["_source"]
        fields = {"status": "queued", "next_attempt_at": now, "created_at": now,
                  "seq": queue_seq(),
                  "first_created_at": doc.get("first_created_at") or doc.get("created_at"),
                  "resolution": "manual_retry", "updated_at": now}
        try:
            es.update(index=index, id=hit["_id"], doc=fields, if_seq_no=hit["_seq_no"],
                      if_primary_term=hit["_primary_term"], refresh=True)
        except ConflictError:
            continue
        done += 1
    return chosen, done
