"""The live view of ``cgtwatch up``: what it reads from the pipeline's records, what it draws,
and the event lines of ``--no-tui``."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from cgtwatch.devstack.observe import (
    Alert,
    Crawl,
    Snapshot,
    alert_from,
    cause_of,
    channel_state,
    crawl_from,
    group_sources,
    total,
)
from cgtwatch.devstack.view import events, render

T = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
LONG_ID = "gz-huangpu-kj-very-long-source-identifier-that-must-not-be-cut"
ZH_TITLE = "广东省卫生健康委员会关于开展2026年度干细胞临床研究项目备案工作的通知"


def crawl(job: str, sid: str, ok: bool, cause: str = "3 links, 1 new, 2 unchanged") -> Crawl:
    return Crawl(job, sid, "government", ok, cause, T, 1)


def snapshot(**fields: object) -> Snapshot:
    base: dict[str, object] = {"counts": {"published": 3, "classified": 3, "indexed": 2,
                                          "alerted": 1, "dead letters": 0}}
    return Snapshot(**{**base, **fields})  # type: ignore[arg-type]


def test_a_crawl_says_its_cause() -> None:
    assert cause_of({"ok": False, "error": "HTTP 404 on the list page\ntrace"}) \
        == "HTTP 404 on the list page"
    assert cause_of({"ok": False, "cause": "blocked: 403", "error": "x"}) == "blocked: 403"
    assert cause_of({"ok": True, "links_found": 5, "articles_published": 2,
                     "articles_unchanged": 3}) == "5 links, 2 new, 3 unchanged"
    found = crawl_from({"job_id": "j", "source_id": "a", "ok": True,
                        "finished_at": "2026-12-03T23:00:00Z"}, {"a": "ftz"})
    assert found.kind == "ftz" and found.finished_at == T


def test_sources_are_grouped_by_kind_with_their_last_crawl_and_problems() -> None:
    kinds = {"a": "government", "b": "government", "c": "university", "d": "university"}
    health = {"a": {"health": "healthy"}, "b": {"health": "unhealthy", "reason": "3 failures"},
              "c": {"health": "healthy"}}
    crawls = [crawl("2", "b", False, "HTTP 404"), crawl("1", "a", True)]
    gov, uni = group_sources(kinds, health, crawls)
    assert (gov.kind, gov.sources, gov.healthy, gov.unhealthy, gov.never) == (
        "government", 2, 1, 1, 0)
    assert gov.last is not None and gov.last.source_id == "b"  # the newest crawl
    assert gov.problems == [("b", "3 failures")]
    assert (uni.never, uni.last) == (1, None)


def test_channel_state_from_the_latest_delivery() -> None:
    assert channel_state([]) == "idle"
    assert channel_state([{"status": "sent"}, {"status": "failed"}]) == "ok"
    assert channel_state([{"status": "failed", "error": "HTTP 500"}]) == "failing"
    assert channel_state([{"status": "retrying", "attempts": 2, "error": "429"}]) == "retrying"
    assert channel_state([{"status": "queued", "attempts": 1, "error": "refused"}]) == "retrying"
    assert channel_state([{"status": "queued"},
                          {"status": "retrying", "attempts": 3}]) == "retrying"
    assert channel_state([{"status": "queued"}, {"status": "sent", "attempts": 1}]) == "ok"
    assert channel_state([{"status": "silenced"}]) == "idle"


def test_alert_rows_carry_title_labels_and_channel() -> None:
    found = alert_from({"key": "k", "status": "sent", "title": ZH_TITLE, "channel": "slack",
                        "rule": "r", "sent_at": "2026-12-03T23:00:00+00:00",
                        "labels": ["cell_therapy"]})
    assert (found.title, found.labels, found.channel, found.at) == (
        ZH_TITLE, ["cell_therapy"], "slack", T)


def test_metric_totals_filter_by_label() -> None:
    samples = {"m_total": [({"outcome": "classified"}, 3.0), ({"outcome": "duplicate"}, 2.0)]}
    assert total(samples, "m_total") == 5 and total(samples, "m_total", outcome="classified") == 3


def test_events_are_new_crawls_alerts_channel_changes_and_dead_letters() -> None:
    first = snapshot(crawls=[crawl("1", "a", True)], channels={"slack": "ok"})
    second = snapshot(
        crawls=[crawl("2", "b", False, "HTTP 404 on the list page"), crawl("1", "a", True)],
        channels={"slack": "failing"},
        alerts=[Alert("k", T, ZH_TITLE, ["cell_therapy"], "slack", "r", "sent")],
        counts={"dead letters": 2})
    assert events(first, second) == [
        "crawl b FAILED: HTTP 404 on the list page",
        f"alert → slack [cell_therapy] {ZH_TITLE}",
        "channel slack failing",
        "dead letters: 2 (cgtwatch deadletter list)"]
    assert events(second, second) == []
    assert events(None, first) == ["crawl a ok: 3 links, 1 new, 2 unchanged", "channel slack ok"]


def test_the_view_at_80_columns_keeps_ids_whole_and_wraps_wide_titles() -> None:
    from cgtwatch.devstack.observe import SourceGroup

    group = SourceGroup("government", 2, 1, 1, 0, crawl("1", LONG_ID, False, "HTTP 404"),
                        [(LONG_ID, "3 failures in a row")])
    snap = snapshot(groups=[group], crawls=[crawl("1", LONG_ID, False)], queued=3,
                    alerts=[Alert("k", T, ZH_TITLE, ["cell_therapy"], "slack", "r", "sent")],
                    channels={"slack": "ok"}, lag={"cgtwatch-indexer": 4})
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render(snap, Table(), "header"))
    text = out.getvalue()
    flat = "".join(text.replace("│", "").split())
    assert LONG_ID in flat and "".join(ZH_TITLE.split()) in flat  # wrapped, never cropped
    assert "…" not in text
    for words in ("3queued", "1failed", "3published", "2indexed", "1alerted", "deadletters0",
                  "cgtwatch-indexer4", "slackok", "23:00:00UTC", "cell_therapy"):
        assert words in flat, words
