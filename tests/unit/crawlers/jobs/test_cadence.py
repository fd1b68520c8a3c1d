"""The adaptive poll interval: busy sources are polled often, quiet ones rarely, in bounds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from crawlers.jobs.cadence import Bounds, initial, interval, jittered, learn

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
BOUNDS = Bounds(base_s=300, min_s=60, max_s=3600, jitter_s=30)


def run(new_per_poll: list[int], every_s: float) -> float:
    cadence = initial(BOUNDS)
    now = T0
    for new in new_per_poll:
        cadence = learn(cadence, new, now)
        now += timedelta(seconds=every_s)
    return interval(cadence, BOUNDS)


def test_starts_at_the_base_interval() -> None:
    assert interval(initial(BOUNDS), BOUNDS) == 300


def test_a_busy_source_goes_to_the_minimum() -> None:
    assert run([20] + [3] * 30, 300) == 60  # ~1 article every 100 s


def test_a_quiet_source_goes_to_the_maximum() -> None:
    assert run([20] + [0] * 200, 300) == 3600


def test_a_moderate_source_lands_in_between() -> None:
    value = run([20] + [1, 0, 0, 0, 0, 0] * 20, 300)  # one article every 30 min
    assert 300 <= value <= 900


def test_jitter_stays_within_its_window() -> None:
    rng = random.Random(1)
    values = [jittered(300, 30, rng) for _ in range(200)]
    assert min(values) >= 270 and max(values) <= 330 and len(set(values)) > 100
    assert jittered(300, 0) == 300
