"""Backfill: re-index articles from the raw topic, classified with the current taxonomy.

Input: ``articles.raw`` read once without a consumer group (optionally from ``--since`` and
only some ``--source`` ids), and a classify function supplied by the caller (the command
line passes the stream worker's classifier; ``indexer`` does not import it). Output:
revision-aware upserts into the articles alias, written directly with bulk requests.

Why directly and not by re-publishing to ``articles.raw``: the classifier drops content it has
already seen (its dedupe table), so re-published articles would never reach the index; and
re-publishing to ``articles.classified`` would make the alerter alert on old news whose
classification changed. Writing to the alias with ``external_gte`` on the revision is what
the indexer does too, so a backfill never overwrites a newer revision and can be repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from pydantic import ValidationError

from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from indexer.actions import bulk_action, is_stale_revision
from indexer.documents import articles_alias
from indexer.topicscan import scan_topic

log = logging.getLogger(__name__)
Classify = Callable[[RawArticle], ClassifiedArticle]


@dataclass
class BackfillResult:
    read: int = 0
    selected: int = 0
    indexed: int = 0
    stale: int = 0
    undecodable: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "failed": len(self.failed)}


def wanted(raw: RawArticle, since: datetime | None, sources: set[str]) -> bool:
    return (not sources or raw.source_id in sources) and (since is None
                                                          or raw.fetched_at >= since)


def select(values: Iterable[bytes], since: datetime | None, sources: set[str],
           result: BackfillResult) -> Iterable[RawArticle]:
    for value in values:
        result.read += 1
        try:
            raw = decode(RawArticle, value)
        except ValidationError:
            result.undecodable += 1
            continue
        if wanted(raw, since, sources):
            result.selected += 1
            yield raw


def write(es: Elasticsearch, actions: list[dict[str, Any]], result: BackfillResult) -> None:
    _, errors = bulk(es, actions, raise_on_error=False, stats_only=False, max_retries=5,
                     initial_backoff=1, refresh=False)
    items = [next(iter(e.values())) for e in errors]  # type: ignore[union-attr]
    stale = [i for i in items if is_stale_revision(i)]
    result.stale += len(stale)
    result.failed += [f"{i.get('_id')}: {i.get('status')} {i.get('error')}"
                      for i in items if not is_stale_revision(i)]
    result.indexed += len(actions) - len(items)


def backfill(settings: Settings, es: Elasticsearch, classify: Classify,
             since: datetime | None = None, sources: Iterable[str] = (),
             batch_size: int = 500, dry_run: bool = False) -> BackfillResult:
    """Classify and index every selected raw article; see the module docstring."""
    alias, result = articles_alias(settings.elastic.index_prefix), BackfillResult()
    batch: list[dict[str, Any]] = []
    records = scan_topic(settings, Topics.RAW, since, client_id="cgtwatch-backfill")
    for raw in select((r.value for r in records), since, set(sources), result):
        try:
            batch.append(bulk_action(classify(raw), alias))
        except Exception as exc:  # a bad article must not stop the backfill
            result.failed.append(f"{raw.article_id}: {type(exc).__name__}: {exc}")
        if len(batch) >= batch_size and not dry_run:
            write(es, batch, result)
            batch = []
    if batch and not dry_run:
        write(es, batch, result)
    if not dry_run:
        es.indices.refresh(index=alias)
    return result
