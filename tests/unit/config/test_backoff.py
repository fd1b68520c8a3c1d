"""The one retry schedule (``config.backoff``): doubling, the cap, jitter, no overflow."""

from __future__ import annotations

import pytest

from config.backoff import Backoff, backoff_delay, delays

NO_JITTER = Backoff(jitter=0.0)


def test_the_schedule_doubles_from_one_second_up_to_the_cap() -> None:
    found = [backoff_delay(n, 0.0) for n in range(1, 9)]
    assert found == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_jitter_only_shortens_a_delay_by_up_to_its_fraction() -> None:
    for attempt in range(1, 12):
        base = backoff_delay(attempt, 0.0)
        for draw in (0.0, 0.25, 0.5, 0.999, 1.0):
            delay = backoff_delay(attempt, draw)
            assert 0.8 * base <= delay <= base <= 30.0
    assert backoff_delay(3, 0.5) == pytest.approx(4.0 * 0.9)
    assert backoff_delay(3, 0.5, NO_JITTER) == 4.0


def test_draws_outside_zero_to_one_are_clamped() -> None:
    assert backoff_delay(2, -3.0) == 2.0
    assert backoff_delay(2, 7.0) == pytest.approx(2.0 * 0.8)


def test_a_policy_of_its_own_and_no_overflow_when_waiting_forever() -> None:
    policy = Backoff(first_s=0.5, factor=3.0, cap_s=10.0, jitter=0.0)
    assert [backoff_delay(n, 0.7, policy) for n in (1, 2, 3, 4)] == [0.5, 1.5, 4.5, 10.0]
    assert backoff_delay(10**6, 0.0) == 30.0
    with pytest.raises(ValueError, match="from 1"):
        backoff_delay(0, 0.0)


def test_a_zero_first_delay_never_waits() -> None:
    assert delays(Backoff(first_s=0.0, cap_s=30.0), 4, 0.5) == [0.0, 0.0, 0.0, 0.0]


def test_delays_lists_the_first_attempts() -> None:
    assert delays(Backoff(first_s=0.5, cap_s=3.0, jitter=0.0), 5) == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert delays(NO_JITTER, 0) == []
