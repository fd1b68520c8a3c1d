"""The wire contract: canonical URLs, article ids, content hashes and message encoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from config.contracts.articles import (
    Attachment,
    Classification,
    ClassifiedArticle,
    LabelResult,
    RawArticle,
)
from config.contracts.crawl import CrawlJob, CrawlStats
from config.contracts.ids import article_id, canonical_url, content_hash
from config.contracts.ops import DeadLetter, OpsEvent, dead_letter_for
from config.contracts.wire import Message, decode

WHEN = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://WWW.Example.GOV.cn/News/A.html", "https://www.example.gov.cn/News/A.html"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("https://example.org:443/a", "https://example.org/a"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("http://example.org:443/a", "http://example.org:443/a"),
    ("https://example.org/a#section-2", "https://example.org/a"),
    ("https://example.org", "https://example.org/"),
    ("  https://example.org/a  ", "https://example.org/a"),
    ("https://example.org/a?utm_source=x&utm_medium=y&id=7&spm=1.2&from=timeline&gclid=z",
     "https://example.org/a?id=7"),
    ("https://example.org/a?UTM_Campaign=x&id=7", "https://example.org/a?id=7"),
    ("https://example.org/a?b=2&a=1&c=", "https://example.org/a?a=1&b=2&c="),
    ("http://a.gov.cn/s.jsp?kw=%C9%FA%CE%EF&id=3", "http://a.gov.cn/s.jsp?id=3&kw=%C9%FA%CE%EF"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
], ids=["case", "http-80", "https-443", "other-port", "443-on-http", "fragment", "root-slash",
        "whitespace", "tracking", "tracking-case", "query-order", "gbk-escapes-kept", "ipv6"])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_path_case_and_meaningful_parameters_are_kept() -> None:
    assert canonical_url("https://a.org/X?id=1") != canonical_url("https://a.org/x?id=1")
    assert canonical_url("https://a.org/x?id=1") != canonical_url("https://a.org/x?id=2")


def test_article_id_is_stable_across_spellings_of_one_page() -> None:
    spellings = ["https://www.example.gov.cn/art/2026/11/18/art_1_2.html",
                 "HTTPS://WWW.EXAMPLE.GOV.CN:443/art/2026/11/18/art_1_2.html#top",
                 "https://www.example.gov.cn/art/2026/11/18/art_1_2.html?utm_source=wechat"]
    ids = {article_id(url) for url in spellings}
    assert len(ids) == 1
    (only,) = ids
    assert len(only) == 32
    assert all(ch in "0123456789abcdef" for ch in only)


def test_article_id_differs_between_pages() -> None:
    assert article_id("https://a.org/1.html") != article_id("https://a.org/2.html")


def test_canonical_url_keeps_ipv6_hosts_valid() -> None:
    assert canonical_url("http://[::1]:8080/news/1.html") == "http://[::1]:8080/news/1.html"


def test_gbk_encoded_query_values_keep_pages_apart() -> None:
    shengwu = "http://www.example.gov.cn/search.jsp?column=%C9%FA%CE%EF"  # 生物 in GBK
    jiyin = "http://www.example.gov.cn/search.jsp?column=%BB%F9%D2%F2"  # 基因 in GBK
    assert article_id(shengwu) != article_id(jiyin)


def test_content_hash_is_stable_and_whitespace_insensitive_at_the_ends() -> None:
    assert content_hash("标题", "正文") == content_hash("  标题\n", "正文 ")
    assert len(content_hash("标题", "正文")) == 32


def test_content_hash_separates_its_parts() -> None:
    assert content_hash("ab", "c") != content_hash("a", "bc")
    assert content_hash("标题", "正文") != content_hash("标题", "正文已修订")
    assert content_hash(None, "x") == content_hash("", "x")


def _classification() -> Classification:
    return Classification(labels=["cell_therapy"],
                          results={"cell_therapy": LabelResult(score=0.8, salience="primary")},
                          classifier="test")


MESSAGES: list[Message] = [
    CrawlJob(job_id="j1", source_id="gd-sci", requested_at=WHEN, reason="manual", attempt=2),
    CrawlStats(job_id="j1", source_id="gd-sci", worker="w1", started_at=WHEN, finished_at=WHEN,
               ok=True, pages_fetched=4, http_status={"200": 4}),
    RawArticle(article_id=article_id("https://a.org/1"), url="https://a.org/1", source_id="s",
               title="细胞治疗", text="正文", fetched_at=WHEN, html="<p>正文</p>",
               attachments=[Attachment(url="https://a.org/1.pdf", name="附件", kind="pdf")]),
    ClassifiedArticle(article_id="a" * 32, url="https://a.org/1", source_id="s",
                      fetched_at=WHEN, classified_at=WHEN, classification=_classification()),
    DeadLetter(stage="streams", error_type="ValueError", error="bad", payload="{", failed_at=WHEN),
    OpsEvent(kind="source_unhealthy", subject="gd-sci", message="3 failed crawls", at=WHEN,
             details={"failures": 3}),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_encode_decode_round_trip(message: Message) -> None:
    data = message.encode()
    assert isinstance(data, bytes)
    assert json.loads(data)["schema_version"] == 1
    assert decode(type(message), data) == message
    assert decode(type(message), data.decode("utf-8")) == message


def test_encoding_keeps_chinese_readable_utf8() -> None:
    raw = RawArticle(article_id="a" * 32, url="https://a.org/1", source_id="s", title="细胞治疗")
    assert "细胞治疗".encode() in raw.encode()


def test_decode_rejects_bad_json() -> None:
    with pytest.raises(ValidationError, match="Invalid JSON"):
        decode(CrawlJob, b'{"job_id": "j1", ')


def test_decode_rejects_unknown_schema_version() -> None:
    data = json.loads(CrawlJob(job_id="j1", source_id="s").encode())
    data["schema_version"] = 2
    with pytest.raises(ValidationError) as caught:
        decode(CrawlJob, json.dumps(data))
    assert [e["loc"] for e in caught.value.errors()] == [("schema_version",)]


def test_decode_names_missing_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        decode(CrawlJob, b'{"job_id": "j1"}')
    assert [e["loc"] for e in caught.value.errors()] == [("source_id",)]


def test_decode_errors_are_value_errors() -> None:
    """Consumers catch ``ValueError``; decode failures must be one."""
    with pytest.raises(ValueError, match="Invalid JSON"):
        decode(RawArticle, b"not json")


def test_decode_ignores_unknown_fields_from_newer_producers() -> None:
    data = json.loads(CrawlJob(job_id="j1", source_id="s").encode())
    data["priority"] = "high"
    assert decode(CrawlJob, json.dumps(data)).job_id == "j1"


def test_messages_are_immutable() -> None:
    job = CrawlJob(job_id="j1", source_id="s")
    with pytest.raises(ValidationError):
        job.attempt = 2  # type: ignore[misc]


def test_dead_letter_for_records_reason_and_where() -> None:
    letter = dead_letter_for("indexer", KeyError("title"), b'{"x": 1}', topic="t", partition=2,
                             offset=41, key="k", article_id="a1")
    assert (letter.stage, letter.error_type, letter.error) == ("indexer", "KeyError", "'title'")
    assert (letter.topic, letter.partition, letter.offset) == ("t", 2, 41)
    assert (letter.key, letter.article_id, letter.payload) == ("k", "a1", '{"x": 1}')


def test_dead_letter_for_truncates_error_and_payload() -> None:
    letter = dead_letter_for("streams", ValueError("e" * 10_000), b"p" * 200_000)
    assert len(letter.error) == 4000
    assert len(letter.payload) == 100_000
    assert len(letter.encode()) < 120_000


def test_dead_letter_for_tolerates_undecodable_or_missing_payload() -> None:
    assert "\ufffd" in dead_letter_for("s", ValueError("x"), b"\xff\xfe{").payload
    assert dead_letter_for("s", ValueError("x"), None).payload == ""
    assert dead_letter_for("s", ValueError("x"), "text").payload == "text"


@pytest.mark.parametrize("bad", ["", "a" * 31, "A" * 32, "a" * 31 + "\n", "a" * 16 + "\r\n" +
                                 "a" * 14, "g" * 32, "a" * 33])
def test_an_article_id_other_than_32_lower_case_hex_is_refused_at_decode(bad: str) -> None:
    good = json.loads(RawArticle(article_id=article_id("https://a.org/1"), url="https://a.org/1",
                                 source_id="s").encode())
    with pytest.raises(ValidationError, match="article_id"):
        decode(RawArticle, json.dumps({**good, "article_id": bad}))


@pytest.mark.parametrize("bad", ["s1\r\nBcc: x@y.org", "x" * 65, "故事"])
def test_a_story_id_with_control_characters_or_too_long_is_refused(bad: str) -> None:
    good = json.loads(ClassifiedArticle(
        article_id="a" * 32, url="https://a.org/1", source_id="s", story_id="b" * 32,
        classification=_classification()).encode())
    assert decode(ClassifiedArticle, json.dumps(good)).story_id == "b" * 32
    with pytest.raises(ValidationError, match="story_id"):
        decode(ClassifiedArticle, json.dumps({**good, "story_id": bad}))
