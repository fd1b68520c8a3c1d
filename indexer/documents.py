"""Elasticsearch schema as code (``elasticsearch.dsl``): the article document and its template.

Input: an index prefix. Output: the ``ArticleDoc`` mapping, names of the write alias and the
versioned backing index, and the composable index template covering every backing index.
"""

from __future__ import annotations

from elasticsearch.dsl import (
    ComposableIndexTemplate,
    Date,
    Document,
    Float,
    Index,
    InnerDoc,
    Integer,
    Keyword,
    Object,
    Text,
)

SCHEMA_VERSION = 1
TEXT_ANALYZER = "cjk"  # built into every Elasticsearch; CJK bigrams plus English terms


class LabelScores(InnerDoc):
    cell_therapy = Float()
    gene_therapy = Float()


class LabelSalience(InnerDoc):
    cell_therapy = Keyword()
    gene_therapy = Keyword()


class ArticleDoc(Document):
    """One article as analysts search it in Kibana."""

    article_id = Keyword()
    url = Keyword()
    title = Text(analyzer=TEXT_ANALYZER, fields={"raw": Keyword(ignore_above=512)})
    text = Text(analyzer=TEXT_ANALYZER)
    labels = Keyword()
    scores = Object(LabelScores)
    salience = Object(LabelSalience)
    tags = Keyword()
    institutions = Keyword()
    institutions_en = Keyword()
    regions = Keyword()
    regions_en = Keyword()
    evidence = Object(enabled=False)
    source_id = Keyword()
    source_name = Keyword()
    source_kind = Keyword()
    source_region = Keyword()
    language = Keyword()
    author = Keyword()
    issuer = Keyword()
    doc_number = Keyword()
    attachments = Object(enabled=False)
    published = Date()
    fetched_at = Date()
    classified_at = Date()
    story_id = Keyword()
    revision = Integer()
    content_hash = Keyword()
    classifier = Keyword()


def articles_alias(prefix: str) -> str:
    """The name every reader and writer uses (a write alias over backing indices)."""
    return f"{prefix}-articles"


def articles_index(prefix: str, version: int = SCHEMA_VERSION) -> str:
    return f"{articles_alias(prefix)}-v{version}"


def articles_template(prefix: str) -> ComposableIndexTemplate:
    """A composable template that gives every ``<prefix>-articles-v*`` index our mapping."""
    index = Index(f"{articles_alias(prefix)}-v*")
    index.document(ArticleDoc)
    index.settings(number_of_shards=1, number_of_replicas=0)
    return index.as_composable_template(f"{articles_alias(prefix)}", priority=100)
