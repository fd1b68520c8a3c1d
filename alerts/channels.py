"""Alert delivery channels: the sender interface, file and console senders, and the factory.

Input: a rule with one article (and the story's other sources), or a digest of articles.
Output: a ``Delivery`` outcome; a sender never raises for a failed delivery, it reports it and
says whether a retry is safe (``retryable``: the message was certainly not accepted, or the
server asked for a retry). The agent retries with backoff and records the status. Slack lives
in ``alerts.slack``, email in ``alerts.mail``. Secrets come from ``Settings`` and never appear
in outcomes or logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from alerts.render import StoryRef, render_record
from config.contracts import ClassifiedArticle
from config.rules import ConsoleChannel, EmailChannel, FileChannel, Rule, SlackChannel
from config.settings import Settings


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str = ""
    retry_after: float | None = None
    retryable: bool = True


class Sender(Protocol):
    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery: ...

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery: ...


def digest_record(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    return {"rule": rule.name, "digest": title, "count": len(articles),
            "items": [render_record(rule, a) for a in articles]}


class FileSender:
    def __init__(self, path: Path) -> None:
        self._path = path

    def _append(self, record: dict[str, Any]) -> Delivery:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            return Delivery(False, f"file: {exc}", retryable=False)
        return Delivery(True)

    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        record = render_record(rule, article)
        if others:
            record["other_sources"] = [o.url for o in others]
        return self._append(record)

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        return self._append(digest_record(rule, title, articles))


class ConsoleSender:
    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        print(f"ALERT {json.dumps(render_record(rule, article), ensure_ascii=False)}", flush=True)
        return Delivery(True)

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        record = digest_record(rule, title, articles)
        print(f"DIGEST {json.dumps(record, ensure_ascii=False)}", flush=True)
        return Delivery(True)


class MisconfiguredSender:
    """Stands in for a channel whose settings are missing: every delivery fails, saying why,
    so the alert is recorded as failed instead of the worker crash-looping."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        return Delivery(False, self.reason, retryable=False)

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        return Delivery(False, self.reason, retryable=False)


AnyChannel = SlackChannel | EmailChannel | FileChannel | ConsoleChannel


def _slack_sender(channel: SlackChannel, settings: Settings) -> Sender:
    from alerts.slack import SlackBotSender, SlackSender

    if channel.webhook is not None:
        secret = settings.slack.webhooks.get(channel.webhook)
        if secret is None:
            return MisconfiguredSender(f"channel {channel.name!r}: no Slack webhook named "
                                       f"{channel.webhook!r}; set CGTWATCH_SLACK__WEBHOOKS")
        return SlackSender(secret.get_secret_value(), settings.slack.timeout_s)
    token = settings.slack.bot_token
    if token is None or channel.slack_channel is None:
        return MisconfiguredSender(f"channel {channel.name!r}: posting to a Slack channel "
                                   "needs a bot token; set CGTWATCH_SLACK__BOT_TOKEN")
    return SlackBotSender(token, channel.slack_channel, settings.slack)


def build_sender(channel: AnyChannel, settings: Settings) -> Sender:
    """Construct the sender for one configured channel."""
    if isinstance(channel, SlackChannel):
        return _slack_sender(channel, settings)
    if isinstance(channel, EmailChannel):
        from alerts.mail import EmailSender

        return EmailSender(settings.smtp, channel.to)
    if isinstance(channel, FileChannel):
        return FileSender(settings.paths.data_dir / channel.path)
    return ConsoleSender()


def build_senders(channels: list[Any], settings: Settings) -> dict[str, Sender]:
    return {c.name: build_sender(c, settings) for c in channels}
