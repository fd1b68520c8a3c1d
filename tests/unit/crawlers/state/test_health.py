"""Source health decisions: empty lists and repeated failures make a source unhealthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config.contracts.crawl import CrawlStats, SourceHealth
from crawlers.state.health import is_empty, next_health

T0 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def stats(ok: bool = True, links: int = 5, published: int = 2, n: int = 0,
          **extra: Any) -> CrawlStats:
    return CrawlStats(job_id=f"j{n}", source_id="s", worker="w", ok=ok,
                      started_at=T0 + timedelta(hours=n), error=None if ok else "boom",
                      finished_at=T0 + timedelta(hours=n, minutes=1), list_pages=1,
                      links_found=links, articles_published=published, **extra)


def test_first_good_crawl_is_healthy_without_event() -> None:
    state, event = next_health(None, stats(), fail_after=3)
    assert state.health == "healthy" and event is None
    assert state.last_success == state.last_run == stats().finished_at
    assert (state.last_new_items, state.new_items_total, state.consecutive_failures) == (2, 2, 0)


def test_empty_list_is_unhealthy_at_once_with_an_event() -> None:
    state, event = next_health(None, stats(links=0, published=0), fail_after=3)
    assert state.health == "unhealthy" and "no article links" in state.reason
    assert state.last_success is None
    assert event is not None and event.kind == "source_unhealthy" and event.subject == "s"
    assert event.severity == "error"


def test_not_modified_list_is_not_empty() -> None:
    quiet = stats(links=0, published=0, not_modified=1)
    assert not is_empty(quiet)
    state, event = next_health(None, quiet, fail_after=3)
    assert state.health == "healthy" and event is None


def test_failures_count_up_to_the_threshold() -> None:
    state, _ = next_health(None, stats(), 3)
    for n in (1, 2):
        state, event = next_health(state, stats(ok=False, n=n), 3)
        assert state.health == "healthy" and event is None
        assert state.consecutive_failures == n and state.last_error == "boom"
    state, event = next_health(state, stats(ok=False, n=3), 3)
    assert state.health == "unhealthy" and state.consecutive_failures == 3
    assert event is not None and "3 failed crawls in a row" in event.message
    again, repeat = next_health(state, stats(ok=False, n=4), 3)
    assert again.health == "unhealthy" and repeat is None  # one event per transition


def test_recovery_resets_failures_and_emits_info_event() -> None:
    sick = SourceHealth(source_id="s", health="unhealthy", consecutive_failures=5,
                        new_items_total=10)
    state, event = next_health(sick, stats(published=3), 3)
    assert (state.health, state.consecutive_failures, state.new_items_total) == (
        "healthy", 0, 13)
    assert event is not None and event.kind == "source_recovered" and event.severity == "info"


def test_unknown_source_failing_once_stays_unknown() -> None:
    state, event = next_health(None, stats(ok=False), 3)
    assert state.health == "unknown" and event is None
