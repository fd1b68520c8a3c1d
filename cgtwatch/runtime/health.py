"""Health and metrics endpoints of a long-running service: ``/healthz``, ``/readyz``, ``/metrics``.

Input: a port (``CGTWATCH_HEALTH_PORT``), a readiness check, and the process-wide
``prometheus_client`` registry (every stage's ``metrics`` module registers there). Output: a
daemon-thread HTTP server: ``/healthz`` 200 while the process runs, ``/readyz`` 200 once the
service has started its consumer or agent (``mark_ready``; 503 before, or when the check
raises; also the gauge ``cgtwatch_service_ready``; the 503 body names what the service waits
for, e.g. ``not ready: waiting for Kafka at kafka:9092``), and ``/metrics`` in the Prometheus text
or OpenMetrics format, for container health checks, Kubernetes probes and Prometheus.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Gauge
from prometheus_client.exposition import choose_encoder

log = logging.getLogger(__name__)
_ready = threading.Event()
_reason = ""  # what a service that is not ready waits for (the body of a 503 from /readyz)
READY = Gauge("cgtwatch_service_ready",
              "1 once this service has started its consumer or agent (what /readyz answers)")


def mark_ready() -> None:
    """The service has started its consumer or agent: ``/readyz`` answers 200 from now on."""
    global _reason
    if not _ready.is_set():
        log.info("service ready")
    _reason = ""
    _ready.set()
    READY.set(1)


def mark_not_ready(reason: str = "") -> None:
    """``/readyz`` answers 503, with ``reason`` (e.g. "waiting for Kafka at kafka:9092")."""
    global _reason
    _reason = reason
    _ready.clear()
    READY.set(0)


def is_ready() -> bool:
    """The default readiness check of ``serve_health``: has ``mark_ready`` been called?"""
    return _ready.is_set()


def _answer(path: str, ready: Callable[[], bool], registry: CollectorRegistry,
            accept: str = "") -> tuple[int, str, bytes]:
    """(status, content type, body) for a GET of ``path``; ``/metrics`` in the format the
    ``Accept`` header asks for (OpenMetrics for Prometheus, else the classic text format)."""
    route = path.split("?", 1)[0].rstrip("/")
    if route == "/healthz":
        return 200, "text/plain", b"ok\n"
    if route == "/readyz":
        try:
            ok = ready()
        except Exception:  # a failing check means: not ready (the probe must get an answer)
            log.exception("readiness check failed")
            ok = False
        if ok:
            return 200, "text/plain", b"ok\n"
        body = f"not ready: {_reason}\n" if _reason else "not ready\n"
        return 503, "text/plain", body.encode()
    if route == "/metrics":
        encode, content_type = choose_encoder(accept)
        return 200, content_type, encode(registry)
    return 404, "text/plain", b"not found\n"


def serve_health(port: int, ready: Callable[[], bool] | None = None, host: str = "0.0.0.0",
                 registry: CollectorRegistry = REGISTRY) -> ThreadingHTTPServer:
    """Serve the endpoints on ``host:port`` from a daemon thread; ``ready`` defaults to
    ``is_ready``. Returns the server (``shutdown()`` stops it)."""
    check = ready or is_ready

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            accept = self.headers.get("Accept", "")
            status, content_type, body = _answer(self.path, check, registry, accept)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
