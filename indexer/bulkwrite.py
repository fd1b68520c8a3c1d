"""Revision-aware bulk writes of ready bulk actions, for the tools that index outside the
indexer service (``backfill``, ``reconcile``).

Input: an Elasticsearch client and an iterable of bulk actions (``indexer.actions.bulk_action``:
``external_gte`` on the revision), consumed lazily in chunks. Output: ``Written``: how many
documents were written, how many were refused because the index holds a newer revision
(``stale``: not an error, the write is idempotent) and one line per item that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk

from indexer.actions import is_stale_revision


@dataclass
class Written:
    indexed: int = 0
    stale: int = 0
    failed: list[str] = field(default_factory=list)


def write_actions(es: Elasticsearch, actions: Iterable[dict[str, Any]],
                  chunk_size: int = 500) -> Written:
    """Send ``actions`` in chunks of ``chunk_size`` (transient item errors retried with
    backoff); stale revisions are counted apart from failures."""
    indexed, errors = bulk(es, actions, chunk_size=chunk_size, raise_on_error=False,
                           stats_only=False, max_retries=5, initial_backoff=1, refresh=False)
    items = [next(iter(e.values())) for e in errors]  # type: ignore[union-attr]
    return Written(indexed=indexed,
                   stale=sum(1 for i in items if is_stale_revision(i)),
                   failed=[f"{i.get('_id')}: {i.get('status')} {i.get('error')}"
                           for i in items if not is_stale_revision(i)])
