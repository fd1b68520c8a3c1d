"""Pure query building for ``cgtwatch search`` and ``cgtwatch stories``."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.queries import (
    Filters,
    filter_clauses,
    hit_summary,
    parse_since,
    search_body,
    since_clause,
    stories_body,
    story_summary,
)


@pytest.mark.parametrize(("given", "expected"), [
    ("7d", "now-7d"), ("12h", "now-12h"), ("30m", "now-30m"), ("2w", "now-2w"),
    ("3M", "now-3M"), ("90s", "now-90s"), ("2026-11-01", "2026-11-01T00:00:00+08:00"),
    ("2026-11-01T08:30", "2026-11-01T08:30:00+08:00")])
def test_parse_since(given: str, expected: str) -> None:
    assert parse_since(given) == expected


@pytest.mark.parametrize("bad", ["yesterday", "7", "-7d", "2026/11/01", ""])
def test_parse_since_rejects_with_an_example(bad: str) -> None:
    with pytest.raises(ValueError, match="7d"):
        parse_since(bad)


def test_multi_match_over_title_and_text_with_highlights() -> None:
    body = search_body("细胞治疗 CAR-T", Filters(), limit=5)
    must = body["query"]["bool"]["must"][0]["bool"]
    match = must["must"][0]["multi_match"]
    assert match["fields"] == ["title^3", "text"] and match["operator"] == "and"
    assert match["query"] == "细胞治疗 CAR-T"
    assert must["should"][0]["multi_match"]["type"] == "phrase"
    assert set(body["highlight"]["fields"]) == {"title", "text"}
    assert body["size"] == 5 and body["sort"][0] == "_score"
    assert body["query"]["bool"]["filter"] == []


def test_empty_query_matches_all_newest_first() -> None:
    body = search_body(" * ", Filters())
    assert "must" not in body["query"]["bool"]
    assert next(iter(body["sort"][0])) == "published"


def test_filters_are_terms_and_range_clauses() -> None:
    clauses = filter_clauses(Filters(labels=("cell_therapy",), since="7d", regions=("辽宁省",),
                                     sources=("fda",), languages=("en",)))
    assert clauses[0] == {"terms": {"labels": ["cell_therapy"]}}
    since = clauses[1]["bool"]["should"]
    assert since[0] == {"range": {"published": {"gte": "now-7d"}}}
    assert since[1]["bool"]["filter"] == [{"range": {"fetched_at": {"gte": "now-7d"}}}]
    regions = [next(iter(c["terms"])) for c in clauses[2]["bool"]["should"]]
    assert regions == ["regions", "regions_en", "source_region"]
    assert clauses[2]["bool"]["minimum_should_match"] == 1
    assert [next(iter(c["terms"])) for c in clauses[3]["bool"]["should"]] == [
        "source_id", "source_name"]
    assert clauses[4] == {"terms": {"language": ["en"]}}


def test_stories_collapse_on_story_id() -> None:
    body = stories_body(Filters(labels=("gene_therapy",)), limit=7, per_story=3)
    assert body["collapse"]["field"] == "story_id"
    assert body["collapse"]["inner_hits"]["size"] == 3
    assert body["size"] == 7
    assert body["query"]["bool"]["filter"] == [{"terms": {"labels": ["gene_therapy"]}}]


def test_hit_summary_prefers_highlights_and_falls_back_to_text() -> None:
    hit: dict[str, Any] = {"_id": "a1", "_score": 2.5, "_source": {
        "title": "细胞治疗", "text": "长文本 " * 100, "labels": ["cell_therapy"]},
        "highlight": {"title": ["<em>细胞治疗</em>"]}}
    out = hit_summary(hit)
    assert out["title_hl"] == "<em>细胞治疗</em>" and out["id"] == "a1"
    assert len(out["snippets"]) == 1 and out["snippets"][0].endswith("…")
    assert "text" not in out
    hit["highlight"] = {"text": ["… <em>CAR-T</em> …"]}
    assert hit_summary(hit)["snippets"] == ["… <em>CAR-T</em> …"]


def test_story_summary_lists_every_source_once() -> None:
    inner = [{"_source": {"title": "t1", "source_name": "A", "published": "2026-11-01",
                          "labels": ["cell_therapy"], "url": "u1"}},
             {"_source": {"title": "t2", "source_name": "B", "published": "2026-11-03",
                          "labels": ["gene_therapy"], "url": "u2"}},
             {"_source": {"title": "t3", "source_id": "c", "published": None, "url": "u3"}},
             {"_source": {"title": "t4", "source_name": "A", "published": "2026-11-02"}}]
    hit = {"_source": {"story_id": "s1"},
           "inner_hits": {"articles": {"hits": {"total": {"value": 4}, "hits": inner}}}}
    story = story_summary(hit)
    assert story["sources"] == ["A", "B", "c"]
    assert story["articles"] == 4 and story["title"] == "t1"
    assert (story["first_published"], story["last_published"]) == ("2026-11-01", "2026-11-03")
    assert story["labels"] == ["cell_therapy", "gene_therapy"]
    assert [i["url"] for i in story["items"]] == ["u1", "u2", "u3", None]


def test_since_dates_are_read_in_the_display_zone() -> None:
    clause = since_clause("2026-11-18", "UTC")
    assert clause["bool"]["should"][0] == {"range": {"published": {
        "gte": "2026-11-18T00:00:00+00:00"}}}
    filters = Filters(since="2026-11-18T09:30", timezone="Asia/Shanghai")
    assert filter_clauses(filters)[0]["bool"]["should"][0]["range"]["published"]["gte"] == \
        "2026-11-18T09:30:00+08:00"
