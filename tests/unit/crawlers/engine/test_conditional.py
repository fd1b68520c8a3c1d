"""Conditional GET headers, re-check decisions, retry backoff and pointer-page helpers."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import Request, Response
from scrapy.settings import Settings

from config.backoff import delays
from config.contracts.articles import RawArticle
from config.contracts.ids import content_hash
from crawlers.engine.articles import readable_attachment, with_text
from crawlers.engine.conditional import conditional_headers, validators
from crawlers.engine.retry import BackoffRetryMiddleware
from crawlers.state.seen import SeenRecord, page_key

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def record(first_seen: str = "", etag: str | None = None, modified: str | None = None
           ) -> SeenRecord:
    return SeenRecord("a", "http://x/1", "h", 1, etag, modified, first_seen, first_seen)


def test_conditional_headers_from_stored_validators() -> None:
    assert conditional_headers(None) == {}
    assert conditional_headers(record()) == {}
    assert conditional_headers(record(etag='"e"', modified="Mon, 01 Apr 2024 00:00:00 GMT")) == {
        "If-None-Match": '"e"', "If-Modified-Since": "Mon, 01 Apr 2024 00:00:00 GMT"}


def test_validators_of_a_response() -> None:
    response = Response("http://x/1", headers={"ETag": '"e"'}, request=Request("http://x/1"))
    assert validators(response) == ('"e"', None)


def test_retry_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    middleware = BackoffRetryMiddleware(Settings({"CGTWATCH_RETRY_BACKOFF": 0.5,
                                                  "CGTWATCH_RETRY_BACKOFF_MAX": 3.0}))
    assert delays(middleware.policy, 5, draw=0.9) == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_list_pages_have_their_own_keys() -> None:
    assert page_key("http://x/list/").startswith("page-")


def test_readable_attachment_and_text_replacement() -> None:
    fields = {"attachments": [{"url": "http://x/a.zip", "kind": "zip"},
                              {"url": "http://x/a.doc", "kind": "doc"},
                              {"url": "http://x/a.docx", "kind": "docx"}]}
    assert readable_attachment(fields) == {"url": "http://x/a.docx", "kind": "docx"}
    assert readable_attachment({"attachments": []}) is None
    item = RawArticle(article_id="a" * 32, url="http://x/1", source_id="s", title="T",
                      text="见附件",
                      content_hash=content_hash("T", "见附件"))
    changed = with_text(item, "正文")
    assert changed.text == "正文" and changed.content_hash == content_hash("T", "正文")
