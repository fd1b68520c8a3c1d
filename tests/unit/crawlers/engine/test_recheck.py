"""The re-check schedule by age: due once per age reached, never before the first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawlers.engine.recheck import earliest, next_recheck, parse_time, recheck_due

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_not_due_before_the_first_age() -> None:
    assert not recheck_due(T0, T0, T0 + 0.5 * H)


def test_due_once_per_age_reached() -> None:
    assert recheck_due(T0, T0, T0 + 1.1 * H)
    assert not recheck_due(T0, T0 + 1.1 * H, T0 + 2 * H)  # checked after the 1 h age
    assert recheck_due(T0, T0 + 1.1 * H, T0 + 6.5 * H)  # the 6 h age
    assert recheck_due(T0, None, T0 + 30 * H)


def test_never_after_the_last_age_was_checked() -> None:
    assert not recheck_due(T0, T0 + 8 * 24 * H, T0 + 30 * 24 * H)


def test_custom_ages() -> None:
    assert recheck_due(T0, T0, T0 + timedelta(seconds=61), ages_s=(60,))
    assert not recheck_due(T0, T0, T0 + timedelta(seconds=59), ages_s=(60,))


def test_next_recheck_and_earliest() -> None:
    assert next_recheck(T0, T0) == T0 + H
    assert next_recheck(T0, T0 + 2 * H) == T0 + 6 * H
    assert next_recheck(T0, T0 + 8 * 24 * H) is None
    assert earliest([None, T0 + H, T0]) == T0
    assert earliest([None]) is None


def test_parse_time() -> None:
    assert parse_time(T0.isoformat()) == T0
    assert parse_time("") is None and parse_time("soon") is None
