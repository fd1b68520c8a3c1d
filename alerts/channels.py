"""Alert delivery channels: Slack incoming webhooks, SMTP email, JSON-lines file, console.

Input: a rendered alert. Output: a ``Delivery`` outcome; a channel never raises for a failed
delivery, it reports it (the agent retries with backoff and records the status). Secrets come
from ``Settings`` and never appear in outcomes or logs.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from slack_sdk.webhook.async_client import AsyncWebhookClient

from alerts.render import render_email, render_record, render_slack
from config.contracts import ClassifiedArticle
from config.rules import (
    ConsoleChannel,
    EmailChannel,
    FileChannel,
    Rule,
    SlackChannel,
)
from config.settings import Settings, SmtpSettings


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str = ""
    retry_after: float | None = None


class Sender(Protocol):
    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery: ...


class SlackSender:
    def __init__(self, url: str, timeout: float) -> None:
        self._client = AsyncWebhookClient(url, timeout=int(timeout))

    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery:
        try:
            response = await self._client.send_dict(render_slack(rule, article))
        except Exception as exc:  # network errors: report, the agent retries
            return Delivery(False, f"slack: {type(exc).__name__}")
        if response.status_code == 200:
            return Delivery(True)
        retry = response.headers.get("retry-after") or response.headers.get("Retry-After")
        value = retry[0] if isinstance(retry, list) else retry
        return Delivery(False, f"slack: HTTP {response.status_code}",
                        float(value) if value else None)


def _smtp_send(smtp: SmtpSettings, message: EmailMessage) -> None:
    assert smtp.host is not None
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
        client.send_message(message)


class EmailSender:
    def __init__(self, smtp: SmtpSettings, to: list[str]) -> None:
        self._smtp, self._to = smtp, to

    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery:
        if not self._smtp.host:
            return Delivery(False, "email: CGTWATCH_SMTP__HOST is not set")
        content = render_email(rule, article)
        message = EmailMessage()
        message["Subject"] = content.subject
        message["From"] = self._smtp.sender
        message["To"] = ", ".join(self._to)
        message["X-Cgtwatch-Alert"] = f"{rule.name}:{article.article_id}"
        message.set_content(content.text)
        message.add_alternative(content.html, subtype="html")
        try:
            await asyncio.to_thread(_smtp_send, self._smtp, message)
        except (OSError, smtplib.SMTPException) as exc:
            return Delivery(False, f"email: {type(exc).__name__}: {exc}"[:300])
        return Delivery(True)


class FileSender:
    def __init__(self, path: Path) -> None:
        self._path = path

    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery:
        line = json.dumps(render_record(rule, article), ensure_ascii=False) + "\n"
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            return Delivery(False, f"file: {exc}")
        return Delivery(True)


class ConsoleSender:
    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery:
        print(f"ALERT {json.dumps(render_record(rule, article), ensure_ascii=False)}", flush=True)
        return Delivery(True)


class MisconfiguredSender:
    """Stands in for a channel whose settings are missing: every delivery fails, saying why,
    so the alert is recorded as failed instead of the worker crash-looping."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def send(self, rule: Rule, article: ClassifiedArticle) -> Delivery:
        return Delivery(False, self.reason)


AnyChannel = SlackChannel | EmailChannel | FileChannel | ConsoleChannel


def build_sender(channel: AnyChannel, settings: Settings) -> Sender:
    """Construct the sender for one configured channel."""
    if isinstance(channel, SlackChannel):
        secret = settings.slack.webhooks.get(channel.webhook)
        if secret is None:
            return MisconfiguredSender(f"channel {channel.name!r}: no Slack webhook named "
                                       f"{channel.webhook!r}; set CGTWATCH_SLACK__WEBHOOKS")
        return SlackSender(secret.get_secret_value(), settings.slack.timeout_s)
    if isinstance(channel, EmailChannel):
        return EmailSender(settings.smtp, channel.to)
    if isinstance(channel, FileChannel):
        return FileSender(settings.paths.data_dir / channel.path)
    return ConsoleSender()


def build_senders(channels: list[Any], settings: Settings) -> dict[str, Sender]:
    return {c.name: build_sender(c, settings) for c in channels}
