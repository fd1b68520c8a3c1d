"""Classified articles become revision-aware, idempotent Elasticsearch bulk actions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.contracts.articles import Attachment, ClassifiedArticle
from indexer.actions import article_source, bulk_action, is_stale_revision, normalise_date
from indexer.documents import articles_template


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-18", "2026-11-18T00:00:00+00:00"),
    ("2026-1-8", "2026-01-08T00:00:00+00:00"),
    (" 2026-11-18 ", "2026-11-18T00:00:00+00:00"),
    ("2026-11-18T09:30", "2026-11-18T09:30:00+00:00"),
    ("2026-11-18 9:30:15", "2026-11-18T09:30:15+00:00"),
    ("2026-11-18T09:30:15.123Z", "2026-11-18T09:30:15+00:00"),
    ("2026-11-18T09:30:00+08:00", "2026-11-18T09:30:00+08:00"),
    ("2026-11-18T09:30-0500", "2026-11-18T09:30:00-05:00"),
    ("2026-13-01", None),
    ("2026-00-10", None),
    ("2026-11-32", None),
    ("2026年11月18日", None),
    ("18 November 2026", None),
    ("", None),
    (None, None),
])
def test_normalise_date(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_normalise_date_reads_a_value_without_offset_in_the_source_zone() -> None:
    assert normalise_date("2026-11-18T09:30", "Asia/Shanghai") == "2026-11-18T09:30:00+08:00"
    assert normalise_date("2026-11-18T09:30+00:00", "Asia/Shanghai") == \
        "2026-11-18T09:30:00+00:00"


@pytest.mark.parametrize("value", ["2026-02-30", "2026-04-31", "2025-02-29"])
def test_normalise_date_rejects_impossible_calendar_dates(value: str) -> None:
    """Elasticsearch would reject the whole document for an impossible date."""
    assert normalise_date(value) is None


def test_normalise_date_accepts_a_leap_day() -> None:
    assert normalise_date("2028-02-29") == "2028-02-29T00:00:00+00:00"


@pytest.mark.parametrize("value", ["2026-11-18T24:00", "2026-11-18 10:60", "2026-11-18T10:30:61"])
def test_impossible_time_keeps_the_day(value: str) -> None:
    assert normalise_date(value) == "2026-11-18T00:00:00+00:00"


def test_article_source_fields(make_article: Callable[..., ClassifiedArticle]) -> None:
    article = make_article(
        cell=("primary", 0.91), gene=("secondary", 0.55), tags=["clinical_trial"],
        regions=[("广东省", "Guangdong"), ("某地", "")],
        institutions=[("中山大学", "Sun Yat-sen University")], published="2026-11-18 10:00",
        revision=3, author="新华社", doc_number="粤科函〔2026〕1号",
        attachments=[Attachment(url="https://a.gov.cn/1.pdf", name="附件", kind="pdf")])
    doc = article_source(article)
    assert doc["article_id"] == article.article_id and doc["url"] == article.url
    assert doc["labels"] == ["cell_therapy", "gene_therapy"]
    assert doc["scores"] == {"cell_therapy": 0.91, "gene_therapy": 0.55}
    assert doc["salience"] == {"cell_therapy": "primary", "gene_therapy": "secondary"}
    assert doc["evidence"]["cell_therapy"][0]["term"] == "CAR-T"
    assert doc["tags"] == ["clinical_trial"]
    assert doc["regions"] == ["广东省", "某地"] and doc["regions_en"] == ["Guangdong"]
    assert doc["institutions_en"] == ["Sun Yat-sen University"]
    assert (doc["source_id"], doc["source_kind"], doc["source_region"]) == (
        "demo-gd-sci", "government", "广东省")
    assert doc["published"] == "2026-11-18T10:00:00+08:00"
    assert doc["fetched_at"] == article.fetched_at.isoformat()
    assert doc["revision"] == 3 and doc["story_id"] == article.article_id
    assert doc["attachments"] == [{"url": "https://a.gov.cn/1.pdf", "name": "附件",
                                   "kind": "pdf"}]
    assert doc["classifier"] == "test-1"


def test_evidence_is_capped_per_label(make_article: Callable[..., ClassifiedArticle]) -> None:
    article = make_article()
    result = article.classification.results["cell_therapy"]
    many = result.model_copy(update={"evidence": result.evidence * 9})
    classification = article.classification.model_copy(update={
        "results": {**article.classification.results, "cell_therapy": many}})
    doc = article_source(article.model_copy(update={"classification": classification}))
    assert len(doc["evidence"]["cell_therapy"]) == 5


def test_story_id_falls_back_to_article_id(make_article: Callable[..., ClassifiedArticle]) -> None:
    assert article_source(make_article(story_id=""))["story_id"] == make_article().article_id


def test_unparseable_published_is_left_out(make_article: Callable[..., ClassifiedArticle]) -> None:
    assert article_source(make_article(published="去年秋天"))["published"] is None


def test_document_fields_match_the_index_mapping(
        make_article: Callable[..., ClassifiedArticle]) -> None:
    """Every field we write is mapped explicitly (no dynamic-mapping guesses); the English
    fields come from ``indexer.english`` when a translation provider is configured."""
    mapped = articles_template("cgtwatch").to_dict()["template"]["mappings"]["properties"]
    english = {"title_en", "snippet_en"}
    assert set(article_source(make_article())) | english == set(mapped)


def test_bulk_action_uses_external_gte_versioning(
        make_article: Callable[..., ClassifiedArticle]) -> None:
    article = make_article(revision=4)
    action = bulk_action(article, "cgtwatch-articles")
    assert action["_op_type"] == "index"
    assert action["_index"] == "cgtwatch-articles"
    assert action["_id"] == article.article_id
    assert (action["version"], action["version_type"]) == (4, "external_gte")
    assert action["_source"] == article_source(article)


def test_bulk_action_is_idempotent(make_article: Callable[..., ClassifiedArticle]) -> None:
    article = make_article()
    assert bulk_action(article, "i") == bulk_action(article, "i")


@pytest.mark.parametrize(("error", "stale"), [
    ({"status": 409, "error": {"type": "version_conflict_engine_exception"}}, True),
    ({"status": 409}, True),
    ({"error": {"type": "version_conflict_engine_exception"}}, True),
    ({"status": 400, "error": {"type": "mapper_parsing_exception"}}, False),
    ({"status": 429, "error": {"type": "es_rejected_execution_exception"}}, False),
    ({"status": 500, "error": None}, False),
])
def test_is_stale_revision(error: dict[str, object], stale: bool) -> None:
    assert is_stale_revision(error) is stale
