"""Email sender: SMTP with STARTTLS or implicit TLS (SSL) and authentication.

Input: a rule with an article, or a digest; ``SmtpSettings``. Output: a ``Delivery``. Every
message is multipart (plain text + HTML). A failure before the server accepted the message
(cannot connect, TLS or greeting failed, a 4xx refusal) is retryable; an error after the DATA
was sent is ambiguous and is not retried, so a retry never mails a second copy. The password
is unwrapped only here, at login.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage

from alerts.channels import Delivery
from alerts.render import EmailContent, StoryRef, render_email
from alerts.render_digest import render_email_digest
from config.contracts import ClassifiedArticle
from config.rules import Rule
from config.settings import SmtpSettings


class NotSentError(Exception):
    """The SMTP session failed before the message was handed over: safe to retry."""


def _tls(smtp: SmtpSettings) -> ssl.SSLContext:
    cafile = str(smtp.ca_certs) if smtp.ca_certs else None
    return ssl.create_default_context(cafile=cafile)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    assert smtp.host is not None
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s,
                                  context=_tls(smtp))
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
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
        client = _connect(smtp)
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


class EmailSender:
    def __init__(self, smtp: SmtpSettings, to: list[str]) -> None:
        self._smtp, self._to = smtp, to

    def _message(self, content: EmailContent, marker: str) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = content.subject
        message["From"] = self._smtp.sender
        message["To"] = ", ".join(self._to)
        message["X-Cgtwatch-Alert"] = marker
        message.set_content(content.text)
        message.add_alternative(content.html, subtype="html")
        return message

    async def _deliver(self, message: EmailMessage) -> Delivery:
        if not self._smtp.host:
            return Delivery(False, "email: CGTWATCH_SMTP__HOST is not set", retryable=False)
        try:
            await asyncio.to_thread(_smtp_send, self._smtp, message)
        except NotSentError as exc:
            return Delivery(False, f"email: {exc}"[:300])
        except smtplib.SMTPException as exc:
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300],
                            retryable=_temporary(exc))
        except OSError as exc:  # after the connection was made: the outcome is unknown
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300], retryable=False)
        return Delivery(True)

    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        content = render_email(rule, article, others)
        return await self._deliver(self._message(content, f"{rule.name}:{article.article_id}"))

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        content = render_email_digest(rule, title, articles)
        return await self._deliver(self._message(content, f"{rule.name}:digest"))
