"""``cgtwatch up`` in a real terminal (a pty, 100 columns): the live view shows crawls with
their causes and the alerts as they happen, and Ctrl-C (typed into the terminal, so it reaches
the whole foreground process group) stops everything cleanly: services first, the local
servers last, no error line in any service log.

The stack crawls the bundled demo site plus one column that does not exist (a failed crawl
whose cause must be on screen); alerts go to a console channel and a file channel.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cgtwatch.demo.receivers import StaticSite
from cgtwatch.demo.run import DEMO_SITE, write_operator_files
from cgtwatch.devstack.localstack import free_port

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Traceback)\b|Connection refused")


def operator_files(tmp_path: Path, site_url: str) -> tuple[Path, Path]:
    manifest = yaml.safe_load((DEMO_SITE / "manifest.yaml").read_text("utf-8"))
    sources, rules = write_operator_files(tmp_path, manifest, site_url)
    data = yaml.safe_load(sources.read_text("utf-8"))
    data["sources"].append({"id": "demo-missing-column", "name": "missing", "kind": "government",
                            "language": "zh", "list_urls": [f"{site_url}/nosuch/index.html"],
                            "schedule": {"every": "1h", "jitter_s": 0}})
    sources.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    rules.write_text(yaml.safe_dump({
        "channels": [{"name": "screen", "type": "console"},
                     {"name": "file", "type": "file", "path": "alerts.jsonl"}],
        "rules": [{"name": "cgt", "labels": ["cell_therapy", "gene_therapy"],
                   "min_salience": "secondary", "channels": ["screen", "file"]}]}), "utf-8")
    return sources, rules


class Terminal:
    """A child process on a pseudo-terminal, with its screen output collected."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its own session, the pty as controlling terminal
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 100, 0, 0))
        self.output = b""
        self.status: int | None = None

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    return

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.output).decode("utf-8", "replace")

    def wait_for(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(1.0)
            if re.search(pattern, self.text):
                return
        raise AssertionError(f"{pattern!r} not on screen after {timeout}s:\n{self.text[-3000:]}")

    def exited(self, timeout: float) -> int | None:
        """The exit code once the child has ended (waited for at most ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            self.read(0.2)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read(0.3)
                self.status = os.waitstatus_to_exitcode(status)
        return self.status


@pytest.fixture
def site() -> Iterator[StaticSite]:
    served = StaticSite(DEMO_SITE).start()
    yield served
    served.stop()


def test_up_shows_crawls_causes_and_alerts_and_ctrl_c_stops_cleanly(
        tmp_path: Path, site: StaticSite) -> None:
    sources, rules = operator_files(tmp_path, site.url)
    env = {**os.environ, "TERM": "xterm-256color", "NO_PROXY": "127.0.0.1,localhost",
           "CGTWATCH_PATHS__DATA_DIR": str(tmp_path / "data"),
           "CGTWATCH_PATHS__SOURCES": str(sources),
           "CGTWATCH_PATHS__ALERT_RULES": str(rules),
           "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
           "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
           "CGTWATCH_CRAWLER__AUTOTHROTTLE": "false",
           "CGTWATCH_CRAWLER__FIRST_RUN_SPREAD_S": "0",
           "CGTWATCH_WORKER__BATCH_WITHIN_S": "0.3"}
    term = Terminal([sys.executable, "-m", "cgtwatch", "up", "--refresh", "1"], env, tmp_path)
    try:
        term.wait_for(r"sources by group", 90)
        term.wait_for(r"demo-missing-column (failed|FAILED): \S+", 150)  # failed, with a cause
        term.wait_for(r"demo-\S+ ok: \d+ links", 150)  # a good crawl and what it found
        term.wait_for(r"screen\s+(cell|gene)_therapy", 150)  # an alert, its channel and labels
        assert re.search(r"\d+ indexed", term.text)
        logs = [*(tmp_path / "data" / "logs").glob("*.log"), tmp_path / "data" / "noida.log"]
        sizes = {log: log.stat().st_size for log in logs}
        os.write(term.fd, b"\x03")  # Ctrl-C, as typed: SIGINT to the foreground group
        code = term.exited(timeout=30)
    finally:
        if term.exited(timeout=0.1) is None:
            os.kill(term.pid, signal.SIGKILL)
            os.waitpid(term.pid, 0)
    assert code == 0, term.text[-2000:]
    stopped = re.search(r"stopped in ([\d.]+)s", term.text)
    assert stopped, term.text[-2000:]
    print(f"Ctrl-C stop took {stopped.group(1)} s")
    for log, size in sizes.items():  # what the services logged while stopping
        with log.open("rb") as handle:
            handle.seek(size)
            tail = handle.read().decode("utf-8", "replace")
        bad = [line for line in tail.splitlines() if ERROR_LINE.search(line)]
        assert not bad, f"{log.name}: {bad[:5]}"
