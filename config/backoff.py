"""The one retry schedule of cgtwatch: capped exponential backoff with optional jitter.

Input: a ``Backoff`` policy (first delay, growth factor, cap, jitter fraction), the number of
the failed attempt (1-based) and a random draw in [0, 1). Output: the seconds to wait before
the next attempt. Pure: no clock, no sleep, no random source of its own; every retry loop of
the project (start-up waits, handler retries, Elasticsearch and Kafka writes, channel
deliveries, crawler retries, dev-stack restarts) computes its delays here and keeps only its
own rules of which failures to retry, how often, and whether a server's ``Retry-After`` wins.
"""

from __future__ import annotations

from dataclasses import dataclass

_MAX_EXPONENT = 64  # retrying forever: attempts grow without bound, the delay must not overflow


@dataclass(frozen=True)
class Backoff:
    """The retry schedule: ``first_s``, multiplied by ``factor`` per attempt, at most ``cap_s``;
    each delay is shortened by a random part of up to ``jitter`` of itself (0 = none)."""

    first_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0
    jitter: float = 0.2


DEFAULT_BACKOFF = Backoff()


def backoff_delay(attempt: int, draw: float, policy: Backoff = DEFAULT_BACKOFF) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based), given a random ``draw`` in
    [0, 1): ``min(cap_s, first_s * factor ** (attempt - 1)) * (1 - jitter * draw)``. The
    jitter keeps replicas that started together from retrying in step; it only shortens a
    delay, so the cap holds. Pure."""
    if attempt < 1:
        raise ValueError(f"attempts count from 1, got {attempt}")
    base = min(policy.cap_s, policy.first_s * policy.factor ** min(attempt - 1, _MAX_EXPONENT))
    return float(base * (1.0 - policy.jitter * min(max(draw, 0.0), 1.0)))


def delays(policy: Backoff, count: int, draw: float = 0.0) -> list[float]:
    """The first ``count`` delays of ``policy`` (attempts 1 to ``count``), all with ``draw``."""
    return [backoff_delay(attempt, draw, policy) for attempt in range(1, count + 1)]
