"""Probes and the per-service wait: what each service waits for, addresses without secrets,
fast probes of a port where nothing listens, readiness while waiting, and exit codes.

No servers: probes run against loopback ports with nothing listening (refused at once), and
the wait itself gets recording fake probes and a fake clock.
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import EX_TEMPFAIL, app
from cgtwatch.devstack.localstack import free_port
from cgtwatch.runtime import health, probes, services
from cgtwatch.runtime.waits import Clock, DependencyTimeoutError, ProbeError, Stopped, describe
from config.settings import Settings


@pytest.fixture(autouse=True)
def not_ready() -> Iterator[None]:
    health.mark_not_ready()
    yield
    health.mark_not_ready()


def settings_for(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(f"CGTWATCH_{key}", value)
    return Settings()


def test_each_service_waits_for_what_it_uses() -> None:
    assert set(probes.NEEDS) == set(services.SERVICES)
    assert probes.NEEDS == {
        "scheduler": ("kafka",), "streams": ("kafka",),
        "crawler": ("kafka", "elasticsearch"), "indexer": ("kafka", "elasticsearch"),
        "alerter": ("kafka", "elasticsearch")}


def test_dependencies_name_their_address_without_secrets(clean_env: pytest.MonkeyPatch
                                                         ) -> None:
    settings = settings_for(clean_env, KAFKA__BOOTSTRAP_SERVERS="k1:9092,k2:9092",
                            ELASTIC__URL="https://cgt:s3cret@es.example.org:9200/")
    kafka, es = (probes.dependency(settings, name) for name in ("kafka", "elasticsearch"))
    assert (kafka.name, kafka.address) == ("Kafka", "k1:9092,k2:9092")
    assert (es.name, es.address) == ("Elasticsearch", "https://es.example.org:9200/")
    assert "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS" in kafka.hint
    assert "CGTWATCH_ELASTIC__URL" in es.hint


def test_redact_and_split_address() -> None:
    assert probes.redact("http://es:9200") == "http://es:9200"
    assert probes.redact("https://u:p@[::1]:9200/x") == "https://[::1]:9200/x"
    assert probes.redact("https://u@es/") == "https://es/"
    assert probes.split_address("kafka:9093", 9092) == ("kafka", 9093)
    assert probes.split_address("kafka", 9092) == ("kafka", 9092)
    assert probes.split_address("[::1]:9094", 9092) == ("::1", 9094)
    assert probes.split_address("[::1]", 9092) == ("::1", 9092)


def test_tcp_connect_names_each_address_that_refused() -> None:
    dead = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    with pytest.raises(ProbeError) as raised:
        probes.tcp_connect(dead, 1.0)
    assert str(raised.value) == "; ".join(f"{a}: Connection refused" for a in dead)
    with pytest.raises(ProbeError) as raised:
        probes.tcp_connect(dead[:1], 1.0)
    assert str(raised.value) == "Connection refused"  # the address is in the line already
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        probes.tcp_connect([*dead, f"127.0.0.1:{server.getsockname()[1]}"], 1.0)


def test_the_real_probes_fail_fast_and_quietly_where_nothing_listens(
    clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(clean_env, LOCAL__KAFKA_PORT=str(free_port()),
                            LOCAL__ELASTIC_PORT=str(free_port()))
    began = time.monotonic()
    with caplog.at_level(logging.INFO):
        with pytest.raises(ProbeError, match="Connection refused"):
            probes.probe_kafka(settings, 3.0)
        with pytest.raises(Exception) as raised:
            probes.probe_elastic(settings, 3.0)
    assert describe(raised.value) == "Connection refused"
    assert time.monotonic() - began < 3.0
    assert not [r for r in caplog.records if r.name.startswith(("kafka", "elastic_transport"))]


def test_held_logs_keep_the_last_telling_line_and_restore_the_logger() -> None:
    logger = logging.getLogger("cgtwatch-test-held")
    logger.setLevel(logging.INFO)
    child = logging.getLogger("cgtwatch-test-held.net")
    with probes.held_logs("cgtwatch-test-held", ("Bootstrap failed",)) as heard:
        assert logger.propagate is False
        child.warning("Bootstrap connection to 1 failed: %s (backoff 1.41 secs)", "handshake")
        child.error("Bootstrap failed: KafkaTimeoutError")
        child.info("not a warning")
    assert heard.last == "Bootstrap connection to 1 failed: handshake"
    assert logger.propagate is True and logger.handlers == []
    logger.setLevel(logging.DEBUG)
    with probes.held_logs("cgtwatch-test-held"):
        assert logger.propagate is True  # at DEBUG the operator sees everything
    logger.setLevel(logging.NOTSET)


def test_await_dependencies_reports_on_readyz_while_waiting(
    clean_env: pytest.MonkeyPatch,
) -> None:
    settings = settings_for(clean_env, KAFKA__BOOTSTRAP_SERVERS="kafka:9092",
                            ELASTIC__URL="http://es:9200", WORKER__DEPENDENCY_TIMEOUT_S="60")
    port = free_port()
    server = health.serve_health(port, host="127.0.0.1")
    calls: list[tuple[str, float]] = []
    answers: list[str] = []
    now = [0.0]

    def fake_kafka(s: Settings, timeout_s: float) -> None:
        calls.append(("kafka", timeout_s))
        answers.append(readyz(port))
        if len(calls) < 3:
            raise ProbeError("kafka:9092: Connection refused")

    def fake_elastic(s: Settings, timeout_s: float) -> None:
        calls.append(("elasticsearch", timeout_s))
        answers.append(readyz(port))

    clean_env.setattr(probes, "probe_kafka", fake_kafka)
    clean_env.setattr(probes, "probe_elastic", fake_elastic)
    clock = Clock(now=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s),
                  draw=lambda: 0.0)
    try:
        waited = probes.await_dependencies(settings, "indexer", clock)
        after = readyz(port)
    finally:
        server.shutdown()
        server.server_close()
    assert [name for name, _ in calls] == ["kafka"] * 3 + ["elasticsearch"]
    assert [(w.name, w.attempts) for w in waited] == [("Kafka", 3), ("Elasticsearch", 1)]
    assert answers[0] == "503 not ready: waiting for Kafka at kafka:9092"
    assert answers[-1] == "503 not ready: waiting for Elasticsearch at http://es:9200"
    assert after == "503 not ready: starting"  # the service marks itself ready later


def test_a_deadline_exits_75_and_a_stop_exits_0(clean_env: pytest.MonkeyPatch) -> None:
    def timed_out(settings: Settings) -> None:
        raise DependencyTimeoutError("gave up waiting for Kafka at kafka:9092 after 3 attempts")

    def stopped(settings: Settings) -> None:
        raise Stopped(15)

    runner = CliRunner()
    clean_env.setitem(services.SERVICES, "scheduler", timed_out)
    result = runner.invoke(app, ["scheduler"])
    assert result.exit_code == EX_TEMPFAIL == 75
    assert "gave up waiting for Kafka at kafka:9092" in result.output
    clean_env.setitem(services.SERVICES, "scheduler", stopped)
    result = runner.invoke(app, ["scheduler"])
    assert result.exit_code == 0, result.output
    assert "stopped (signal 15) while waiting" in result.output


def readyz(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
            return f"{resp.status} {resp.read().decode().strip()}"
    except urllib.error.HTTPError as exc:
        return f"{exc.code} {exc.read().decode().strip()}"
