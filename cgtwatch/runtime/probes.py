"""Probes of Kafka and Elasticsearch for the start-up wait, and which service needs which.

Input: ``Settings``; connection, TLS/SASL and credentials come from ``config/clients.py``, as
for every other client. Output: ``Dependency`` objects for ``cgtwatch.runtime.waits``, whose probe
returns once the server answers and raises otherwise:

- Kafka: a TCP connect to a bootstrap server (fails fast, with the socket's reason), then a
  kafka-python bootstrap over the configured security protocol: ApiVersions and a metadata
  request that must list brokers. No client thread is started, and every client is closed.
- Elasticsearch: ``info()`` (one request, no retries inside the probe).

``await_dependencies(settings, service)`` waits for what ``NEEDS[service]`` names, with
``CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S`` as the deadline, ``/readyz`` reporting what it
waits for, and SIGTERM/SIGINT raising ``Stopped``. Client libraries' own log lines about
failed connections are held back during a probe (unless the log level is DEBUG); the last
one becomes the probe's error, which the wait logs once per attempt.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from cgtwatch.runtime.health import mark_not_ready
from cgtwatch.runtime.waits import (
    SYSTEM_CLOCK,
    Clock,
    Dependency,
    ProbeError,
    Waited,
    describe,
    stop_on_signals,
    wait_for,
)
from config.checks import without_credentials
from config.clients import elastic, kafka_common
from config.settings import Settings

Needed = Literal["kafka", "elasticsearch"]
NEEDS: dict[str, tuple[Needed, ...]] = {
    "scheduler": ("kafka",),
    "crawler": ("kafka", "elasticsearch"),  # the seen-store and source health are in ES
    "streams": ("kafka",),
    "indexer": ("kafka", "elasticsearch"),
    "alerter": ("kafka", "elasticsearch"),  # the alert ledger and story lookups are in ES
}
CLIENT_ID = "cgtwatch-wait"
log = logging.getLogger(__name__)


# kafka-python's lines that say only "it did not work": the one before them says why
KAFKA_NOISE = ("Bootstrap failed", "Bootstrap bootstrap-")
_BACKOFF = re.compile(r"\s*\(backoff [^)]*\)$")


class _LastLine(logging.Handler):
    def __init__(self, ignore: tuple[str, ...]) -> None:
        super().__init__(logging.WARNING)
        self.ignore, self.last = ignore, ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(self.ignore):
            self.last = _BACKOFF.sub("", message)


@contextmanager
def held_logs(name: str, ignore: tuple[str, ...] = ()) -> Iterator[_LastLine]:
    """Keep logger ``name``'s warnings from the log for the block (unless it logs at DEBUG)
    and remember the last one that does not start with one of ``ignore``."""
    logger, tap = logging.getLogger(name), _LastLine(ignore)
    quiet = logger.getEffectiveLevel() > logging.DEBUG
    propagate = logger.propagate
    logger.addHandler(tap)
    logger.propagate = propagate and not quiet
    try:
        yield tap
    finally:
        logger.removeHandler(tap)
        logger.propagate = propagate


def split_address(address: str, default_port: int) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or ``host`` as (host, port)."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or "]" in port:
        host, port = address.strip(), str(default_port)
    return host.strip("[]"), int(port)


def tcp_connect(addresses: list[str], timeout_s: float) -> None:
    """Return once one address accepts a TCP connection; else raise with each one's reason."""
    errors = []
    for address in addresses:
        try:
            with socket.create_connection(split_address(address, 9092), timeout=timeout_s):
                return
        except OSError as exc:
            errors.append(f"{address}: {describe(exc)}" if len(addresses) > 1 else describe(exc))
    raise ProbeError("; ".join(errors))


def probe_kafka(settings: Settings, timeout_s: float) -> None:
    from kafka.net.compat import KafkaNetClient  # kafka-python 3: the admin client's client

    options = kafka_common(settings, CLIENT_ID)
    tcp_connect(options["bootstrap_servers"], timeout_s)
    timeout_ms = int(timeout_s * 1000)
    with held_logs("kafka", KAFKA_NOISE) as heard:
        client = KafkaNetClient(**options, request_timeout_ms=timeout_ms,
                                socket_connection_setup_timeout_ms=timeout_ms)
        try:
            client.check_version(timeout_ms=timeout_ms)  # bootstrap: ApiVersions + metadata
        except Exception as exc:
            raise ProbeError(heard.last or describe(exc)) from exc
        finally:
            client.close()


def probe_elastic(settings: Settings, timeout_s: float) -> None:
    from elasticsearch import Elasticsearch

    options = {**elastic(settings), "request_timeout": timeout_s, "max_retries": 0,
               "retry_on_timeout": False}
    with held_logs("elastic_transport"):
        es = Elasticsearch(**options)
        try:
            es.info()
        finally:
            es.close()


redact = without_credentials  # a URL without user and password, for the log


def dependency(settings: Settings, needed: Needed) -> Dependency:
    if needed == "kafka":
        return Dependency("Kafka", settings.kafka_bootstrap,
                          lambda timeout_s: probe_kafka(settings, timeout_s),
                          "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS and CGTWATCH_KAFKA__SECURITY_PROTOCOL"
                          " (with __SSL_CAFILE, __SASL_*)")
    return Dependency("Elasticsearch", settings.elastic_address,
                      lambda timeout_s: probe_elastic(settings, timeout_s),
                      "CGTWATCH_ELASTIC__URL and its credentials")


def await_dependencies(settings: Settings, service: str, clock: Clock = SYSTEM_CLOCK
                       ) -> list[Waited]:
    """Wait until every server ``service`` needs answers; ``/readyz`` is 503 meanwhile.
    Raises ``DependencyTimeoutError`` after the deadline and ``Stopped`` on SIGTERM/SIGINT."""
    needed = [dependency(settings, name) for name in NEEDS[service]]
    with stop_on_signals():
        waited = wait_for(needed, settings.worker.dependency_timeout_s, clock=clock,
                          on_wait=mark_not_ready)
    mark_not_ready("starting")
    log.info("%s: %s", service, ", ".join(f"{w.name} at {w.address} answered" for w in waited))
    return waited
