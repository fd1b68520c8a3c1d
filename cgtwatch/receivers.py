"""Loopback servers used by the demo and the integration tests.

Input: nothing but ports picked here. Output: a static site server (the bundled demo site),
a Slack incoming-webhook receiver that records posts (optionally failing the first N with a
429 or 500 status), and an SMTP server (aiosmtpd) that records messages.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class StaticSite:
    """Serve a directory over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StaticSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class SlackReceiver:
    """Records webhook posts; ``fail_first`` answers the first posts with ``fail_status``."""

    fail_first: int = 0
    fail_status: int = 429
    posts: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0

    def __post_init__(self) -> None:
        receiver = self

        class Handler(_QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with lock:
                    receiver.attempts += 1
                    failing = receiver.attempts <= receiver.fail_first
                    if not failing:
                        receiver.posts.append(json.loads(body or b"{}"))
                status = receiver.fail_status if failing else 200
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.end_headers()
                self.wfile.write(b"rate_limited" if failing else b"ok")

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services/demo"

    def start(self) -> SlackReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """An aiosmtpd server on loopback that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        self.recorder = _Recorder()
        self.port = port
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port)

    @property
    def messages(self) -> list[Message]:
        return self.recorder.messages

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
