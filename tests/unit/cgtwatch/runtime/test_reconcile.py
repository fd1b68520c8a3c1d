"""Reconcile's pure parts: which sources to crawl again, the latest message per article, and
forgetting what must be fetched again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cgtwatch.runtime.reconcile import latest_by_id, refetch, sources_for
from config.contracts.crawl import CrawlJob
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.sources import SourcesFile
from crawlers.state.seen import SqliteSeenStore, page_key

SOURCES = SourcesFile.model_validate({"sources": [
    {"id": "gd", "name": "GD", "kind": "government",
     "list_urls": ["https://gdstc.gd.gov.cn/tzgg/"]},
    {"id": "gd-2", "name": "GD 2", "kind": "government",
     "feeds": ["https://GDSTC.gd.gov.cn/rss.xml"]},
    {"id": "fda", "name": "FDA", "kind": "regulator", "language": "en",
     "list_urls": ["https://www.fda.gov/news/"]},
    {"id": "off", "name": "Off", "kind": "press", "enabled": False,
     "list_urls": ["https://off.example.org/"]},
]})


def test_sources_for_matches_hosts_else_crawls_every_enabled_source() -> None:
    assert sources_for(["https://gdstc.gd.gov.cn/a/1.html"], SOURCES) == ["gd", "gd-2"]
    assert sources_for(["https://www.fda.gov/x", "https://gdstc.gd.gov.cn/y"], SOURCES) == [
        "fda", "gd", "gd-2"]
    assert sources_for(["https://elsewhere.example.com/z"], SOURCES) == ["gd", "gd-2", "fda"]
    assert sources_for([], SOURCES) == []


def test_latest_message_per_article() -> None:
    values = [(b"a", b"1"), (b"b", b"1"), (None, b"x"), (b"a", b"2"), (b"c", b"1")]
    assert latest_by_id(values, None) == {"a": b"2", "b": b"1", "c": b"1"}
    assert latest_by_id(values, {"a", "z"}) == {"a": b"2"}


def test_refetch_forgets_records_and_list_validators_and_queues_crawls(tmp_path: Path) -> None:
    seen = SqliteSeenStore(tmp_path / "seen.sqlite3")
    seen.record("lost", "https://www.fda.gov/news/lost.html", "h", 1)
    seen.record("kept", "https://www.fda.gov/news/kept.html", "h", 1)
    seen.record_page("https://www.fda.gov/news/", '"etag"', None)
    sent: list[dict[str, Any]] = []
    (lost,) = [r for r in seen.articles() if r.article_id == "lost"]
    assert refetch(seen, [lost], SOURCES, lambda topic, **kw: sent.append(
        {"topic": topic, **kw})) == ["fda"]
    assert {r.article_id for r in seen.records()} == {"kept"}
    assert seen.page_validators("https://www.fda.gov/news/") is None
    assert not seen.known(page_key("https://www.fda.gov/news/"))
    (message,) = sent
    job = decode(CrawlJob, message["value"])
    assert message["topic"] == Topics.CRAWL_REQUESTS and message["key"] == b"fda"
    assert (job.source_id, job.reason) == ("fda", "manual")
    seen.close()
