"""``cgtwatch up``: start the stack and keep a live view of it until Ctrl-C.

Input: ``Settings``, the refresh period and whether to draw the full-screen view. Output: the
stack running (``cgtwatch.devstack.stack``); on a terminal a ``rich.live`` view
(``cgtwatch.devstack.view``) redrawn every ``refresh`` seconds; with ``--no-tui`` one
timestamped line per event (a crawl and its cause, an alert, a channel or service change)
for logs. Ctrl-C or SIGTERM stops the services first and the local servers last.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from types import FrameType

from rich.console import Console

from cgtwatch.devstack.observe import Observer, Snapshot
from cgtwatch.devstack.stack import Stack
from cgtwatch.devstack.view import events, render, stamp
from config.settings import Settings


class Stop:
    """Set by SIGINT/SIGTERM; the loop notices it within a tenth of a second."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def _set(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(0.1)


def restarts(stack: Stack, restarted: list[str]) -> list[str]:
    lines = []
    for name in restarted:
        child = stack.supervisor.children[name]
        lines.append(f"service {name} restarted (exit {child.last_exit}): {child.last_line()}")
    return lines


def header(settings: Settings, stack: Stack) -> str:
    """The banner of ``cgtwatch up`` (no credentials in the addresses)."""
    return (f"cgtwatch is up: Kafka {settings.kafka_bootstrap}, Elasticsearch "
            f"{settings.elastic_address}, logs in {stack.log_dir}. Ctrl-C stops.")


def reconciled(console: Console, stack: Stack) -> None:
    """After an unclean stop of the local servers, what reconcile brought back."""
    if stack.reconciled is not None:
        from cgtwatch.cli.reconcile import summary

        console.print(f"the local servers had been killed; reconciled: "
                      f"{summary(stack.reconciled)}", soft_wrap=True, highlight=False)
    if stack.reconcile_error:
        console.print(stack.reconcile_error, soft_wrap=True, markup=False)


def run_up(console: Console, settings: Settings, refresh: float, tui: bool) -> float:
    """Run until stopped; returns the seconds the stop took."""
    stack, stop = Stack(settings), Stop()
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    reconciled(console, stack)
    observer = Observer(settings, stack.es, stack.health_ports)
    try:
        if tui:
            _live(console, settings, stack, observer, stop, refresh)
        else:
            _lines(console, settings, stack, observer, stop, refresh)
    finally:
        console.print("stopping: services first, then the local servers …", highlight=False)
        started = time.monotonic()
        stack.stop()
        took = time.monotonic() - started
        console.print(f"stopped in {took:.1f}s.", highlight=False)
    return took


def _live(console: Console, settings: Settings, stack: Stack, observer: Observer, stop: Stop,
          refresh: float) -> None:
    from collections import deque

    from rich.live import Live

    recent: deque[str] = deque(maxlen=5)
    before: Snapshot | None = None
    with Live(console=console, auto_refresh=False, screen=False,
              vertical_overflow="crop") as live:
        while not stop.requested:
            changed = restarts(stack, stack.supervisor.poll())
            snap = observer.snapshot()
            now = datetime.now(UTC)
            recent.extend(stamp(line, now) for line in changed + events(before, snap))
            before = snap
            view = render(snap, stack.supervisor.table("services"), header(settings, stack),
                          list(recent))
            live.update(view, refresh=True)
            stop.sleep(refresh)


def _lines(console: Console, settings: Settings, stack: Stack, observer: Observer, stop: Stop,
           refresh: float) -> None:
    console.print(stamp(header(settings, stack), datetime.now(UTC)), highlight=False,
                  soft_wrap=True)
    before: Snapshot | None = None
    while not stop.requested:
        changed = restarts(stack, stack.supervisor.poll())
        snap = observer.snapshot()
        now = datetime.now(UTC)
        for line in changed + events(before, snap):
            console.print(stamp(line, now), highlight=False, markup=False, soft_wrap=True)
        before = snap
        stop.sleep(refresh)
