"""Loopback servers used by the demo and the integration tests.

Input: nothing but ports picked here. Output: a static site server (the bundled demo site),
a Slack receiver that records posts to an incoming webhook or to the Web API's
``chat.postMessage`` (optionally failing the first N with a 429 or 500 status, or answering a
scripted list of statuses), and an SMTP server (aiosmtpd) that records messages, optionally
with STARTTLS or implicit TLS and AUTH. Both record when each message arrived.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


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


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if "application/x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(body.decode("utf-8")))
        for name in ("blocks", "attachments"):
            if name in form:
                form[name] = json.loads(form[name])
        return form
    parsed: dict[str, Any] = json.loads(body or b"{}")
    return parsed


@dataclass
class SlackReceiver:
    """Records webhook and ``chat.postMessage`` posts. ``statuses`` answers the first posts
    with those statuses in order (e.g. ``[429, 500]``); then ``fail_first`` answers the next
    posts with ``fail_status``. ``retry_after`` is sent with every 429."""

    fail_first: int = 0
    fail_status: int = 429
    posts: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    retry_after: str = "1"
    times: list[float] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        scripted = len(self.statuses)

        class Handler(_QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                api = self.path.startswith("/api/")
                with lock:
                    receiver.attempts += 1
                    if receiver.statuses:
                        status = receiver.statuses.pop(0)
                    else:
                        failing = receiver.attempts - scripted <= receiver.fail_first
                        status = receiver.fail_status if failing else 200
                    if status == 200:
                        receiver.posts.append(
                            _parse_body(body, self.headers.get("Content-Type", "")))
                        receiver.times.append(time.time())
                        receiver.paths.append(self.path)
                        receiver.tokens.append(self.headers.get("Authorization", ""))
                self._reply(status, api)

            def _reply(self, status: int, api: bool) -> None:
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", receiver.retry_after)
                if api:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.end_headers()
                if api:
                    ok = status == 200
                    answer = {"ok": ok, "channel": "C1", "ts": f"{time.time():.6f}"} if ok else {
                        "ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
                    self.wfile.write(json.dumps(answer).encode())
                else:
                    self.wfile.write(b"ok" if status == 200 else b"rate_limited")

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services/demo"

    @property
    def api_url(self) -> str:
        """Base URL of the Slack Web API stand-in (``CGTWATCH_SLACK__API_URL``)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> SlackReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.times: list[float] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        self.times.append(time.time())
        if session.authenticated:
            self.logins.append(str(session.auth_data))
        return "250 Message accepted for delivery"


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)


class SmtpReceiver:
    """An aiosmtpd server on loopback that keeps every message it receives.

    ``tls`` (a server ``SSLContext``) enables STARTTLS, or implicit TLS with ``implicit_tls``;
    ``users`` requires AUTH (LOGIN/PLAIN) with one of these user/password pairs."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None, implicit_tls: bool = False,
                 users: dict[str, str] | None = None) -> None:
        self.recorder = _Recorder()
        self.port = port
        options: dict[str, Any] = {}
        if tls is not None and not implicit_tls:
            options.update(tls_context=tls, require_starttls=True)
        if users:
            # aiosmtpd counts only STARTTLS as TLS: under implicit TLS (already encrypted) it
            # offers AUTH only if TLS is not "required", and then it must not require AUTH
            options.update(authenticator=_Authenticator(users), auth_required=not implicit_tls,
                           auth_require_tls=not implicit_tls)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port,
                                     ssl_context=tls if implicit_tls else None, **options)

    @property
    def times(self) -> list[float]:
        return self.recorder.times

    @property
    def logins(self) -> list[str]:
        return self.recorder.logins

    @property
    def messages(self) -> list[Message]:
        return self.recorder.messages

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
