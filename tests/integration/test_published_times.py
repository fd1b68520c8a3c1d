"""Times right everywhere: one instant (2026-11-18 01:30 UTC) published by a page with a
+08:00 date, by a Chinese source whose page gives no offset, and by an English source in
New York.  The stored value, ``search --since`` (read in the display zone) and a digest
(shown in its window's zone) all agree; ``index migrate`` fixes documents stored without an
offset by an older version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from elasticsearch.helpers import bulk
from typer.testing import CliRunner

from alerts.render_digest import render_email_digest
from cgtwatch.cli.app import app
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult
from config.rules import Rule
from config.sources import Source
from crawlers.engine.items import build_raw_article
from indexer.actions import bulk_action
from indexer.documents import articles_alias
from indexer.migrate import migrate_articles
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration
ALIAS = articles_alias("cgtwatch")
CN = Source(id="gd-kjt", name="广东省科学技术厅", kind="government", list_urls=["https://a.cn/"])
FDA = Source(id="fda-press", name="FDA", kind="regulator", language="en",
             timezone="America/New_York", feeds=["https://fda.example.gov/rss.xml"])
PAGES = [(CN, "https://a.cn/1.html", "2026-11-18T09:30+08:00"),  # the page's own offset
         (CN, "https://a.cn/2.html", "2026-11-18T09:30"),  # none: the source's zone
         (FDA, "https://fda.example.gov/3", "2026-11-17T20:30")]  # New York, November
INSTANT = "2026-11-18 01:30 +00:00"


def classified(source: Source, url: str, date: str) -> ClassifiedArticle:
    raw = build_raw_article(source, url, "", "utf-8", {"title": f"细胞治疗 {url}",
                                                       "text": "CAR-T 细胞治疗。",
                                                       "date": date})
    result = {"cell_therapy": LabelResult(score=0.9, salience="primary")}
    return ClassifiedArticle(**raw.model_dump(exclude={"html", "encoding", "http_status",
                                                       "list_url", "extractor",
                                                       "schema_version"}),
                             classification=Classification(labels=["cell_therapy"],
                                                           results=result))


def search(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["search", "*", *args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_stored_value_since_and_digest_agree(stack: Env,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    articles = [classified(*page) for page in PAGES]
    assert [a.published for a in articles] == [
        "2026-11-18T09:30:00+08:00", "2026-11-18T09:30:00+08:00", "2026-11-17T20:30:00-05:00"]
    bulk(stack.es, [bulk_action(a, ALIAS) for a in articles], refresh=True)
    stored = [stack.es.get(index=ALIAS, id=a.article_id)["_source"]["published"]
              for a in articles]
    assert stored == [a.published for a in articles]
    monkeypatch.setenv("CGTWATCH_DISPLAY__TIMEZONE", "Asia/Shanghai")
    assert len(search("--since", "2026-11-18T09:30")) == 3  # 09:30 in China = 01:30 UTC
    assert search("--since", "2026-11-18T09:31") == []
    monkeypatch.setenv("CGTWATCH_DISPLAY__TIMEZONE", "UTC")
    assert len(search("--since", "2026-11-18T01:30")) == 3
    assert search("--since", "2026-11-18T01:31") == []
    table = CliRunner().invoke(app, ["search", "*"])
    assert table.output.count(INSTANT) == 3 and "times in UTC" in table.output
    utc_rule = Rule(name="cgt", channels=["c"], digest={"timezone": "UTC"})
    assert render_email_digest(utc_rule, "t", articles).text.count(INSTANT) == 3
    china = render_email_digest(Rule(name="cgt", channels=["c"]), "t", articles).text
    assert china.count("2026-11-18 09:30 +08:00") == 3


def test_migration_gives_old_documents_their_source_zone(stack: Env) -> None:
    es = stack.es
    es.indices.delete(index="cgtwatch-articles-v2")
    es.indices.create(index="cgtwatch-articles-v1", aliases={ALIAS: {"is_write_index": True}})
    old = []
    for source, url, date in PAGES[1:]:
        doc = bulk_action(classified(source, url, date), ALIAS)
        doc["_source"]["published"] = date + ":00"  # how v1 stored it: no offset
        old.append(doc)
    bulk(es, old, refresh=True)
    done = migrate_articles(es, "cgtwatch", settle_s=0.1,
                            zones={"gd-kjt": "Asia/Shanghai", "fda-press": "America/New_York"})
    assert done.target == "cgtwatch-articles-v2" and done.fixed == 2
    published = sorted(es.get(index=ALIAS, id=d["_id"])["_source"]["published"] for d in old)
    assert published == ["2026-11-17T20:30:00-05:00", "2026-11-18T09:30:00+08:00"]
    assert es.get(index=ALIAS, id=old[0]["_id"])["_version"] == old[0]["version"]
    hits = es.search(index=ALIAS, query={"range": {"published": {
        "gte": "2026-11-18T01:30:00+00:00", "lte": "2026-11-18T01:30:00+00:00"}}})
    assert hits["hits"]["total"]["value"] == 2
