"""Index setup: the articles template, the first backing index and the write alias.

Input: an ``Elasticsearch`` client and ``Settings``. Output: idempotently created template,
versioned index and alias (``cgtwatch index setup`` and the local stack call ``setup``).
"""

from __future__ import annotations

from elasticsearch import Elasticsearch

from config.settings import Settings
from indexer.documents import articles_alias, articles_index, articles_template


def setup_articles(es: Elasticsearch, settings: Settings) -> str:
    """Create or update the template; create the backing index and alias if missing."""
    prefix = settings.elastic.index_prefix
    template = articles_template(prefix)
    es.indices.put_index_template(name=template._template_name, **template.to_dict())
    alias = articles_alias(prefix)
    if not es.indices.exists_alias(name=alias):
        index = articles_index(prefix)
        if not es.indices.exists(index=index):
            es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        else:
            es.indices.put_alias(index=index, name=alias, is_write_index=True)
    return alias
