"""Atom and JSON Feed 1.1: parse with feedparser, stable ids, zoned times, page text as text;
the feed server answers each route (a fake source, a real aiohttp server on loopback)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from datetime import UTC, datetime
from typing import Any

import aiohttp
import feedparser

from alerts.feeds import FeedItem, item_from_index, item_from_record, render_atom, render_json_feed
from alerts.feeds_http import feed_app, start_feeds

EVIL = "<script>alert(1)</script> & <!channel>\x07"
ITEMS = [FeedItem(article_id="a" * 64, title=EVIL, url="https://example.gov.cn/1.html",
                  summary="CAR-T <b>细胞</b>", updated=datetime(2026, 12, 4, 1, 2, 3, tzinfo=UTC),
                  source="广东省科学技术厅", tags=["cell_therapy"], title_en="CAR-T news"),
         FeedItem(article_id="b" * 64, title="坏链接", url="javascript:alert(1)", summary="",
                  updated=datetime(2026, 12, 4, 0, 0, tzinfo=UTC))]
NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def check_json_feed(body: bytes) -> dict[str, Any]:
    """The JSON Feed 1.1 rules (jsonfeed.org/version/1.1) a reader relies on; feedparser
    6.0 (the latest release) reads Atom and RSS, not JSON Feed."""
    feed = json.loads(body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_text" in item or "content_html" in item
        for key in ("date_published", "date_modified"):
            assert key not in item or RFC3339.match(item[key]), item[key]
        assert all(isinstance(a["name"], str) for a in item.get("authors", []))
    return dict(feed)


def test_atom_parses_with_stable_ids_zoned_times_and_text_only() -> None:
    feed = feedparser.parse(render_atom("cgtwatch", "http://h/feeds/all.atom", ITEMS, NOW))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    first, second = feed.entries
    assert first.id == "urn:cgtwatch:article:" + "a" * 64
    assert first.updated == "2026-12-04T01:02:03Z"
    assert first.title == "<script>alert(1)</script> & <!channel> (CAR-T news)"
    assert first.title_detail.type == "text/plain"
    assert first.link == "https://example.gov.cn/1.html"
    assert first.summary == "CAR-T <b>细胞</b>" and first.tags[0].term == "cell_therapy"
    assert "javascript" not in str(second.get("links"))  # never a link
    assert feed.feed.updated == "2026-12-04T02:00:00Z"


def test_json_feed_follows_version_1_1() -> None:
    raw = check_json_feed(render_json_feed("cgtwatch", "http://h/feeds/all.json", ITEMS))
    assert [e["id"] for e in raw["items"]] == ["urn:cgtwatch:article:" + c * 64 for c in "ab"]
    assert raw["items"][0]["date_modified"] == "2026-12-04T01:02:03Z"
    assert raw["items"][0]["title"] == "<script>alert(1)</script> & <!channel> (CAR-T news)"
    assert "url" not in raw["items"][1]


def test_items_from_index_documents_and_history_records() -> None:
    doc = {"article_id": "x", "title": "t", "url": "https://u", "labels": ["gene_therapy"],
           "evidence": {"gene_therapy": [{"snippet": "AAV 基因治疗"}]},
           "fetched_at": "2026-12-04T08:00:00+08:00", "source_name": "S"}
    item = item_from_index(doc)
    assert (item.summary, item.updated, item.tags) == (
        "AAV 基因治疗", datetime(2026, 12, 4, 0, 0, tzinfo=UTC), ["gene_therapy"])
    record = {"article_id": "y", "title": "t2", "url": "https://v",
              "created_at": "2026-12-04T00:00:00+00:00",
              "article": {"source_id": "s", "text": "正文", "classification": {"results": {
                  "cell_therapy": {"salience": "primary", "evidence": [{"snippet": "CAR-T"}]}}}}}
    item = item_from_record(record)
    assert (item.summary, item.tags, item.source) == ("CAR-T", ["cell_therapy"], "s")


class FakeSource:
    async def all_items(self) -> list[FeedItem]:
        return ITEMS

    async def rule_items(self, rule: str) -> list[FeedItem]:
        return ITEMS[:1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_server_answers_every_route() -> None:
    async def run() -> dict[str, tuple[int, str, bytes]]:
        port = free_port()
        runner = await start_feeds(feed_app(FakeSource(), ["cgt-main"]),  # type: ignore[arg-type]
                                   "127.0.0.1", port)
        got = {}
        try:
            async with aiohttp.ClientSession() as session:
                for path in ("/feeds/all.atom", "/feeds/all.json", "/feeds/rules/cgt-main.atom",
                             "/feeds/rules/cgt-main.json", "/feeds/rules/nope.atom",
                             "/feeds/all.rss"):
                    async with session.get(f"http://127.0.0.1:{port}{path}") as resp:
                        got[path] = (resp.status, resp.headers["Content-Type"],
                                     await resp.read())
        finally:
            await runner.cleanup()
        return got

    got = asyncio.run(run())
    assert got["/feeds/all.atom"][1] == "application/atom+xml; charset=utf-8"
    assert got["/feeds/all.json"][1] == "application/feed+json; charset=utf-8"
    rule_feed = check_json_feed(got["/feeds/rules/cgt-main.json"][2])
    assert rule_feed["title"] == "cgtwatch: rule cgt-main" and len(rule_feed["items"]) == 1
    assert feedparser.parse(got["/feeds/rules/cgt-main.atom"][2]).entries[0].id.startswith(
        "urn:cgtwatch:article:")
    assert feedparser.parse(got["/feeds/all.atom"][2]).feed.links[0].href.endswith(
        "/feeds/all.atom")
    assert got["/feeds/rules/nope.atom"][0] == got["/feeds/all.rss"][0] == 404


def test_feed_entries_carry_the_english_title_of_the_index_and_of_alerts() -> None:
    doc = {"article_id": "c" * 32, "title": "细胞治疗", "url": "https://a.gov.cn/1",
           "title_en": "Cell therapy", "fetched_at": "2026-12-04T01:00:00+00:00"}
    record = {"article_id": "c" * 32, "title": "细胞治疗", "url": "https://a.gov.cn/1",
              "created_at": "2026-12-04T01:00:00+00:00",
              "article": {"title_en": "Cell therapy", "classification": {}}}
    for item in (item_from_index(doc), item_from_record(record)):
        assert item.title_en == "Cell therapy"
        entry = json.loads(render_json_feed("t", "http://h/f.json", [item]))["items"][0]
        assert entry["title"] == "细胞治疗 (Cell therapy)"
