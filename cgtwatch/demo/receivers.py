"""Loopback servers that ``cgtwatch demo`` runs: the bundled site, a Slack incoming webhook
and an SMTP server, each recording what arrives.

Input: ports (0: any free one) and the site's directory. Output: ``StaticSite`` (serves the
demo site), ``SlackInbox`` (records the JSON posts to its webhook URL and when they came) and
``SmtpInbox`` (aiosmtpd: records each message and when it came). ``LoopbackServer`` runs any
request handler on 127.0.0.1 in a background thread. Nothing here refuses, delays or fails
on purpose: the test receivers that do (``tests/receivers``) build on these.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (the demo prints its own summary)."""

    def log_message(self, format: str, *args: Any) -> None:
        return


class _QuietFiles(QuietHandler, SimpleHTTPRequestHandler):
    pass


class LoopbackServer:
    """Serve ``handler`` on 127.0.0.1 (``port`` 0: any free one) in a background thread."""

    def __init__(self, handler: Any, port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class StaticSite(LoopbackServer):
    """Serve a directory over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, root: Path) -> None:
        super().__init__(functools.partial(_QuietFiles, directory=str(root)))

    @property
    def url(self) -> str:
        return self.base_url


class SlackInbox(LoopbackServer):
    """A Slack incoming webhook on loopback: every JSON post is recorded and answered ``ok``."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.times: list[float] = []
        inbox, lock = self, threading.Lock()

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    inbox.posts.append(json.loads(body or b"{}"))
                    inbox.times.append(time.time())
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"{self.base_url}/services/demo"


class MailRecorder:
    """aiosmtpd handler: keeps every message and the time it arrived."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.times: list[float] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        self.times.append(time.time())
        return "250 Message accepted for delivery"


class SmtpInbox:
    """An aiosmtpd server on 127.0.0.1:``port`` that keeps every message it receives
    (``options``: further ``Controller`` options, such as TLS)."""

    def __init__(self, port: int, recorder: MailRecorder | None = None, **options: Any) -> None:
        self.recorder = recorder or MailRecorder()
        self.port = port
        self.options = options
        self.controller = self.new_controller()

    def new_controller(self) -> Controller:
        return Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.options)

    @property
    def messages(self) -> list[Message]:
        return self.recorder.messages

    @property
    def times(self) -> list[float]:
        return self.recorder.times

    def start(self) -> Self:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
