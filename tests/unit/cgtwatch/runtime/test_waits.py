"""The start-up wait: the wait loop on a fake clock, reasons, signals.

Nothing here sleeps: the loop gets a fake clock whose ``sleep`` only moves its time on, and
probes that fail a given number of times.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import RemoteDisconnected

import pytest

from cgtwatch.runtime.waits import (
    MIN_PROBE_S,
    Clock,
    Dependency,
    DependencyTimeoutError,
    ProbeError,
    Stopped,
    describe,
    stop_on_signals,
    wait_for,
)
from config.backoff import Backoff

NO_JITTER = Backoff(jitter=0.0)


@dataclass
class FakeClock:
    """Time that moves only when the loop sleeps (or a probe says it took time)."""

    t: float = 1000.0
    draw: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def clock(self) -> Clock:
        return Clock(now=lambda: self.t, sleep=self.sleep, draw=lambda: self.draw)


@dataclass
class Flaky:
    """A probe that fails ``failures`` times, then answers; records each call."""

    clock: FakeClock
    failures: int
    cost_s: float = 0.0
    calls: list[tuple[float, float]] = field(default_factory=list)  # (time, timeout given)

    def __call__(self, timeout_s: float) -> None:
        self.calls.append((self.clock.t, timeout_s))
        self.clock.t += self.cost_s
        if len(self.calls) <= self.failures:
            raise ConnectionRefusedError(111, "Connection refused")


def kafka(probe: Callable[[float], None]) -> Dependency:
    return Dependency("Kafka", "kafka:9092", probe, "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS")


# ----------------------------------------------------------------------------------------------
# wait_for: the loop
# ----------------------------------------------------------------------------------------------
def test_waits_with_backoff_until_the_dependency_answers(caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    fake = FakeClock()
    probe, waiting = Flaky(fake, failures=3), list[str]()
    with caplog.at_level(logging.INFO, logger="cgtwatch.runtime.waits"):
        waited = wait_for([kafka(probe)], 300, clock=fake.clock(), on_wait=waiting.append)
    assert fake.sleeps == [1.0, 2.0, 4.0]
    assert [(w.name, w.address, w.attempts, w.seconds) for w in waited] == [
        ("Kafka", "kafka:9092", 4, 7.0)]
    assert waiting == ["waiting for Kafka at kafka:9092"]
    messages = [r.getMessage() for r in caplog.records]
    assert ("waiting for Kafka at kafka:9092 (attempt 3, next try in 4.0 s): Connection refused"
            in messages)
    assert messages[-1] == "Kafka at kafka:9092 answered after 4 attempts (7.0 s)"
    third = next(r for r in caplog.records if getattr(r, "attempt", None) == 3)
    assert (third.levelno, third.dependency, third.next_try_s) == (  # type: ignore[attr-defined]
        logging.WARNING, "Kafka", 4.0)


def test_a_dependency_that_answers_at_once_costs_one_probe_and_no_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeClock()
    probe = Flaky(fake, failures=0)
    with caplog.at_level(logging.DEBUG, logger="cgtwatch.runtime.waits"):
        assert wait_for([kafka(probe)], 300, clock=fake.clock())[0].attempts == 1
    assert fake.sleeps == [] and caplog.records == []


def test_gives_up_at_the_deadline_with_a_clear_error() -> None:
    fake = FakeClock()
    probe = Flaky(fake, failures=100)
    with pytest.raises(DependencyTimeoutError) as raised:
        wait_for([kafka(probe)], 10, clock=fake.clock(), policy=NO_JITTER)
    assert fake.sleeps == [1.0, 2.0, 4.0, 3.0]  # the last delay ends at the deadline
    assert [t for t, _ in probe.calls] == [1000.0, 1001.0, 1003.0, 1007.0, 1010.0]
    message = str(raised.value)
    assert message.startswith("gave up waiting for Kafka at kafka:9092 after 5 attempts in 10 s")
    for part in ("deadline 10 s", "Connection refused", "Check CGTWATCH_KAFKA__BOOTSTRAP_SERVERS",
                 "CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S (0 = wait forever)"):
        assert part in message


def test_zero_means_wait_forever_with_the_delay_capped() -> None:
    fake = FakeClock()
    probe = Flaky(fake, failures=200)
    waited = wait_for([kafka(probe)], 0, clock=fake.clock())
    assert waited[0].attempts == 201
    assert max(fake.sleeps) == 30.0 and fake.sleeps[-1] == 30.0
    assert fake.t - 1000.0 > 5000  # well past any default deadline


def test_one_deadline_covers_every_dependency_in_turn() -> None:
    fake = FakeClock()
    first, second = Flaky(fake, failures=3), Flaky(fake, failures=100)
    waiting: list[str] = []
    elastic = Dependency("Elasticsearch", "http://es:9200", second)
    with pytest.raises(DependencyTimeoutError, match="Elasticsearch at http://es:9200"):
        wait_for([kafka(first), elastic], 20, clock=fake.clock(), policy=NO_JITTER,
                 on_wait=waiting.append)
    assert fake.t == 1020.0  # 7 s for Kafka, the remaining 13 s for Elasticsearch
    assert fake.sleeps == [1.0, 2.0, 4.0, 1.0, 2.0, 4.0, 6.0]
    assert waiting == ["waiting for Kafka at kafka:9092",
                       "waiting for Elasticsearch at http://es:9200"]


def test_a_probe_gets_at_most_the_probe_timeout_and_the_time_left() -> None:
    fake = FakeClock()
    probe = Flaky(fake, failures=100, cost_s=2.0)  # each probe takes 2 s of the budget
    with pytest.raises(DependencyTimeoutError):
        wait_for([kafka(probe)], 12, clock=fake.clock(), policy=NO_JITTER, probe_timeout_s=5)
    timeouts = [timeout for _, timeout in probe.calls]
    assert timeouts[0] == 5.0
    assert timeouts[-1] == MIN_PROBE_S  # called at the deadline: the minimum, never <= 0
    assert all(MIN_PROBE_S <= t <= 5.0 for t in timeouts)


def test_a_stop_is_not_a_failed_attempt() -> None:
    fake = FakeClock()

    def stopped(timeout_s: float) -> None:
        raise Stopped(signal.SIGTERM)

    with pytest.raises(Stopped):
        wait_for([kafka(stopped)], 300, clock=fake.clock())
    assert fake.sleeps == []


# ----------------------------------------------------------------------------------------------
# describe: one-line reasons
# ----------------------------------------------------------------------------------------------
def test_describe_finds_the_root_socket_error() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as exc:
            raise RuntimeError("Connection error caused by: NewConnectionError(...)") from exc
    except RuntimeError as outer:
        assert describe(outer) == "Connection refused"
    try:
        try:
            raise RemoteDisconnected("Remote end closed connection without response")
        except OSError as exc:
            raise RuntimeError("Connection error") from exc
    except RuntimeError as outer:
        assert describe(outer) == "Remote end closed connection without response"


def test_describe_other_errors_on_one_short_line() -> None:
    assert describe(ProbeError("kafka:9092: Name or service not known")) == (
        "kafka:9092: Name or service not known")
    assert describe(ValueError("first line\nsecond line")) == "ValueError: first line"
    assert describe(TimeoutError()) == "TimeoutError"
    assert len(describe(RuntimeError("x" * 1000))) == 300


# ----------------------------------------------------------------------------------------------
# stop_on_signals: SIGTERM ends a wait at once
# ----------------------------------------------------------------------------------------------
def test_sigterm_inside_the_block_raises_stopped_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    began = time.monotonic()
    with pytest.raises(Stopped) as raised, stop_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # interrupted at once by the handler
    assert time.monotonic() - began < 5
    assert raised.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_stops_a_real_wait_in_its_sleep() -> None:
    def refused(timeout_s: float) -> None:  # the signal comes while the loop sleeps (8-10 s)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        raise ProbeError("refused")

    began = time.monotonic()
    with pytest.raises(Stopped), stop_on_signals():
        wait_for([kafka(refused)], 300, policy=Backoff(first_s=10.0))
    assert time.monotonic() - began < 5


def test_outside_the_main_thread_the_handlers_are_left_alone() -> None:
    seen: list[object] = []

    def run() -> None:
        with stop_on_signals():
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before]
