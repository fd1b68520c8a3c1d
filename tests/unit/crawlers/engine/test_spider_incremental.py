"""The engine spider's incremental behaviour: a 304 list ends the poll, so do unchanged article
links; re-checks follow the age schedule on the first page only; list state is kept only after
a clean job; pointer pages are completed from their attachment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import scrapy
from scrapy.http import Response

from bench.sites.pages import HANWEB_POINTER, hanweb_site, trs_site
from config.contracts.ids import article_id
from config.contracts.wire import utcnow
from config.sources import Source
from crawlers.engine.fetched import FetchedArticle
from crawlers.engine.job import JobRun, PageState
from crawlers.engine.poll_spider import PollSpider
from crawlers.engine.tracking import RUN_KEY
from crawlers.state.seen import SeenRecord, SeenStore, SqliteSeenStore, page_key
from tests.unit.crawlers.engine.poll_support import make_spider, response

ROOT = "http://127.0.0.1:8765"
LIST = f"{ROOT}/trs/xxgk/index.html"
SOURCE = Source(id="trs", name="trs", kind="government", list_urls=[LIST])
FIRST = f"{ROOT}/trs/xxgk/202404/t20240417_1007.html"  # on the first list page
LATER = f"{ROOT}/trs/xxgk/202404/t20240413_1003.html"  # on the second


@pytest.fixture
def seen(tmp_path: Path) -> Iterator[SeenStore]:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    yield store
    store.close()


def make(seen: SeenStore) -> tuple[PollSpider, JobRun]:
    return make_spider(seen, SOURCE, recheck_ages_s=(3600, 86400))


def body(path: str = "/trs/xxgk/index.html") -> bytes:
    return trs_site()[path].body


def crawl_list(spider: PollSpider, run: JobRun, data: bytes, depth: int = 1, status: int = 200,
               **headers: str) -> list[scrapy.Request]:
    url = LIST if depth == 1 else f"{ROOT}/trs/xxgk/index_1.html"
    out = list(spider.parse_list(response(url, data, run, status=status, **headers),
                                 depth=depth))
    return [r for r in out if isinstance(r, scrapy.Request)]


def test_list_request_is_conditional_and_304_ends_the_poll(seen: SeenStore) -> None:
    seen.record_page(LIST, '"v1"', None, "links", (utcnow() + timedelta(hours=1)).isoformat())
    spider, run = make(seen)
    request = spider.list_request(LIST, spider.parse_list, depth=1)
    assert request.headers.get("If-None-Match") == b'"v1"'
    assert request.meta["handle_httpstatus_list"] == [304]
    assert crawl_list(spider, run, b"", status=304) == []
    assert run.counts["not_modified"] == 1 and run.counts["list_pages"] == 1
    assert run.stats("w").cause == "unchanged (304)"


def test_a_page_due_for_a_recheck_is_fetched_without_validators(seen: SeenStore) -> None:
    seen.record_page(LIST, '"v1"', None, "links", (utcnow() - timedelta(seconds=1)).isoformat())
    spider, _ = make(seen)
    assert spider.list_request(LIST, spider.parse_list, depth=1).headers == {}


def test_unchanged_links_end_the_poll_and_list_state_needs_a_clean_job(
        seen: SeenStore) -> None:
    spider, run = make(seen)
    first = crawl_list(spider, run, body(), ETag='"v2"')
    assert len(first) == 4  # three articles and the next page
    run.article_failures.append("timeout")
    spider.store_pages(run)
    assert seen.page_validators(LIST) is None  # not clean: the next poll does it all again
    spider, run = make(seen)
    crawl_list(spider, run, body(), ETag='"v2"')
    spider.store_pages(run)
    stored = seen.page_validators(LIST)
    assert stored is not None and stored.etag == '"v2"' and stored.content_hash
    for url in (FIRST, f"{ROOT}/trs/xxgk/202404/t20240416_1006.html",
                f"{ROOT}/trs/xxgk/202404/t20240415_1005.html"):
        seen.record(article_id(url), url, "h", 1)
    spider, run = make(seen)
    assert crawl_list(spider, run, body() + b" ") == []  # other bytes, the same links
    assert run.stats("w").cause == "unchanged (same article links)"


def test_known_articles_on_the_first_page_are_rechecked_by_age(seen: SeenStore) -> None:
    long_ago = (utcnow() - timedelta(hours=2)).isoformat()
    for url in (FIRST, LATER):
        seen._write(SeenRecord(article_id(url), url, "h", 1, '"a1"', None, long_ago, long_ago))
    spider, run = make(seen)
    out = crawl_list(spider, run, body())
    recheck = next(r for r in out if r.url == FIRST)
    assert recheck.headers.get("If-None-Match") == b'"a1"' and recheck.cb_kwargs["recheck"]
    assert run.counts["articles_rechecked"] == 1
    later = crawl_list(spider, run, body("/trs/xxgk/index_1.html"), depth=2)
    assert LATER not in [r.url for r in later]  # second page: no re-check
    answer = response(FIRST, b"", run, status=304, ETag='"a2"')
    assert list(spider.parse_article(answer, listed_title="", listed_date=None,
                                     list_url=LIST)) == []
    record = seen.get(article_id(FIRST))
    assert record is not None and record.etag == '"a2"' and record.last_seen > long_ago
    spider, run = make(seen)
    assert FIRST not in [r.url for r in crawl_list(spider, run, body())]  # checked: not due


def test_pointer_page_fetches_its_attachment(seen: SeenStore) -> None:
    site = hanweb_site()
    path = f"/art/2024/4/18/art_100_{HANWEB_POINTER}.html"
    spider, run = make(seen)
    (request,) = spider.parse_article(response(ROOT + path, site[path].body, run),
                                      listed_title="", listed_date=None, list_url=LIST)
    assert isinstance(request, scrapy.Request)
    assert request.url.endswith(f"notice_{HANWEB_POINTER}.docx")
    request.meta[RUN_KEY] = run.key
    docx = site[f"/module/download/notice_{HANWEB_POINTER}.docx"].body
    (item,) = spider.parse_attachment(Response(request.url, body=docx, request=request),
                                      **request.cb_kwargs)
    assert isinstance(item, FetchedArticle) and "细胞治疗临床研究试点" in item.article.text
    assert item.article.fetched_at <= utcnow()
    assert run.counts["pointer_pages"] == 1 and run.counts["attachments_read"] == 1
    (same,) = spider.parse_attachment(Response(request.url, body=b"junk", request=request),
                                      **request.cb_kwargs)
    assert same == request.cb_kwargs["fetched"]  # unreadable: the page as it is


def test_page_records_are_cached_and_updated_by_own_writes(seen: SeenStore) -> None:
    spider, _ = make(seen)
    assert spider.page(LIST) is None
    seen.record_page(LIST, '"x"', None, "h", "")
    assert spider.page(LIST) is None  # cached: this worker's own writes update it
    spider.store_page(PageState(LIST, '"y"', None, "h2", ""))
    cached = spider.page(LIST)
    assert cached is not None and cached.etag == '"y"'
    assert seen.get(page_key(LIST)) is not None


def test_a_job_that_is_not_scheduled_reads_list_records_afresh(seen: SeenStore) -> None:
    spider, run = make(seen)
    spider.store_page(PageState(LIST, '"y"', None, "h2", ""))
    seen.forget([page_key(LIST)])  # as `cgtwatch reconcile` does
    scheduled = JobRun(job=run.job, source=SOURCE, key="k1", deadline_s=60)
    spider.crawler.engine = type("Engine", (), {"crawl": lambda self, request: None})()
    spider.submit(scheduled)
    assert spider.page(LIST) is not None  # the cache still holds it
    manual = JobRun(job=run.job.model_copy(update={"reason": "manual"}), source=SOURCE,
                    key="k2", deadline_s=60)
    spider.submit(manual)
    assert spider.page(LIST) is None
