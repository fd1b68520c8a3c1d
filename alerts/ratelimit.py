"""How many immediate alerts a rule has had on a channel within its rate-limit period.

Input: the alert history (``count_recent`` and ``oldest_recent``, see ``alerts.history``) and
the current time. Output: the count that ``alerts.schedule.decide`` compares with the limit,
read from the history, so it holds across restarts and across alerters.

A limit found used up stays used up at least until the oldest alert it counted leaves the
period: records are never deleted, and their creation time only moves later (a manual
``alerts retry``), so until then the count can only be the same or higher. Until that time the
count is not read again: every batch read it once per rule and channel, and the local server
answers a count by scanning the whole alert history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from config.rules import Rule

T = TypeVar("T")


class Retrying(Protocol):
    """Runs a request again while Elasticsearch cannot be reached (``until_es_answers``)."""

    def __call__(self, op: Callable[[], Awaitable[T]], what: str) -> Awaitable[T]: ...


class RecentAlerts(Protocol):
    async def count_recent(self, rule: str, channel: str, since: datetime) -> int: ...

    async def oldest_recent(self, rule: str, channel: str, since: datetime
                            ) -> datetime | None: ...


class RateCounts:
    """Reads the counts; remembers until when each used-up limit is certainly still used up."""

    def __init__(self, ledger: RecentAlerts, retrying: Retrying) -> None:
        self.ledger, self.retrying = ledger, retrying
        self.used_up_until: dict[tuple[str, str], datetime] = {}

    async def sent_recently(self, rule: Rule, channel: str, now: datetime) -> int:
        """Immediate alerts of ``rule`` on ``channel`` within the period before ``now``; the
        limit itself, without asking, while it is known to be used up."""
        assert rule.rate_limit is not None
        limit, key = rule.rate_limit, (rule.name, channel)
        if now < self.used_up_until.get(key, now):
            return limit.max
        period = timedelta(seconds=limit.seconds)
        since = now - period
        count = await self.retrying(
            lambda: self.ledger.count_recent(rule.name, channel, since), "count")
        if count >= limit.max:
            oldest = await self.retrying(
                lambda: self.ledger.oldest_recent(rule.name, channel, since), "count")
            if oldest is not None:
                self.used_up_until[key] = oldest + period
        return count
