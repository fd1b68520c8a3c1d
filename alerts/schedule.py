"""Pure timing decisions for alerts: digest windows, quiet hours and rate limits.

Input: a ``Rule``, the current time and how many immediate alerts the rule already sent on a
channel within its rate-limit period. Output: a ``Decision``: send now, or queue the alert for
a window (a digest key part and the time it is due). Quiet hours hold immediate alerts until
they end, then the held alerts go out as one digest; the excess over a rate limit joins the
rule's next scheduled digest (hourly unless the rule sets ``digest``). Nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from config.rules import QuietHours, Rule, Schedule

Reason = Literal["now", "digest", "quiet_hours", "rate_limit"]


@dataclass(frozen=True)
class Decision:
    reason: Reason
    window: str = ""
    due_at: datetime | None = None

    @property
    def now(self) -> bool:
        return self.reason == "now"


def window_stamp(at: datetime) -> str:
    """A stable UTC stamp naming a window, e.g. ``20261118T0000Z``."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


@lru_cache(maxsize=64)
def _trigger(schedule: Schedule) -> CronTrigger:
    """``schedule``'s trigger, built once: parsing the crontab was a sixth of the alerter's
    CPU in a burst (a decision per article and channel)."""
    return schedule.trigger()


_last_fire: dict[Schedule, tuple[datetime, datetime]] = {}


def next_fire(schedule: Schedule, now: datetime) -> datetime:
    """The first fire time of ``schedule`` at or after one second past ``now`` (an aware
    datetime). The last answer of each schedule is kept: it holds for any later ``now`` up to
    a second before it (no fire time lies between), as for a burst's decisions."""
    asked, fire = _last_fire.get(schedule, (now, now))
    if asked <= now and now + timedelta(seconds=1) <= fire:
        return fire
    found = _trigger(schedule).get_next_fire_time(None, now + timedelta(seconds=1))
    assert found is not None, "a crontab always fires again"
    result: datetime = found.astimezone(UTC)
    _last_fire[schedule] = (now, result)
    return result


def quiet_end(quiet: QuietHours, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end, or ``None`` outside quiet hours."""
    zone = ZoneInfo(quiet.timezone)
    local = now.astimezone(zone)
    start, end = quiet.times()
    t = local.time().replace(tzinfo=None)
    if start == end:
        return None
    spans_midnight = start > end
    inside = (t >= start or t < end) if spans_midnight else (start <= t < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if spans_midnight and t >= start else local.date()
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


def decide(rule: Rule, now: datetime, sent_recently: int = 0) -> Decision:
    """Send now or queue, and for which window (see the module docstring)."""
    if rule.mode == "digest":
        due = next_fire(rule.schedule, now)
        return Decision("digest", f"digest-{window_stamp(due)}", due)
    if rule.quiet_hours is not None:
        end = quiet_end(rule.quiet_hours, now)
        if end is not None:
            return Decision("quiet_hours", f"quiet-{window_stamp(end)}", end)
    if rule.rate_limit is not None and sent_recently >= rule.rate_limit.max:
        due = next_fire(rule.schedule, now)
        return Decision("rate_limit", f"digest-{window_stamp(due)}", due)
    return Decision("now")


def window_title(rule: Rule, window: str) -> str:
    """A human title for a digest window, in the schedule's time zone."""
    kind, _, stamp = window.partition("-")
    try:
        at = datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return f"{rule.name}: {window}"
    zone = rule.quiet_hours.timezone if kind == "quiet" and rule.quiet_hours else (
        rule.schedule.timezone)
    local = at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    what = "held during quiet hours" if kind == "quiet" else "digest"
    return f"{rule.name} {what}, {local} ({zone})"
