"""The one duration parser (``config.durations``): units, decimals, spaces, errors with
examples, timedeltas and the whole positive seconds of schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config.durations import parse_duration, parse_seconds, whole_seconds


@pytest.mark.parametrize(("text", "expected"), [
    ("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("2w", 1209600), ("1.5h", 5400),
    (" 12 h ", 43200), ("0s", 0)])
def test_seconds_of_a_number_and_a_unit(text: str, expected: float) -> None:
    assert parse_seconds(text) == expected


@pytest.mark.parametrize("text", ["2 hours", "7 days", "soon", "", "30", "-5m", "1M", "3y",
                                  "1.h", "2H"])
def test_anything_else_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a duration: use a number and a unit .*e\.g\. 90s"):
        parse_seconds(text)


def test_a_duration_as_a_timedelta() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("2w") == timedelta(weeks=2)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("7 days")


def test_whole_seconds_of_a_schedule_are_more_than_zero() -> None:
    assert [whole_seconds(v) for v in ("90s", "30m", " 6h", "1.5m")] == [90, 1800, 21600, 90]
    for zero in ("0s", "00h", "0 d"):
        with pytest.raises(ValueError, match="must be more than zero"):
            whole_seconds(zero)
    with pytest.raises(ValueError, match="whole number of seconds"):
        whole_seconds("0.5s")
    with pytest.raises(ValueError, match="number and a unit"):
        whole_seconds("soon")
