"""The articles index template: pattern, analyzers and keyword fields, and the index names."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.documents import (
    TEXT_ANALYZER,
    articles_alias,
    articles_index,
    articles_template,
)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return articles_template("cgtwatch").to_dict()


@pytest.fixture(scope="module")
def properties(template: dict[str, Any]) -> dict[str, Any]:
    return template["template"]["mappings"]["properties"]


def test_names() -> None:
    assert articles_alias("cgtwatch") == "cgtwatch-articles"
    assert articles_index("cgtwatch") == "cgtwatch-articles-v2"
    assert articles_index("acme", version=2) == "acme-articles-v2"


def test_template_covers_every_backing_index(template: dict[str, Any]) -> None:
    assert template["index_patterns"] == ["cgtwatch-articles-v*"]
    assert template["priority"] == 100
    assert template["template"]["settings"] == {"number_of_shards": 1, "number_of_replicas": 0}
    assert articles_template("cgtwatch")._template_name == "cgtwatch-articles"


def test_prefix_is_applied() -> None:
    assert articles_template("acme").to_dict()["index_patterns"] == ["acme-articles-v*"]


def test_title_and_text_use_the_cjk_analyzer(properties: dict[str, Any]) -> None:
    assert TEXT_ANALYZER == "cjk"
    assert properties["title"]["type"] == "text"
    assert properties["title"]["analyzer"] == "cjk"
    assert properties["title"]["fields"]["raw"] == {"type": "keyword", "ignore_above": 512}
    assert properties["text"] == {"type": "text", "analyzer": "cjk"}


@pytest.mark.parametrize("name", ["article_id", "url", "labels", "tags", "institutions",
                                  "institutions_en", "regions", "regions_en", "source_id",
                                  "source_kind", "language", "story_id", "content_hash"])
def test_filter_fields_are_keywords(properties: dict[str, Any], name: str) -> None:
    assert properties[name]["type"] == "keyword"


def test_scores_dates_and_opaque_objects(properties: dict[str, Any]) -> None:
    assert properties["scores"]["properties"]["cell_therapy"]["type"] == "float"
    assert properties["salience"]["properties"]["gene_therapy"]["type"] == "keyword"
    for name in ("published", "fetched_at", "classified_at"):
        assert properties[name]["type"] == "date"
    assert properties["revision"]["type"] == "integer"
    assert properties["evidence"]["enabled"] is False
    assert properties["attachments"]["enabled"] is False
