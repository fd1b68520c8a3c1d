"""Index setup: templates, the versioned articles index behind its write alias, crawl health.

Input: an ``Elasticsearch`` client and ``Settings``. Output: idempotently created ILM policies
(where the server has ILM), the articles template with the detected Chinese analyzer and a
score and salience field per label of the taxonomy (``settings.paths.taxonomy``), the first
backing index and the write alias, and the crawl-health index. ``cgtwatch setup``,
``cgtwatch index setup`` and the local stack call these; ``articles_status`` reports what the
live index uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from config.contracts.articles import LABELS
from config.labels import label_names
from config.settings import Settings
from indexer.analysis import detect_text_analyzer, setup_lifecycle
from indexer.documents import (
    SCHEMA_VERSION,
    articles_alias,
    articles_index,
    articles_template,
    crawl_health_index,
    crawl_health_template,
    index_version,
    template_body,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArticlesStatus:
    """What the articles alias points at, and what a new backing index would get."""

    alias: str
    write_index: str | None
    indices: list[str]
    version: int | None
    analyzer: str | None
    template_analyzer: str | None
    documents: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "code_schema_version": SCHEMA_VERSION}


def put_articles_template(es: Elasticsearch, prefix: str,
                          labels: tuple[str, ...] = LABELS) -> str:
    """Detect the analyzer and ILM support, then create or update the template (a score and
    salience field per label of ``labels``, and dynamic templates for labels added later)."""
    analyzer = detect_text_analyzer(es)
    lifecycle = setup_lifecycle(es, prefix)
    name, body = template_body(articles_template(prefix, analyzer, lifecycle, labels))
    es.indices.put_index_template(name=name, **body)
    return analyzer


def setup_articles(es: Elasticsearch, settings: Settings) -> str:
    """Create or update the template; create the backing index and alias if missing."""
    prefix = settings.elastic.index_prefix
    analyzer = put_articles_template(es, prefix, label_names(settings.paths.taxonomy))
    alias = articles_alias(prefix)
    if not es.indices.exists_alias(name=alias):
        index = articles_index(prefix)
        if not es.indices.exists(index=index):
            es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        else:
            es.indices.put_alias(index=index, name=alias, is_write_index=True)
    status = articles_status(es, prefix)
    if status.analyzer != analyzer or (status.version or 0) < SCHEMA_VERSION:
        log.warning("%s uses analyzer %s, schema v%s; the template now gives %s, v%d: run "
                    "`cgtwatch index migrate`", status.write_index, status.analyzer,
                    status.version, analyzer, SCHEMA_VERSION)
    return alias


def setup_crawl_health(es: Elasticsearch, settings: Settings) -> str:
    """The crawl-health index (``<prefix>-crawl-health``), one document per crawl."""
    prefix = settings.elastic.index_prefix
    name, body = template_body(crawl_health_template(prefix))
    es.indices.put_index_template(name=name, **body)
    index = crawl_health_index(prefix)
    if not es.indices.exists(index=index):
        es.indices.create(index=index)
    return index


def alias_indices(es: Elasticsearch, alias: str) -> tuple[list[str], str | None]:
    """(backing indices, write index) of an alias; empty when it does not exist."""
    if not es.indices.exists_alias(name=alias):
        return [], None
    found = es.indices.get_alias(name=alias)
    indices = sorted(found.keys())
    writers = [i for i, v in found.items() if v["aliases"][alias].get("is_write_index")]
    write = writers[0] if writers else (indices[0] if len(indices) == 1 else None)
    return indices, write


def mapping_meta(es: Elasticsearch, index: str) -> dict[str, Any]:
    mappings = es.indices.get_mapping(index=index)[index]["mappings"]
    return dict(mappings.get("_meta") or {})


def articles_status(es: Elasticsearch, prefix: str) -> ArticlesStatus:
    alias = articles_alias(prefix)
    indices, write = alias_indices(es, alias)
    meta = mapping_meta(es, write) if write else {}
    template_meta: dict[str, Any] = {}
    if es.indices.exists_index_template(name=alias):
        found = es.indices.get_index_template(name=alias)["index_templates"]
        template_meta = found[0]["index_template"]["template"]["mappings"].get("_meta", {})
    documents = int(es.count(index=alias)["count"]) if indices else 0
    return ArticlesStatus(alias=alias, write_index=write, indices=indices,
                          version=index_version(prefix, write) if write else None,
                          analyzer=meta.get("text_analyzer"),
                          template_analyzer=template_meta.get("text_analyzer"),
                          documents=documents)
