"""Waiting for a service's dependencies at start: capped exponential backoff with jitter.

Input: the dependencies a service needs (``Dependency``: a name, an address for the log, and
a probe that returns once the server answers and raises while it does not), a deadline in
seconds (0 = wait forever), and an injectable ``Clock`` (time, sleep, random draws), so tests
never sleep. Output: a list of ``Waited`` (attempts and seconds per dependency) once every
dependency answered, or ``DependencyTimeoutError`` naming the one that did not, with its last
error and what to check. While waiting it logs one line per failed attempt, e.g.
``waiting for Kafka at kafka:9092 (attempt 3, next try in 4.0 s): Connection refused``, and
passes what it waits for to ``on_wait`` (the readiness endpoint shows it).

The delays come from ``config.backoff`` (the project's one schedule). ``stop_on_signals``
turns SIGTERM/SIGINT into ``Stopped`` for the length of a wait, so a container stopped while
waiting exits at once, even in the middle of a probe or a sleep.
"""

from __future__ import annotations

import logging
import math
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from config.backoff import DEFAULT_BACKOFF, Backoff, backoff_delay

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 5.0  # one probe never takes longer (nor longer than the time left)
MIN_PROBE_S = 0.5


class ProbeError(ConnectionError):
    """A probe's failure whose message is the whole reason (logged as it is)."""


class DependencyTimeoutError(RuntimeError):
    """A dependency did not answer before the deadline."""


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived while waiting. A ``BaseException``, so that no probe's
    ``except Exception`` takes it for a failed attempt."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@dataclass(frozen=True)
class Dependency:
    """A server a service needs. ``probe(timeout_s)`` returns when it answers, else raises."""

    name: str
    address: str
    probe: Callable[[float], None]
    hint: str = ""


@dataclass(frozen=True)
class Waited:
    """How one dependency's wait went."""

    name: str
    address: str
    attempts: int
    seconds: float


@dataclass(frozen=True)
class Clock:
    """The wait's view of time; tests pass fakes."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    draw: Callable[[], float] = field(default=random.random)


SYSTEM_CLOCK = Clock()


def describe(exc: BaseException) -> str:
    """A short, one-line reason: the root ``OSError`` of the chain when there is one
    ("Connection refused", "Name or service not known"), else the exception itself."""
    if isinstance(exc, ProbeError):
        return str(exc)
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and (cause.strerror or str(cause)):
            return (cause.strerror or str(cause))[:300]
        cause = cause.__cause__ or cause.__context__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:300]


def wait_for(dependencies: Sequence[Dependency], timeout_s: float, *, clock: Clock = SYSTEM_CLOCK,
             policy: Backoff = DEFAULT_BACKOFF, probe_timeout_s: float = PROBE_TIMEOUT_S,
             on_wait: Callable[[str], None] = lambda what: None) -> list[Waited]:
    """Probe each dependency in turn until it answers; one deadline ``timeout_s`` after the
    start covers them all (0 = none). Raises ``DependencyTimeoutError`` when it passes."""
    deadline = clock.now() + timeout_s if timeout_s > 0 else math.inf
    return [_wait_one(dep, deadline, timeout_s, clock, policy, probe_timeout_s, on_wait)
            for dep in dependencies]


def _wait_one(dep: Dependency, deadline: float, timeout_s: float, clock: Clock,
              policy: Backoff, probe_timeout_s: float,
              on_wait: Callable[[str], None]) -> Waited:
    began, attempt = clock.now(), 0
    on_wait(f"waiting for {dep.name} at {dep.address}")
    while True:
        attempt += 1
        try:
            dep.probe(max(min(probe_timeout_s, deadline - clock.now()), MIN_PROBE_S))
        except Exception as exc:
            error = describe(exc)
        else:
            waited = Waited(dep.name, dep.address, attempt, clock.now() - began)
            if attempt > 1:
                log.info("%s at %s answered after %d attempts (%.1f s)", dep.name, dep.address,
                         attempt, waited.seconds, extra={"dependency": dep.name})
            return waited
        remaining = deadline - clock.now()
        if remaining <= 0:
            raise DependencyTimeoutError(
                _gave_up(dep, attempt, clock.now() - began, timeout_s, error))
        delay = min(backoff_delay(attempt, clock.draw(), policy), remaining)
        log.warning("waiting for %s at %s (attempt %d, next try in %.1f s): %s", dep.name,
                    dep.address, attempt, delay, error,
                    extra={"dependency": dep.name, "attempt": attempt, "paced": True,
                           "next_try_s": round(delay, 2)})
        clock.sleep(delay)


def _gave_up(dep: Dependency, attempts: int, seconds: float, timeout_s: float,
             error: str) -> str:
    hint = f" Check {dep.hint}." if dep.hint else ""
    return (f"gave up waiting for {dep.name} at {dep.address} after {attempts} attempts in "
            f"{seconds:.0f} s (deadline {timeout_s:g} s): {error}.{hint} To wait longer, raise "
            "CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S (0 = wait forever).")


@contextmanager
def stop_on_signals(signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """Within the block, the given signals raise ``Stopped``; the previous handlers come back
    afterwards. Outside the main thread (where Python cannot set handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
