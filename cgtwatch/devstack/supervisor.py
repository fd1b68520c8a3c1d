"""Supervisor of the local pipeline: runs each service as a child process and restarts it.

Input: service names, an environment for the children, a log directory and optionally one
health port per service (each child gets its own ``CGTWATCH_HEALTH_PORT``: one port shared by
all would make every child but the first fail to bind it). Output: running children
(``python -m cgtwatch.devstack.launch <service>``: ``cgtwatch <service>`` plus what the
embedded broker needs), restarted with exponential backoff when they die, a ``rich`` status
table naming the last log line of a child that keeps exiting, and a clean stop (SIGTERM to all
at once, then SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.table import Table

from config.backoff import Backoff, backoff_delay

MAX_BACKOFF_S = 30.0
RESTART_BACKOFF = Backoff(first_s=1.0, factor=2.0, cap_s=MAX_BACKOFF_S, jitter=0.0)
LAUNCHER = "cgtwatch.devstack.launch"  # ``cgtwatch NAME``, plus what the embedded broker needs


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    last_exit: int | None = None
    next_start: float = 0.0
    log_path: Path | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def state(self) -> str:
        if self.alive:
            return "running"
        return "restarting" if self.process is not None else "stopped"

    def last_line(self, limit: int = 160) -> str:
        """The last non-blank line of the child's log (why it exited), shortened."""
        if self.log_path is None or not self.log_path.is_file():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(max(log.seek(0, os.SEEK_END) - 4096, 0))
            lines = [x for x in log.read().decode("utf-8", "replace").splitlines() if x.strip()]
        text = lines[-1].strip() if lines else ""
        return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass
class Supervisor:
    services: list[str]
    env: dict[str, str]
    log_dir: Path
    health_ports: dict[str, int] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in self.services:
            self.children[name] = Child(name, [sys.executable, "-m", LAUNCHER, name],
                                        log_path=self.log_dir / f"{name}.log")

    def _spawn(self, child: Child) -> None:
        assert child.log_path is not None
        env = {**os.environ, **self.env}
        if child.name in self.health_ports:
            env["CGTWATCH_HEALTH_PORT"] = str(self.health_ports[child.name])
        with child.log_path.open("ab") as log:
            child.process = subprocess.Popen(child.argv, env=env,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
        child.started_at = time.monotonic()

    def start_all(self) -> None:
        for child in self.children.values():
            self._spawn(child)

    def poll(self) -> list[str]:
        """Restart dead children whose backoff has passed; returns the names restarted."""
        now, restarted = time.monotonic(), []
        for child in self.children.values():
            if child.process is None or child.alive:
                continue
            if child.next_start == 0.0:
                child.last_exit = child.process.returncode
                uptime = now - child.started_at
                backoff = 0.5 if uptime > MAX_BACKOFF_S else backoff_delay(
                    child.restarts + 1, 0.0, RESTART_BACKOFF)
                child.next_start = now + backoff
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                self._spawn(child)
                restarted.append(child.name)
        return restarted

    def kill(self, name: str) -> None:
        """Kill a child abruptly (SIGKILL), as a crash would; the supervisor restarts it."""
        child = self.children[name]
        if child.process is not None and child.alive:
            child.process.kill()
            child.process.wait()

    def stop_all(self, grace_s: float = 15.0) -> None:
        live = [c for c in self.children.values() if c.alive]
        for child in live:
            assert child.process is not None
            child.process.terminate()
        deadline = time.monotonic() + grace_s
        for child in live:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        for child in self.children.values():
            child.process = None

    def table(self, title: str = "cgtwatch") -> Table:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("service", "state", "pid", "uptime", "restarts", "last exit"):
            table.add_column(column, no_wrap=True)
        table.add_column("why / log", overflow="fold")
        now = time.monotonic()
        for child in self.children.values():
            pid = str(child.process.pid) if child.alive and child.process else "-"
            uptime = f"{now - child.started_at:.0f}s" if child.alive else "-"
            exit_code = "-" if child.last_exit is None else str(child.last_exit)
            why = (child.last_line() if child.state == "restarting" or child.restarts else "")
            state = child.state if child.state == "running" else f"[bold red]{child.state}[/]"
            table.add_row(child.name, state, pid, uptime, str(child.restarts), exit_code,
                          escape(why or str(child.log_path)))
        return table
