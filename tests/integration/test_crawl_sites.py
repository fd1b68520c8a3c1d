"""Real crawls (``python -m crawlers.jobs.run``) of the local fixture sites into the local stack.

Each test serves the fixture sites on loopback, starts its own noida-db (Kafka and
Elasticsearch protocols), crawls in a child process and checks what reached ``articles.raw``,
the shared seen-store index and the fixture server's request log.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.sites.harness import (
    read_topic,
    run_crawl_child,
    site_crawl_env,
)
from bench.sites.pages import HANWEB_POINTER, Page, zh_article
from bench.sites.server import FixtureServer
from config.contracts.articles import RawArticle
from config.contracts.ids import article_id
from config.contracts.topics import Topics
from config.contracts.wire import decode
from crawlers.state.seen_es import seen_index
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(slow_s=4.0).start()
    yield server
    server.stop()


@pytest.fixture
def env(stack: Env, site: FixtureServer, tmp_path: Path) -> dict[str, str]:
    return site_crawl_env(stack.env, tmp_path, site.url)


def articles(stack: Env) -> list[RawArticle]:
    return [decode(RawArticle, value) for _, value in read_topic(stack.settings, Topics.RAW)]


def crawl(env: dict[str, str], source_id: str) -> tuple[int, object, str]:
    code, stats, stderr = run_crawl_child(env, source_id)
    assert stats is not None, stderr[-3000:]
    return code, stats, stderr


def test_trs_gbk_column_with_pages_then_incremental(stack: Env, site: FixtureServer,
                                                    env: dict[str, str]) -> None:
    code, stats, stderr = run_crawl_child(env, "trs")
    assert code == 0 and stats is not None, stderr[-3000:]
    assert (stats.list_pages, stats.links_found, stats.articles_published) == (3, 7, 7)
    got = articles(stack)
    assert len(got) == 7 and {a.revision for a in got} == {1}
    first = next(a for a in got if a.url.endswith("t20240417_1007.html"))
    assert first.title == "关于细胞治疗临床研究项目第1007号的通知"
    assert "CAR-T细胞治疗" in first.text and (first.published or "").startswith("2024-04-17")
    seen = stack.es.get(index=seen_index(stack.settings), id=first.article_id)["_source"]
    assert seen["revision"] == 1 and seen["etag"] and seen["url"] == first.url
    assert set(seen) >= {"content_hash", "last_modified", "first_seen", "last_seen"}

    # second run: list page answers 304 to the conditional GET, nothing is re-published
    code, again, _ = run_crawl_child(env, "trs")
    assert code == 0 and again is not None
    assert again.not_modified >= 1 and again.articles_published == 0
    index_hits = site.requested("/trs/xxgk/index.html")
    assert index_hits[-1].headers.get("If-None-Match") and index_hits[-1].status == 304
    assert len(articles(stack)) == 7


def test_changed_article_is_republished_as_a_new_revision(stack: Env, site: FixtureServer,
                                                          env: dict[str, str]) -> None:
    env = {**env, "CGTWATCH_CRAWLER__RECHECK_AGES_S": "[1]"}  # re-check 1 s after first seen
    code, _, _ = run_crawl_child(env, "trs")
    assert code == 0
    time.sleep(1.2)
    path = "/trs/xxgk/202404/t20240417_1007.html"
    changed = zh_article("关于细胞治疗临床研究项目第1007号的通知", "2024-04-17", "更正：" * 40)
    site.pages[path] = Page(changed.replace("{charset}", "utf-8").encode())
    site.pages["/trs/xxgk/index.html"] = Page(site.pages["/trs/xxgk/index.html"].body + b" ")
    code, stats, stderr = run_crawl_child(env, "trs")
    assert code == 0 and stats is not None, stderr[-3000:]
    assert stats.articles_published == 1, stats
    rechecks = site.requested("t20240416_1006.html")
    assert rechecks[-1].headers.get("If-None-Match") and rechecks[-1].status == 304
    revisions = sorted(a.revision for a in articles(stack) if a.url.endswith(path))
    assert revisions == [1, 2]
    seen = stack.es.get(index=seen_index(stack.settings), id=article_id(site.url + path))
    assert seen["_source"]["revision"] == 2


def test_hanweb_data_proxy_pages_and_pointer_attachment(stack: Env, site: FixtureServer,
                                                        env: dict[str, str]) -> None:
    code, stats, stderr = run_crawl_child(env, "hanweb")
    assert code == 0 and stats is not None, stderr[-3000:]
    posts = site.requested("/module/web/jpage/dataproxy.jsp", method="POST")
    assert [p.path.split("?")[1] for p in posts] == [
        "startrecord=1&endrecord=6&perpage=2", "startrecord=7&endrecord=12&perpage=2"]
    assert stats.links_found == 8 and stats.articles_published == 8
    got = {a.url.rsplit("_", 1)[1]: a for a in articles(stack)}
    pointer = got[f"{HANWEB_POINTER}.html"]
    assert "细胞治疗临床研究试点" in pointer.text  # text of the attached DOCX
    assert site.requested(f"notice_{HANWEB_POINTER}.docx")


@pytest.mark.parametrize(("source_id", "expected"), [
    ("en-cms", 4), ("rss", 3), ("sitemap", 2)])
def test_english_cms_feed_and_sitemap(stack: Env, env: dict[str, str], source_id: str,
                                      expected: int) -> None:
    code, stats, stderr = run_crawl_child(env, source_id)
    assert code == 0 and stats is not None, stderr[-3000:]
    got = articles(stack)
    assert len(got) == expected == stats.articles_published
    assert all(a.language == "en" and a.title and len(a.text) > 100 for a in got)
