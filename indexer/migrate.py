"""Schema migration without downtime: a new backing index behind the same write alias.

Input: an ``Elasticsearch`` client and the index prefix. Output: ``<prefix>-articles-v<N+1>``
created from the current template (mapping and detected analyzer), filled by ``_reindex`` from
the alias, and the alias switched to it in one atomic ``_aliases`` call. Writers keep writing
to the alias throughout: before the switch they land in vN, after it in vN+1; a second reindex
pass copies what reached vN during the first. Reindexing keeps each document's external
version (its revision), so a newer revision written by the indexer is never overwritten.
Before the switch (and after the catch-up) the fixes of :mod:`indexer.migrate_fixes` between
the two versions rewrite documents in the new index (v2: ``published`` gets its offset).
The old index is then write-blocked (a late write fails loudly instead of being lost), put
under the retired ILM policy where the server has ILM, and closed (hidden from the
``<prefix>-articles*`` data view, reopenable for a rollback), or deleted on request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from indexer.analysis import ilm_supported, retired_policy_name
from indexer.documents import SCHEMA_VERSION, articles_alias, articles_index, index_version
from indexer.migrate_fixes import apply_fixes
from indexer.schema import alias_indices, mapping_meta, put_articles_template

log = logging.getLogger(__name__)
REINDEX_TIMEOUT_S = 6 * 3600.0


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    alias: str
    source: list[str]
    target: str
    analyzer: str
    copied: int
    caught_up: int
    fixed: int  # documents rewritten by indexer.migrate_fixes (e.g. published offsets)
    documents: int
    old_indices: str  # what happened to them: closed / deleted

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def target_version(current: int, requested: int | None) -> int:
    """The next schema version: at least current + 1 and the code's ``SCHEMA_VERSION``."""
    wanted = requested if requested is not None else max(current + 1, SCHEMA_VERSION)
    if wanted <= current:
        raise MigrationError(f"target version v{wanted} is not newer than the live v{current}")
    return wanted


def reindex(es: Elasticsearch, source: list[str], target: str) -> int:
    """Copy documents keeping their versions; an equal or newer version in ``target`` wins."""
    result = es.options(request_timeout=REINDEX_TIMEOUT_S).reindex(
        source={"index": ",".join(source)},
        dest={"index": target, "version_type": "external"},
        conflicts="proceed", refresh=True, wait_for_completion=True)
    failures = result.get("failures") or []
    if failures:
        raise MigrationError(f"reindex into {target} had {len(failures)} failures, first: "
                             f"{failures[0]}")
    return int(result.get("created", 0)) + int(result.get("updated", 0))


def switch_alias(es: Elasticsearch, alias: str, target: str, old: list[str]) -> None:
    """One atomic ``_aliases`` call: ``target`` becomes the write index, ``old`` leave."""
    actions: list[dict[str, Any]] = [
        {"add": {"index": target, "alias": alias, "is_write_index": True}}]
    actions += [{"remove": {"index": index, "alias": alias}} for index in old]
    es.indices.update_aliases(actions=actions)


def retire(es: Elasticsearch, prefix: str, old: list[str], delete: bool) -> str:
    if delete:
        es.indices.delete(index=",".join(old))
        return "deleted"
    es.indices.put_settings(index=",".join(old), settings={"index.blocks.write": True})
    if ilm_supported(es):
        es.indices.put_settings(index=",".join(old), settings={
            "index.lifecycle.name": retired_policy_name(prefix),
            "index.lifecycle.origination_date": int(time.time() * 1000)})
    es.indices.close(index=",".join(old))
    return "closed"


def prepare_target(es: Elasticsearch, prefix: str, version: int) -> str:
    target = articles_index(prefix, version)
    if es.indices.exists(index=target):
        log.warning("%s exists outside the alias: resuming an interrupted migration", target)
    else:
        es.indices.create(index=target)  # mapping, settings and analyzer from the template
    return target


def migrate_articles(es: Elasticsearch, prefix: str, to_version: int | None = None,
                     delete_old: bool = False, settle_s: float = 2.0,
                     zones: Mapping[str, str] | None = None) -> Migration:
    """Move the articles alias to a new backing index; see the module docstring.

    ``zones`` (source id → IANA zone) serve the document fixes between the two versions."""
    alias = articles_alias(prefix)
    old, write = alias_indices(es, alias)
    if write is None:
        raise MigrationError(f"alias {alias} has no write index: run `cgtwatch index setup`")
    current = index_version(prefix, write) or 0
    version = target_version(current, to_version)
    analyzer = put_articles_template(es, prefix)
    target = prepare_target(es, prefix, version)
    copied = reindex(es, old, target)
    fixed = apply_fixes(es, target, current, version, zones or {})
    switch_alias(es, alias, target, old)
    time.sleep(settle_s)  # bulk requests that resolved the alias before the switch finish
    es.indices.refresh(index=",".join(old))
    caught_up = reindex(es, old, target)
    fixed += apply_fixes(es, target, current, version, zones or {}) if caught_up else 0
    retired = retire(es, prefix, old, delete_old)
    es.indices.refresh(index=target)
    documents = int(es.count(index=alias)["count"])
    log.info("migrated %s: %s -> %s (%d copied, %d caught up, %d documents)", alias, old,
             target, copied, caught_up, documents)
    return Migration(alias=alias, source=old, target=target,
                     analyzer=str(mapping_meta(es, target).get("text_analyzer", analyzer)),
                     copied=copied, caught_up=caught_up, fixed=fixed, documents=documents,
                     old_indices=retired)
