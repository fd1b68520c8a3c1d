"""``cgtwatch search`` and ``cgtwatch stories`` on the local search server: Chinese and English
queries, filters, highlighted snippets, JSON lines, and stories with all their sources."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch.helpers import bulk
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from config.contracts.articles import Classification, ClassifiedArticle, Entity, LabelResult
from config.contracts.ids import article_id
from config.contracts.wire import utcnow
from indexer.actions import bulk_action
from indexer.documents import articles_alias
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration
TODAY = utcnow().date()


def article(n: int, title: str, text: str, label: str | None, *, lang: str = "zh",
            days_ago: int = 1, source: str = "dalian-ftz", region: tuple[str, str] = ("", ""),
            story: str | None = None) -> ClassifiedArticle:
    url = f"https://news.example.org/{source}/{n}.html"
    results = {label: LabelResult(score=0.9, salience="primary")} if label else {}
    regions = [Entity(id=region[0], name=region[0], name_en=region[1])] if region[0] else []
    return ClassifiedArticle(
        article_id=article_id(url), url=url, source_id=source, source_name=source.upper(),
        source_kind="ftz", title=title, text=text, language=lang,
        published=(TODAY - timedelta(days=days_ago)).isoformat(), story_id=story or "",
        classification=Classification(labels=[label] if label else [], results=results,
                                      regions=regions))


ARTICLES = [
    article(1, "大连自贸片区共建基因细胞治疗先行示范区", "双方将围绕CAR-T细胞治疗开展合作。",
            "cell_therapy", region=("辽宁省", "Liaoning"), story="s-dalian"),
    article(2, "辽宁日报：大连建设细胞治疗示范区", "大连自贸片区与大连医科大学共建细胞治疗示范区。",
            "cell_therapy", source="ln-kjt", region=("辽宁省", "Liaoning"), story="s-dalian"),
    article(3, "FDA Approves Gene Therapy for Hemophilia B",
            "The FDA approved an AAV gene therapy for adults with hemophilia B.",
            "gene_therapy", lang="en", source="fda", days_ago=2),
    article(4, "我区举办职工运动会", "来自各部门的运动员参加了田径比赛。", None, days_ago=3),
    article(5, "细胞治疗产业联盟成立", "细胞治疗企业成立产业联盟。", "cell_therapy",
            days_ago=400, source="old-news"),
]


@pytest.fixture
def indexed(stack: Env) -> Env:
    alias = articles_alias("cgtwatch")
    bulk(stack.es, [bulk_action(a, alias) for a in ARTICLES], refresh=True)
    return stack


def run(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_chinese_query_with_highlights(indexed: Env) -> None:
    hits = run("search", "细胞治疗")
    assert {h["id"] for h in hits} == {ARTICLES[n].article_id for n in (0, 1, 4)}
    assert "<em>" in hits[0]["title_hl"]
    assert any("<em>" in s for h in hits for s in h["snippets"])
    assert {"url", "published", "labels", "source_name", "story_id", "score"} <= set(hits[0])


def test_english_query_and_filters(indexed: Env) -> None:
    hits = run("search", "gene therapy", "--lang", "en")
    assert [h["id"] for h in hits] == [ARTICLES[2].article_id]
    assert "<em>" in hits[0]["title_hl"]
    assert run("search", "gene therapy", "--lang", "zh") == []
    labelled = run("search", "*", "--label", "gene_therapy")
    assert [h["id"] for h in labelled] == [ARTICLES[2].article_id]
    regional = {h["id"] for h in run("search", "细胞治疗", "--region", "Liaoning")}
    assert regional == {ARTICLES[0].article_id, ARTICLES[1].article_id}
    by_source = run("search", "细胞治疗", "--source", "ln-kjt", "--limit", "5")
    assert [h["id"] for h in by_source] == [ARTICLES[1].article_id]


def test_since_excludes_old_articles(indexed: Env) -> None:
    everything = {h["id"] for h in run("search", "细胞治疗", "--limit", "50")}
    recent = {h["id"] for h in run("search", "细胞治疗", "--since", "7d")}
    assert ARTICLES[4].article_id in everything - recent
    newest = run("search", "*", "--since", "30d")
    assert [h["published"] for h in newest] == sorted((h["published"] for h in newest),
                                                      reverse=True)


def test_human_output_and_bad_since(indexed: Env) -> None:
    result = CliRunner().invoke(app, ["search", "FDA", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "Hemophilia" in result.stdout and ARTICLES[2].url in result.stdout
    bad = CliRunner().invoke(app, ["search", "x", "--since", "yesterday"])
    assert bad.exit_code == 2


def test_stories_list_every_source(indexed: Env) -> None:
    stories = run("stories", "--since", "30d")
    by_id = {s["story_id"]: s for s in stories}
    dalian = by_id["s-dalian"]
    assert dalian["articles"] == 2 and set(dalian["sources"]) == {"DALIAN-FTZ", "LN-KJT"}
    assert {i["url"] for i in dalian["items"]} == {ARTICLES[0].url, ARTICLES[1].url}
    assert ARTICLES[4].article_id not in by_id  # older than 30 days
    gene = run("stories", "--label", "gene_therapy")
    assert [s["story_id"] for s in gene] == [ARTICLES[2].article_id]
    table = CliRunner().invoke(app, ["stories"])
    assert table.exit_code == 0 and "LN-KJT" in table.stdout
