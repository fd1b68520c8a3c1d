"""Loopback servers used by the demo and the integration tests.

Input: nothing but ports picked here. Output: a static site server (the bundled demo site),
the Slack receiver (``cgtwatch.demo.slack_receiver``, re-exported here), and an SMTP server
(aiosmtpd) that records messages and when they arrived, optionally with STARTTLS or implicit
TLS and AUTH; it can hold its answer to DATA (a message in, its client killed before the
answer) and go down (connections refused) and come back on the same port.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import threading
import time
from email import message_from_bytes
from email.message import Message
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from cgtwatch.demo.slack_receiver import SlackReceiver

__all__ = ["SlackReceiver", "SmtpReceiver", "StaticSite"]


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


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.times: list[float] = []
        self.logins: list[str] = []
        self.hold_s = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        self.times.append(time.time())
        if session.authenticated:
            self.logins.append(str(session.auth_data))
        if self.hold_s:  # the message is in; the answer is late (a client may die meanwhile)
            await asyncio.sleep(self.hold_s)
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
        self._options = {"ssl_context": tls if implicit_tls else None, **options}
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port,
                                     **self._options)

    @property
    def hold_s(self) -> float:
        return self.recorder.hold_s

    @hold_s.setter
    def hold_s(self, value: float) -> None:
        self.recorder.hold_s = value

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

    def down(self) -> None:
        """Stop listening: connections are refused until ``up``."""
        self.controller.stop()

    def up(self) -> None:
        """Listen again on the same port, keeping what was received."""
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     **self._options)
        self.controller.start()
