"""Document fixes a schema migration applies to the new backing index before it goes live.

Input: an ``Elasticsearch`` client, the freshly reindexed target index and the zones of the
sources (``source_id`` → IANA name, from ``sources.yaml``).  Output: the number of documents
rewritten.  Schema v2 stores ``published`` with its UTC offset: documents indexed before
kept it without one (Elasticsearch read it as UTC, so Chinese articles were 8 hours off); each
is rewritten with the value read in its source's zone (Chinese sources without a zone:
Asia/Shanghai, others UTC).  Rewrites keep the document's external version (its revision),
so a newer revision written by the indexer meanwhile is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk, scan

from config.timezones import default_source_zone, has_offset
from indexer.actions import normalise_date

PUBLISHED_OFFSET_VERSION = 2


def offset_fix(hit: dict[str, Any], zones: Mapping[str, str]) -> dict[str, Any] | None:
    """The bulk action rewriting one hit's ``published`` with its source's offset (kept
    external version), or None when it has an offset already or no date."""
    source = hit.get("_source") or {}
    published = source.get("published")
    if not isinstance(published, str) or has_offset(published):
        return None
    zone = zones.get(str(source.get("source_id") or "")) or default_source_zone(
        str(source.get("language") or ""))
    return {"_op_type": "index", "_index": hit["_index"], "_id": hit["_id"],
            "version": int(source.get("revision") or hit.get("_version") or 1),
            "version_type": "external_gte",
            "_source": {**source, "published": normalise_date(published, zone)}}


def _actions(es: Elasticsearch, index: str,
             zones: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    query = {"query": {"exists": {"field": "published"}}}
    for hit in scan(es, index=index, query=query, size=500, version=True):
        action = offset_fix(hit, zones)
        if action is not None:
            yield action


def published_offsets(es: Elasticsearch, index: str, zones: Mapping[str, str]) -> int:
    """Rewrite every ``published`` without offset in ``index``; the number rewritten."""
    done, errors = bulk(es, _actions(es, index, zones), raise_on_error=False, refresh=True)
    failed = errors if isinstance(errors, list) else []
    conflicts = [e for e in failed if (e.get("index") or {}).get("status") == 409]
    if len(failed) > len(conflicts):
        raise RuntimeError(f"{len(failed) - len(conflicts)} documents of {index} could not "
                           f"be rewritten, first: {failed[0]}")
    return int(done)


def apply_fixes(es: Elasticsearch, index: str, from_version: int, to_version: int,
                zones: Mapping[str, str]) -> int:
    """All fixes between the two schema versions, in order; documents rewritten."""
    rewritten = 0
    if from_version < PUBLISHED_OFFSET_VERSION <= to_version:
        rewritten += published_offsets(es, index, zones)
    return rewritten
