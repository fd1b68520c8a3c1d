"""An SMTP receiver for the integration tests: the demo's ``SmtpInbox`` plus STARTTLS or
implicit TLS, AUTH, a held answer to DATA and going down and up.

Input: a port, an optional server ``SSLContext`` and users. Output: ``SmtpReceiver`` with the
messages, their arrival times and the logins it accepted; ``hold_s`` holds the answer to DATA
(the message is in, its client may be killed before the answer); ``down()`` refuses
connections until ``up()`` listens again on the same port, keeping what was received.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from cgtwatch.demo.receivers import MailRecorder, SmtpInbox


class _Recorder(MailRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.logins: list[str] = []
        self.hold_s = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        if session.authenticated:
            self.logins.append(str(session.auth_data))
        if self.hold_s:  # the message is in; the answer is late (a client may die meanwhile)
            await asyncio.sleep(self.hold_s)
        return answer


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


class SmtpReceiver(SmtpInbox):
    """An aiosmtpd server on loopback that keeps every message it receives.

    ``tls`` (a server ``SSLContext``) enables STARTTLS, or implicit TLS with ``implicit_tls``;
    ``users`` requires AUTH (LOGIN/PLAIN) with one of these user/password pairs."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None, implicit_tls: bool = False,
                 users: dict[str, str] | None = None) -> None:
        self.mail = _Recorder()
        options: dict[str, Any] = {}
        if tls is not None and not implicit_tls:
            options.update(tls_context=tls, require_starttls=True)
        if users:
            # aiosmtpd counts only STARTTLS as TLS: under implicit TLS (already encrypted) it
            # offers AUTH only if TLS is not "required", and then it must not require AUTH
            options.update(authenticator=_Authenticator(users), auth_required=not implicit_tls,
                           auth_require_tls=not implicit_tls)
        super().__init__(port, self.mail, ssl_context=tls if implicit_tls else None, **options)

    @property
    def hold_s(self) -> float:
        return self.mail.hold_s

    @hold_s.setter
    def hold_s(self, value: float) -> None:
        self.mail.hold_s = value

    @property
    def logins(self) -> list[str]:
        return self.mail.logins

    def down(self) -> None:
        """Stop listening: connections are refused until ``up``."""
        self.controller.stop()

    def up(self) -> None:
        """Listen again on the same port, keeping what was received."""
        self.controller = self.new_controller()
        self.controller.start()
