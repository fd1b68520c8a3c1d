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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch
from pydantic import ValidationError

from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from indexer.actions import bulk_action
from indexer.bulkwrite import write_actions
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


def backfill(settings: Settings, es: Elasticsearch, classify: Classify,
             since: datetime | None = None, sources: Iterable[str] = (),
             batch_size: int = 500, dry_run: bool = False) -> BackfillResult:
    """Classify and index every selected raw article; see the module docstring."""
    alias, result = articles_alias(settings.elastic.index_prefix), BackfillResult()
    records = scan_topic(settings, Topics.RAW, since, client_id="cgtwatch-backfill")

    def actions() -> Iterator[dict[str, Any]]:
        for raw in select((r.value for r in records), since, set(sources), result):
            try:
                yield bulk_action(classify(raw), alias)
            except Exception as exc:  # a bad article must not stop the backfill
                result.failed.append(f"{raw.article_id}: {type(exc).__name__}: {exc}")

    if dry_run:
        for _ in actions():
            pass
        return result
    written = write_actions(es, actions(), chunk_size=batch_size)
    result.indexed, result.stale = written.indexed, written.stale
    result.failed += written.failed
    es.indices.refresh(index=alias)
    return result
