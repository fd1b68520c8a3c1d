"""Times right everywhere, without servers: three pages announcing one instant (2026-11-18
01:30 UTC) — a Chinese page with a +08:00 meta date, a Chinese page whose date has no offset,
an English page of a New York source — go from the extractor through the raw article to the
stored document; the stored value, the ``--since`` bound (read in the display zone) and an
email digest (shown in its window's zone) agree on that instant.  The same flow on real
servers is ``tests/integration/test_published_times.py``; the migration of documents stored
without an offset is checked here on its bulk actions and there on Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.render_digest import render_email_digest
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult
from config.rules import Rule
from config.sources import Source
from config.timezones import parse_stamp
from crawlers.engine.items import build_raw_article
from crawlers.extract.article import extract_article
from indexer.actions import bulk_action
from indexer.migrate_fixes import offset_fix
from indexer.queries import parse_since

CN = Source(id="gd-kjt", name="广东省科学技术厅", kind="government", list_urls=["https://a.cn/"])
NY = Source(id="fda-press", name="FDA", kind="regulator", language="en",
            timezone="America/New_York", feeds=["https://fda.example.gov/rss.xml"])
ZH = ("近日，省科技厅组织召开细胞与基因治疗产业发展座谈会，与会企业代表围绕临床研究、"
      "生产质量管理和人才引进等问题进行了深入交流。")
EN = "The agency approved the first gene therapy for the disease, the company said on Monday. "
INSTANT = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)


def page(head: str, headline: str, line: str, para: str) -> str:
    return (f"<html><head><title>{headline}</title>{head}</head><body><h1>{headline}</h1>"
            f"<div>{line}</div><div><p>{para * 3}</p><p>{para * 2}</p></div></body></html>")


PAGES = [
    (CN, "https://a.cn/1.html", page('<meta property="article:published_time" '
                                     'content="2026-11-18T09:30:00+08:00">',
                                     "细胞治疗产业座谈会召开", "来源：科技厅", ZH)),
    (CN, "https://a.cn/2.html", page("", "基因治疗产品获批上市", "发布时间：2026-11-18 09:30", ZH)),
    (NY, "https://fda.example.gov/3", page("", "FDA approves a gene therapy",
                                           "Posted on 2026-11-17 20:30", EN)),
]


def stored() -> list[ClassifiedArticle]:
    out = []
    for source, url, html in PAGES:
        fields = extract_article(html, url)
        raw = build_raw_article(source, url, html, "utf-8", fields)
        result = {"cell_therapy": LabelResult(score=0.9, salience="primary")}
        out.append(ClassifiedArticle(
            **raw.model_dump(exclude={"html", "encoding", "http_status", "list_url",
                                      "extractor", "schema_version"}),
            classification=Classification(labels=["cell_therapy"], results=result)))
    return out


def test_extracted_dates_keep_the_page_offset_or_none() -> None:
    dates = [extract_article(html, url)["date"] for _, url, html in PAGES]
    assert dates == ["2026-11-18T09:30+08:00", "2026-11-18T09:30", "2026-11-17T20:30"]


def test_stored_value_since_bound_and_digest_agree_on_the_instant() -> None:
    articles = stored()
    docs = [bulk_action(a, "cgtwatch-articles")["_source"]["published"] for a in articles]
    assert docs == ["2026-11-18T09:30:00+08:00", "2026-11-18T09:30:00+08:00",
                    "2026-11-17T20:30:00-05:00"]
    assert {parse_stamp(d, "UTC") for d in docs} == {INSTANT}
    china = parse_since("2026-11-18T09:30", "Asia/Shanghai")
    assert parse_stamp(china, "UTC") == INSTANT  # the --since bound is that instant
    assert parse_stamp(parse_since("2026-11-18T01:30", "UTC"), "UTC") == INSTANT
    utc = render_email_digest(Rule(name="cgt", channels=["c"], digest={"timezone": "UTC"}),
                              "t", articles).text
    assert utc.count("2026-11-18 01:30 +00:00") == 3
    shanghai = render_email_digest(Rule(name="cgt", channels=["c"]), "t", articles).text
    assert shanghai.count("2026-11-18 09:30 +08:00") == 3


def test_migration_gives_documents_without_offset_their_source_zone() -> None:
    zones = {"gd-kjt": "Asia/Shanghai", "fda-press": "America/New_York"}
    hits = [{"_index": "cgtwatch-articles-v2", "_id": "a", "_version": 3,
             "_source": {"source_id": "gd-kjt", "published": "2026-11-18T09:30:00",
                         "revision": 2}},
            {"_index": "cgtwatch-articles-v2", "_id": "b", "_version": 1,
             "_source": {"source_id": "fda-press", "published": "2026-11-17T20:30:00"}},
            {"_index": "cgtwatch-articles-v2", "_id": "c", "_version": 1,
             "_source": {"source_id": "unknown", "language": "zh",
                         "published": "2026-11-18"}}]
    actions = [offset_fix(hit, zones) for hit in hits]
    assert [a["_source"]["published"] for a in actions if a] == [
        "2026-11-18T09:30:00+08:00", "2026-11-17T20:30:00-05:00", "2026-11-18T00:00:00+08:00"]
    assert [(a["version"], a["version_type"]) for a in actions if a] == [
        (2, "external_gte"), (1, "external_gte"), (1, "external_gte")]
    done = {"_index": "x", "_id": "d", "_source": {"published": "2026-11-18T09:30:00+08:00"}}
    assert offset_fix(done, zones) is None  # already migrated: left alone
    assert offset_fix({"_index": "x", "_id": "e", "_source": {}}, zones) is None
