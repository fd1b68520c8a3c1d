"""Digest windows, quiet hours and rate limits decide: send now or queue, and until when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.schedule import decide, next_fire, quiet_end, window_stamp, window_title
from config.rules import QuietHours, RateLimit, Rule, Schedule

NOON_SHANGHAI = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai


@pytest.mark.parametrize(("cron", "expected"), [
    ("hourly", datetime(2026, 11, 18, 5, 0, tzinfo=UTC)),
    ("daily", datetime(2026, 11, 19, 0, 0, tzinfo=UTC)),      # 08:00 next day, Shanghai
    ("weekly", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),     # Monday 08:00, Shanghai
    ("*/15 * * * *", datetime(2026, 11, 18, 4, 15, tzinfo=UTC)),
])
def test_presets_and_crontabs_in_the_default_zone(cron: str, expected: datetime) -> None:
    assert next_fire(Schedule(cron=cron), NOON_SHANGHAI) == expected


def test_schedule_in_another_zone() -> None:
    daily_berlin = Schedule(cron="0 9 * * *", timezone="Europe/Berlin")
    assert next_fire(daily_berlin, NOON_SHANGHAI) == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)


def test_a_fire_time_exactly_now_means_the_next_one() -> None:
    at = datetime(2026, 11, 18, 5, 0, tzinfo=UTC)
    assert next_fire(Schedule(cron="hourly"), at) == datetime(2026, 11, 18, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(("start", "end", "utc_hour", "end_utc"), [
    ("22:00", "07:00", 15, datetime(2026, 11, 18, 23, 0, tzinfo=UTC)),  # 23:00 local
    ("22:00", "07:00", 20, datetime(2026, 11, 18, 23, 0, tzinfo=UTC)),  # 04:00 local
    ("22:00", "07:00", 4, None),                                        # noon
    ("12:00", "13:30", 4, datetime(2026, 11, 18, 5, 30, tzinfo=UTC)),   # same-day span
    ("12:00", "12:00", 4, None),                                        # empty span
])
def test_quiet_hours(start: str, end: str, utc_hour: int, end_utc: datetime | None) -> None:
    now = datetime(2026, 11, 18, utc_hour, 0, tzinfo=UTC)
    assert quiet_end(QuietHours(start=start, end=end), now) == end_utc


def rule(**fields: object) -> Rule:
    return Rule.model_validate({"name": "r", "channels": ["c"], **fields})


def test_immediate_rule_sends_now() -> None:
    assert decide(rule(), NOON_SHANGHAI).now


def test_digest_rule_queues_for_the_next_window() -> None:
    decision = decide(rule(mode="digest", digest={"cron": "hourly"}), NOON_SHANGHAI)
    assert decision.reason == "digest"
    assert decision.due_at == datetime(2026, 11, 18, 5, 0, tzinfo=UTC)
    assert decision.window == "digest-20261118T0500Z"


def test_digest_rule_defaults_to_daily() -> None:
    decision = decide(rule(mode="digest"), NOON_SHANGHAI)
    assert decision.due_at == datetime(2026, 11, 19, 0, 0, tzinfo=UTC)


def test_quiet_hours_hold_until_they_end() -> None:
    quiet = rule(quiet_hours={"start": "11:00", "end": "13:00"})
    decision = decide(quiet, NOON_SHANGHAI)
    assert (decision.reason, decision.window) == ("quiet_hours", "quiet-20261118T0500Z")
    assert decision.due_at == datetime(2026, 11, 18, 5, 0, tzinfo=UTC)


def test_rate_limit_overflow_joins_the_next_digest() -> None:
    limited = rule(rate_limit={"max": 2, "per": "hour"})
    assert decide(limited, NOON_SHANGHAI, sent_recently=1).now
    decision = decide(limited, NOON_SHANGHAI, sent_recently=2)
    assert decision.reason == "rate_limit"
    assert decision.due_at == datetime(2026, 11, 18, 5, 0, tzinfo=UTC)  # hourly by default
    assert RateLimit(max=1, per="day").seconds == 86400


def test_window_titles_are_local_times() -> None:
    r = rule(mode="digest", quiet_hours={"start": "22:00", "end": "07:00"})
    assert window_title(r, "digest-20261119T0000Z") == (
        "r digest, 2026-11-19 08:00 (Asia/Shanghai)")
    assert window_title(r, "quiet-20261118T2300Z").startswith("r held during quiet hours, "
                                                              "2026-11-19 07:00")
    assert window_title(r, "digest-x+y") == "r: digest-x+y"
    assert window_stamp(NOON_SHANGHAI) == "20261118T0400Z"


def test_the_kept_fire_time_is_the_one_the_crontab_gives_at_any_later_time() -> None:
    schedule = Schedule(cron="*/15 * * * *")
    fire = datetime(2026, 11, 18, 4, 15, tzinfo=UTC)
    times = [NOON_SHANGHAI + timedelta(seconds=s) for s in
             (0, 300, 898, 899, 900, 901, 60, 2000, 1799, 1800, 0)]
    for now in times:
        fresh = schedule.trigger().get_next_fire_time(None, now + timedelta(seconds=1))
        assert next_fire(schedule, now) == fresh.astimezone(UTC)
    assert next_fire(schedule, fire - timedelta(seconds=1)) == fire
    assert next_fire(schedule, fire - timedelta(microseconds=1)) == fire + timedelta(minutes=15)


def test_the_default_schedules_are_built_once() -> None:
    hourly = rule()
    assert hourly.schedule is rule(rate_limit={"max": 2}).schedule
    assert hourly.schedule == Schedule(cron="hourly")
    assert rule(mode="digest").schedule == Schedule(cron="daily")
