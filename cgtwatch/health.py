"""Health endpoints for a long-running service: ``/healthz`` (alive) and ``/readyz``.

Input: a port (``CGTWATCH_HEALTH_PORT``) and a readiness check. Output: a daemon-thread HTTP
server answering 200 or 503, for container health checks and Kubernetes probes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def serve_health(port: int, ready: Callable[[], bool] = lambda: True,
                 host: str = "0.0.0.0") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/healthz"):
                status = 200
            elif self.path.startswith("/readyz"):
                status = 200 if ready() else 503
            else:
                status = 404
            body = {200: b"ok\n", 503: b"not ready\n"}.get(status, b"not found\n")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
