"""How often to poll a source: its interval learned from its publication rate (pure).

Input: the source's schedule (base interval, bounds, jitter), what the previous crawls found
(new articles and when) and now. Output: the next interval. A source is polled about
``POLLS_PER_GAP`` times per mean gap between its new articles, within its ``min``/``max``
bounds: a busy column that publishes every few minutes is polled every minute or two, a quiet
one reaches its ``max`` (e.g. hourly). The mean gap is an exponentially weighted estimate;
a long silence stretches it. Jitter spreads polls of sources with equal intervals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

POLLS_PER_GAP = 4.0
ALPHA = 0.3  # weight of the newest observation in the mean gap


@dataclass(frozen=True, slots=True)
class Bounds:
    """A source's interval: the base (first polls), its bounds and the jitter, in seconds."""

    base_s: float
    min_s: float
    max_s: float
    jitter_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Cadence:
    """What is learned about one source: the mean gap between new articles, the last crawl
    and the last time a crawl found something new."""

    gap_s: float
    last_crawl: datetime | None = None
    last_new: datetime | None = None


def initial(bounds: Bounds) -> Cadence:
    """Before any crawl: a gap that gives the base interval."""
    return Cadence(gap_s=bounds.base_s * POLLS_PER_GAP)


def learn(cadence: Cadence, new_articles: int, now: datetime) -> Cadence:
    """Fold one finished crawl into the estimate (the first crawl only sets the clock)."""
    if cadence.last_crawl is None:
        return Cadence(cadence.gap_s, now, now if new_articles else cadence.last_new)
    elapsed = max((now - cadence.last_crawl).total_seconds(), 0.0)
    gap = cadence.gap_s
    if new_articles > 0:
        since = (now - cadence.last_new).total_seconds() if cadence.last_new else elapsed
        gap = ALPHA * (max(since, elapsed) / new_articles) + (1 - ALPHA) * gap
        return Cadence(gap, now, now)
    silent = (now - (cadence.last_new or cadence.last_crawl)).total_seconds()
    if silent > gap:  # a silence longer than the mean gap: the source slowed down
        gap = ALPHA * silent + (1 - ALPHA) * gap
    return Cadence(gap, now, cadence.last_new)


def interval(cadence: Cadence, bounds: Bounds) -> float:
    """Seconds until the next poll, without jitter."""
    return min(max(cadence.gap_s / POLLS_PER_GAP, bounds.min_s), bounds.max_s)


def jittered(seconds: float, jitter_s: float, rng: random.Random | None = None) -> float:
    """``seconds`` moved by up to ``jitter_s`` either way (never below a tenth of it)."""
    if jitter_s <= 0:
        return seconds
    shift = (rng or random).uniform(-jitter_s, jitter_s)
    return max(seconds + shift, seconds / 10)
