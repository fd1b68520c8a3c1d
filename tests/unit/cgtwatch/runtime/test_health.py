"""The health server: liveness, readiness that means "consumer started", and /metrics."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter

import alerts.metrics
import cgtwatch.runtime.lag  # noqa: F401  (registers the consumer-lag collector)
import indexer.metrics
from cgtwatch.devstack.localstack import free_port
from cgtwatch.runtime import health, services


def get(port: int, path: str, accept: str = "") -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.fixture(autouse=True)
def not_ready() -> Iterator[None]:
    health.mark_not_ready()
    yield
    health.mark_not_ready()


@pytest.fixture
def port() -> Iterator[int]:
    number = free_port()
    server = health.serve_health(number, host="127.0.0.1")
    yield number
    server.shutdown()
    server.server_close()


def test_healthz_answers_while_the_process_runs(port: int) -> None:
    assert get(port, "/healthz")[0] == 200
    assert get(port, "/nope")[0] == 404


def test_readyz_is_503_until_the_service_marks_itself_ready(port: int) -> None:
    assert get(port, "/readyz") == (503, "text/plain", "not ready\n")
    assert "cgtwatch_service_ready 0.0" in get(port, "/metrics")[2]
    health.mark_ready()
    assert get(port, "/readyz") == (200, "text/plain", "ok\n")
    assert "cgtwatch_service_ready 1.0" in get(port, "/metrics")[2]
    health.mark_not_ready()
    assert get(port, "/readyz")[0] == 503


def test_faust_services_mark_ready_from_an_app_task() -> None:
    assert not health.is_ready()
    asyncio.run(services.faust_ready())
    assert health.is_ready()


def test_a_custom_readiness_check_and_one_that_raises() -> None:
    def broken() -> bool:
        raise RuntimeError("no consumer")

    for check, status in ((lambda: True, 200), (lambda: False, 503), (broken, 503)):
        number = free_port()
        server = health.serve_health(number, check, host="127.0.0.1")
        try:
            assert get(number, "/readyz")[0] == status
        finally:
            server.shutdown()
            server.server_close()


def test_metrics_in_the_prometheus_text_format(port: int) -> None:
    indexer.metrics.record_transport_error()
    alerts.metrics.record_delivery("health-test", "sent")
    status, content_type, body = get(port, "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    assert "# TYPE cgtwatch_indexer_articles_indexed_total counter" in body
    assert 'cgtwatch_indexer_bulk_failures_total{status="transport"}' in body
    assert 'cgtwatch_alert_deliveries_total{channel="health-test",status="sent"} 1.0' in body
    assert "# TYPE cgtwatch_indexer_fetch_to_index_seconds histogram" in body
    assert "# TYPE cgtwatch_consumer_lag gauge" in body
    assert "python_info" in body


def test_metrics_as_openmetrics_when_prometheus_asks(port: int) -> None:
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    status, content_type, body = get(port, "/metrics", accept)
    assert status == 200 and content_type.startswith("application/openmetrics-text")
    assert "# TYPE cgtwatch_indexer_articles_indexed counter" in body
    assert body.endswith("# EOF\n")


def test_a_registry_of_its_own() -> None:
    registry = CollectorRegistry()
    Counter("only_here", "a test counter", registry=registry).inc()
    number = free_port()
    server = health.serve_health(number, host="127.0.0.1", registry=registry)
    try:
        body = get(number, "/metrics")[2]
    finally:
        server.shutdown()
        server.server_close()
    assert "only_here_total 1.0" in body and "cgtwatch_" not in body
