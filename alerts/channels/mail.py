"""Email sender: SMTP with STARTTLS or implicit TLS (SSL) and authentication.

Input: a rule with an article, or a digest; ``SmtpSettings``; the delivery key. Output: a
``Delivery``. Every message is multipart (plain text + HTML), dated (``Date``, UTC, when
sent) and carries a ``Message-ID``
derived from its delivery key alone, so every copy of one delivery has the same id (mail
systems and clients recognise a repeat). A failure before the server accepted the message
(cannot connect, TLS or greeting failed, a 4xx refusal) is retryable; a 5xx refusal (e.g.
invalid recipients) is permanent; an error after the session started sending is ambiguous.
SMTP offers no way to ask whether a message arrived: the channel's ``on_interrupted`` policy
decides (default ``resend``). The password is unwrapped only here, at login.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from dataclasses import asdict
from email.message import EmailMessage
from email.utils import formatdate

from alerts.channels.base import ChannelKind, Delivery, Interrupted, NoCheck, Payload
from alerts.render import EmailContent, StoryRef, header_safe, render_email
from alerts.render_digest import render_email_digest
from config.contracts.articles import ClassifiedArticle
from config.rules import EmailChannel, Rule
from config.sections import SmtpSettings
from config.settings import Settings


class NotSentError(Exception):
    """The SMTP session failed before the message was handed over: safe to retry."""


def _tls(smtp: SmtpSettings) -> ssl.SSLContext:
    cafile = str(smtp.ca_certs) if smtp.ca_certs else None
    return ssl.create_default_context(cafile=cafile)


def connect(smtp: SmtpSettings, timeout_s: float | None = None) -> smtplib.SMTP:
    """A logged-in SMTP session as delivery opens it (TLS verified against ``ca_certs``);
    ``cgtwatch doctor`` uses it too. The caller quits it."""
    assert smtp.host is not None
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout_s or smtp.timeout_s,
                                  context=_tls(smtp))
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout_s or smtp.timeout_s)
    try:
        if smtp.security == "starttls":
            client.starttls(context=_tls(smtp))
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
    except BaseException:
        client.close()
        raise
    return client


def _smtp_send(smtp: SmtpSettings, message: EmailMessage) -> None:
    try:
        client = connect(smtp)
    except smtplib.SMTPAuthenticationError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise NotSentError(f"{type(exc).__name__}: {exc}") from exc
    try:
        client.send_message(message)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()  # the message was already accepted (or refused); QUIT is courtesy


def _temporary(exc: smtplib.SMTPException) -> bool:
    """A 4xx refusal: the server did not take the message and asks to try again later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return False


def message_id(key: str, sender: str) -> str:
    """The Message-ID of a delivery: the same for every copy of it, unique per delivery."""
    domain = header_safe(sender.rpartition("@")[2] or "localhost", 100).replace(" ", "")
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.cgtwatch@{domain}>"


class EmailSender(NoCheck):
    min_interval_s = 0.0

    def __init__(self, smtp: SmtpSettings, to: list[str],
                 on_interrupted: Interrupted | None = None,
                 min_interval_s: float | None = None) -> None:
        self._smtp, self._to = smtp, to
        self.on_interrupted: Interrupted = on_interrupted or "resend"
        self.min_interval_s = min_interval_s or 0.0

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload:
        return asdict(render_email(rule, article, others))

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload:
        return asdict(render_email_digest(rule, title, articles))

    def message(self, key: str, payload: Payload) -> EmailMessage:
        content = EmailContent(**payload)
        message = EmailMessage()
        message["Subject"] = header_safe(content.subject)
        message["From"] = self._smtp.sender
        message["To"] = ", ".join(self._to)
        message["Date"] = formatdate(usegmt=True)  # when this copy was sent, in UTC
        message["Message-ID"] = message_id(key, self._smtp.sender)
        message["X-Cgtwatch-Delivery"] = header_safe(key, 400)
        message.set_content(content.text)
        message.add_alternative(content.html, subtype="html")
        return message

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        if not self._smtp.host:
            return Delivery(False, "email: CGTWATCH_SMTP__HOST is not set", retryable=False)
        message = self.message(key, payload)
        try:
            await asyncio.to_thread(_smtp_send, self._smtp, message)
        except NotSentError as exc:
            return Delivery(False, f"email: {exc}"[:300], unreachable=True)
        except smtplib.SMTPServerDisconnected as exc:  # during the session: outcome unknown
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300],
                            retryable=False, ambiguous=True)
        except smtplib.SMTPException as exc:
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300],
                            retryable=_temporary(exc))
        except OSError as exc:  # after the connection was made: the outcome is unknown
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300],
                            retryable=False, ambiguous=True)
        return Delivery(True)


def build(channel: EmailChannel, settings: Settings) -> EmailSender:
    return EmailSender(settings.smtp, channel.to, channel.on_interrupted,
                       channel.min_interval_s)


def check(channel: EmailChannel, settings: Settings) -> list[str]:
    if not settings.smtp.host:
        return [f"channel {channel.name!r}: no SMTP server; set CGTWATCH_SMTP__HOST"]
    return []


def _render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
            ) -> Payload:
    return asdict(render_email(rule, article, others))


EMAIL = ChannelKind(build=build, check=check, render=_render)
