"""Pure parts of the operator tools: dead-letter replay plans, ``--since``, backfill
selection, and crawl-health documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from config.contracts.articles import RawArticle
from config.contracts.crawl import CrawlStats
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from indexer.actions import SourceInfo, crawl_health_action
from indexer.backfill import BackfillResult, select
from indexer.deadletters import PAYLOAD_LIMIT, Letter, keep, plan, plan_all
from indexer.topicscan import since_datetime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def letter(payload: str = '{"x": 1}', topic: str = Topics.RAW, stage: str = "streams",
           article: str | None = "a1", offset: int = 0, hours_ago: int = 1) -> Letter:
    dl = DeadLetter(stage=stage, error_type="E", error="e", topic=topic, article_id=article,
                    key="k", payload=payload, failed_at=NOW - timedelta(hours=hours_ago))
    return Letter(0, offset, dl)


def test_since_datetime() -> None:
    assert since_datetime("7d", NOW) == NOW - timedelta(days=7)
    assert since_datetime("30m", NOW) == NOW - timedelta(minutes=30)
    assert since_datetime("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="7d"):
        since_datetime("last week")


def test_keep_filters_stage_and_since() -> None:
    dl = letter(hours_ago=5).letter
    assert keep(dl, None, None) and keep(dl, "streams", NOW - timedelta(hours=6))
    assert not keep(dl, "indexer", None)
    assert not keep(dl, None, NOW - timedelta(hours=1))


def test_plan_sends_payload_back_keyed_by_article_id() -> None:
    replay = plan(letter(topic=Topics.CLASSIFIED))
    assert (replay.topic, replay.key, replay.value, replay.skip) == (
        Topics.CLASSIFIED, b"a1", b'{"x": 1}', "")
    assert plan(letter(article=None)).key == b"k"


@pytest.mark.parametrize(("given", "reason"), [
    (letter(topic=""), "unknown topic"), (letter(topic=Topics.DEADLETTER), "not a pipeline"),
    (letter(payload=""), "no payload"), (letter(payload="x" * PAYLOAD_LIMIT), "truncated")])
def test_plan_skips_what_cannot_be_replayed(given: Letter, reason: str) -> None:
    assert reason in plan(given).skip


def test_plan_all_sends_a_repeated_payload_once() -> None:
    plans = plan_all([letter(offset=1), letter(offset=2), letter(payload='{"y": 2}', offset=3)])
    assert [p.skip for p in plans] == ["", "duplicate of an earlier letter in this replay", ""]
    assert plans[0].source.row()["dl_offset"] == 1 and "payload" not in plans[0].source.row()


def test_backfill_selects_by_source_and_since(make_raw: Callable[..., RawArticle]) -> None:
    old = make_raw(url="https://a.cn/1", source_id="a", fetched_at=NOW - timedelta(days=9))
    new = make_raw(url="https://a.cn/2", source_id="a", fetched_at=NOW)
    other = make_raw(url="https://b.cn/3", source_id="b", fetched_at=NOW)
    values = [old.encode(), b"junk", new.encode(), other.encode()]
    result = BackfillResult()
    chosen = list(select(values, NOW - timedelta(days=1), {"a"}, result))
    assert [r.article_id for r in chosen] == [new.article_id]
    assert (result.read, result.selected, result.undecodable) == (4, 1, 1)
    assert len(list(select(values, None, set(), BackfillResult()))) == 3


def test_crawl_health_document() -> None:
    stats = CrawlStats(job_id="j1", source_id="s1", worker="w", started_at=NOW,
                       finished_at=NOW + timedelta(seconds=3.5), ok=False, error="boom",
                       http_status={"500": 2})
    action = crawl_health_action(stats, "cgt-crawl-health", SourceInfo("名", "ftz", "辽宁省"))
    assert action["_id"] == "j1" and action["_index"] == "cgt-crawl-health"
    body = action["_source"]
    assert body["duration_s"] == 3.5 and body["status"] == "failed"
    assert (body["source_name"], body["source_kind"], body["region"]) == ("名", "ftz", "辽宁省")
    assert body["finished_at"].startswith("2026-11-20T12:00:03")
    assert "schema_version" not in body
    plain = crawl_health_action(stats.model_copy(update={"ok": True}), "i")["_source"]
    assert plain["status"] == "ok" and "source_kind" not in plain
