"""Services wait for Kafka and Elasticsearch at start, on real sockets (issue #7).

A real service process (``python -m cgtwatch crawler|indexer|streams``) is started on ports
where nothing listens yet. It must keep retrying with backoff, say what it waits for in its
log and on ``/readyz``, and start once noida-db comes up on those ports; give up with a clear
error and exit code 75 when the deadline passes; and stop at once on SIGTERM while waiting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cgtwatch.devstack.localstack import LocalStack, free_port
from config.settings import Settings
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    log: Path
    health_port: int
    kafka: str

    def text(self) -> str:
        return " ".join(self.log.read_text("utf-8", "replace").split())

    def readyz(self) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.health_port}/readyz"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status, resp.read().decode().strip()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode().strip()
        except OSError:
            return 0, "health server not up yet"


Starter = Callable[..., Service]  # start(name, **extra environment) -> a running service


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for the embedded servers on free ports where nothing listens yet."""
    for key in [k for k in os.environ if k.startswith("CGTWATCH_")]:
        monkeypatch.delenv(key)
    values = {
        "CGTWATCH_PATHS__DATA_DIR": str(tmp_path / "data"),
        "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
        "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
        "CGTWATCH_WORKER__INSTANCE_ID": "itest",
        "CGTWATCH_HEALTH_PORT": str(free_port()),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no .env file
    return values


@pytest.fixture
def start(env: dict[str, str], tmp_path: Path) -> Iterator[Starter]:
    """Start one service process; the fixture yields a starter and stops what it started."""
    started: list[Service] = []

    def run(name: str, **extra: str) -> Service:
        log = tmp_path / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "cgtwatch", name],
                                       env={**os.environ, **extra}, stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        service = Service(process, log, int(env["CGTWATCH_HEALTH_PORT"]),
                          f"127.0.0.1:{env['CGTWATCH_LOCAL__KAFKA_PORT']}")
        started.append(service)
        return service

    yield run
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait(timeout=10)


def test_a_service_waits_for_the_servers_then_starts(start: Starter) -> None:
    crawler = start("crawler")
    wait_for(lambda: f"waiting for Kafka at {crawler.kafka} (attempt 2," in crawler.text(),
             20, "the second failed attempt in the log")
    assert crawler.process.poll() is None, crawler.text()
    assert "next try in" in crawler.text() and "Connection refused" in crawler.text()
    assert crawler.readyz() == (503, f"not ready: waiting for Kafka at {crawler.kafka}")

    local = LocalStack(Settings())  # both servers, on the ports the crawler waits for
    local.start()
    try:
        wait_for(lambda: crawler.readyz() == (200, "ok"), 30, "the crawler ready")
        text = crawler.text()
        assert f"Kafka at {crawler.kafka} answered after" in text
        assert "crawler: Kafka at" in text and "Elasticsearch at http://127.0.0.1:" in text
        crawler.process.send_signal(signal.SIGTERM)
        assert crawler.process.wait(timeout=20) == 0, crawler.text()
    finally:
        local.stop()


def test_the_deadline_passes_with_a_clear_error_and_exit_75(start: Starter) -> None:
    indexer = start("indexer", CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S="2")
    assert indexer.process.wait(timeout=30) == 75, indexer.text()
    text = indexer.text()
    assert f"gave up waiting for Kafka at {indexer.kafka} after" in text
    for part in ("deadline 2 s", "Connection refused", "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS",
                 "raise CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S (0 = wait forever)"):
        assert part in text


def test_sigterm_while_waiting_stops_at_once(start: Starter) -> None:
    streams = start("streams", CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S="0")
    wait_for(lambda: f"waiting for Kafka at {streams.kafka} (attempt 1," in streams.text(),
             20, "the first failed attempt in the log")
    streams.process.send_signal(signal.SIGTERM)
    assert streams.process.wait(timeout=5) == 0, streams.text()
    assert "stopped (signal 15) while waiting for its dependencies" in streams.text()
