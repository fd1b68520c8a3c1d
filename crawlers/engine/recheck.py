"""When a known article is fetched again to look for edits, and when a list page is (pure).

Input: an article's first-seen and last-checked times, the re-check ages (seconds after first
seen; default 1 h, 6 h, 1 d, 3 d, 7 d; ``CGTWATCH_CRAWLER__RECHECK_AGES_S``) and now.
Output: whether a re-check is due (the last check happened before the latest age the article
has reached), and the next time one will be (for a list page: the earliest over its links).
Only the articles on the first list page are re-checked; after the last age, never again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

DEFAULT_AGES_S: tuple[int, ...] = (3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400)


def parse_time(value: str | None) -> datetime | None:
    """An ISO time from the seen-store, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def recheck_due(first_seen: datetime, last_checked: datetime | None, now: datetime,
                ages_s: Sequence[float] = DEFAULT_AGES_S) -> bool:
    """True when the article reached a re-check age after it was last checked."""
    reached = [age for age in ages_s if first_seen + timedelta(seconds=age) <= now]
    if not reached:
        return False
    milestone = first_seen + timedelta(seconds=max(reached))
    return last_checked is None or last_checked < milestone


def next_recheck(first_seen: datetime, now: datetime,
                 ages_s: Sequence[float] = DEFAULT_AGES_S) -> datetime | None:
    """The first re-check age still ahead of ``now`` (None after the last one)."""
    ahead = [first_seen + timedelta(seconds=age) for age in ages_s]
    future = [when for when in ahead if when > now]
    return min(future) if future else None


def earliest(times: Iterable[datetime | None]) -> datetime | None:
    """The earliest of some times (None when there are none)."""
    present = [t for t in times if t is not None]
    return min(present) if present else None
