"""Elasticsearch schema as code (``elasticsearch.dsl``): the article and crawl-health documents.

Input: an index prefix, the text analyzer chosen at setup and an optional ILM policy name.
Output: the ``ArticleDoc`` and ``CrawlHealthDoc`` mappings, names of the articles write alias
and its versioned backing indices, and composable index templates for both indices. The
analyzer and schema version are recorded in the mapping's ``_meta``.
"""

from __future__ import annotations

from typing import Any

from elasticsearch.dsl import (
    Boolean,
    ComposableIndexTemplate,
    Date,
    Document,
    Float,
    Index,
    Integer,
    Keyword,
    Mapping,
    Object,
    Text,
)

from config.contracts.articles import LABELS

SCHEMA_VERSION = 2  # v2: published stored with its UTC offset (indexer.migrate_fixes)
TEXT_ANALYZER = "cjk"  # built into every Elasticsearch; CJK bigrams plus English terms
ANALYZERS = ("smartcn", "icu_analyzer", "cjk")  # preference order; see indexer.analysis


# Per-label fields come from the taxonomy's label names (``config.labels``): explicit fields
# for the labels known at setup, and dynamic templates so a label added later is mapped the
# same way (score: float, salience: keyword) in every index the template creates.
LABEL_TEMPLATES: list[dict[str, Any]] = [
    {"label_scores": {"path_match": "scores.*", "mapping": {"type": "float"}}},
    {"label_salience": {"path_match": "salience.*", "mapping": {"type": "keyword"}}},
]


class ArticleDoc(Document):
    """One article as analysts search it in Kibana."""

    article_id = Keyword()
    url = Keyword()
    title = Text(analyzer=TEXT_ANALYZER, fields={"raw": Keyword(ignore_above=512)})
    text = Text(analyzer=TEXT_ANALYZER)
    title_en = Text(analyzer="english")  # with a translation provider (indexer.english)
    snippet_en = Text(analyzer="english")
    labels = Keyword()
    scores = Object(dynamic=True)
    salience = Object(dynamic=True)
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
    published = Date(format="strict_date_optional_time||epoch_millis")  # with offset
    fetched_at = Date()
    classified_at = Date()
    story_id = Keyword()
    revision = Integer()
    content_hash = Keyword()
    classifier = Keyword()


class CrawlHealthDoc(Document):
    """One crawl of one source (``_id = job_id``), for crawl-health charts in Kibana."""

    job_id = Keyword()
    source_id = Keyword()
    source_name = Keyword()
    source_kind = Keyword()
    region = Keyword()
    worker = Keyword()
    started_at = Date()
    finished_at = Date()
    duration_s = Float()
    ok = Boolean()
    status = Keyword()
    error = Text(fields={"raw": Keyword(ignore_above=1024)})
    pages_fetched = Integer()
    list_pages = Integer()
    links_found = Integer()
    articles_published = Integer()
    articles_unchanged = Integer()
    not_modified = Integer()
    errors = Integer()
    http_status = Object(dynamic=True)


def articles_alias(prefix: str) -> str:
    """The name every reader and writer uses (a write alias over backing indices)."""
    return f"{prefix}-articles"


def articles_index(prefix: str, version: int = SCHEMA_VERSION) -> str:
    return f"{articles_alias(prefix)}-v{version}"


def index_version(prefix: str, index: str) -> int | None:
    """The schema version in a backing index name (``<prefix>-articles-v3`` → 3)."""
    head = f"{articles_alias(prefix)}-v"
    tail = index[len(head):] if index.startswith(head) else ""
    return int(tail) if tail.isdigit() else None


def crawl_health_index(prefix: str) -> str:
    return f"{prefix}-crawl-health"


def _article_mapping(analyzer: str, labels: tuple[str, ...]) -> Mapping:
    mapping = Mapping()
    mapping.update(ArticleDoc._doc_type.mapping)
    mapping.field("title", Text(analyzer=analyzer, fields={"raw": Keyword(ignore_above=512)}))
    mapping.field("text", Text(analyzer=analyzer))
    mapping.field("scores", Object(dynamic=True, properties={n: Float() for n in labels}))
    mapping.field("salience", Object(dynamic=True, properties={n: Keyword() for n in labels}))
    return mapping


def _meta(analyzer: str) -> Mapping:
    """``_meta`` and ``dynamic_templates`` (set after cloning: ``Index.clone()`` drops them)."""
    mapping = Mapping().meta("_meta", {"schema_version": SCHEMA_VERSION,
                                       "text_analyzer": analyzer})
    return mapping.meta("dynamic_templates", LABEL_TEMPLATES)


def _settings(lifecycle: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
    if lifecycle:
        settings["index.lifecycle.name"] = lifecycle
    return settings


def articles_template(prefix: str, analyzer: str = TEXT_ANALYZER,
                      lifecycle: str | None = None,
                      labels: tuple[str, ...] = LABELS) -> ComposableIndexTemplate:
    """A composable template that gives every ``<prefix>-articles-v*`` index our mapping,
    with ``title``/``text`` analysed by ``analyzer`` (recorded in ``_meta.text_analyzer``)
    and a score and salience field per label of ``labels`` (the taxonomy's)."""
    index = Index(f"{articles_alias(prefix)}-v*")
    index.mapping(_article_mapping(analyzer, labels))
    index.settings(**_settings(lifecycle))
    template = index.as_composable_template(articles_alias(prefix), priority=100)
    template._index.mapping(_meta(analyzer))  # Index.clone() drops the mapping's _meta
    return template


def crawl_health_template(prefix: str) -> ComposableIndexTemplate:
    """Template for ``<prefix>-crawl-health`` (one index; ``_id = job_id``)."""
    name = crawl_health_index(prefix)
    index = Index(f"{name}*")
    index.document(CrawlHealthDoc)
    index.settings(**_settings(None))
    return index.as_composable_template(name, priority=100)


def template_body(template: ComposableIndexTemplate) -> tuple[str, dict[str, Any]]:
    """(name, body) for ``indices.put_index_template``."""
    return template._template_name, template.to_dict()
