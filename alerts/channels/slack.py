"""Slack senders: incoming webhooks and ``chat.postMessage`` with a bot token (slack_sdk).

Input: a rule with an article (Block Kit from ``alerts.render``) or a digest
(``alerts.render_digest``); the delivery key. Output: a ``Delivery``. Retries are the delivery
workers', never the SDK's (``retry_handlers=[]``): a 429 (with its ``Retry-After``), a 5xx or a
connection never established is retryable; another 4xx or an ``ok: false`` refusal is
permanent; a request that went out without an answer is ambiguous.

A bot message carries its delivery key in the message ``metadata``
(``event_type=cgtwatch_alert``), so ``delivered`` finds it again in the conversation's history
(``conversations.history`` with ``include_all_metadata``; needs ``channels:history``): an
interrupted send is never repeated. An incoming webhook cannot be asked: its channel's
``on_interrupted`` policy decides (default ``resend``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from alerts.channels.base import ChannelKind, Delivery, Interrupted, NoCheck, Payload, Sender
from alerts.channels.local import MisconfiguredSender
from alerts.render import StoryRef, render_slack
from alerts.render_digest import render_slack_digest
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule, SlackChannel
from config.sections import SlackSettings
from config.settings import Settings

log = logging.getLogger(__name__)
NOT_SENT = (aiohttp.ClientConnectorError, ConnectionRefusedError)
EVENT_TYPE = "cgtwatch_alert"
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                    "request_timeout"}
HISTORY_PAGES = 10
SLACK_INTERVAL_S = 1.0  # Slack: about one message per second per channel or webhook


def _retry_after(headers: Any) -> float | None:
    value = (headers or {}).get("retry-after") or (headers or {}).get("Retry-After")
    value = value[0] if isinstance(value, list) else value
    try:
        return float(value) if value else None
    except ValueError:
        return None


def from_status(status: int, headers: Any, what: str = "") -> Delivery:
    """The outcome of an HTTP answer: 2xx sent; 429 and 5xx retryable; other errors final."""
    if 200 <= status < 300:
        return Delivery(True)
    retryable = status == 429 or status >= 500
    return Delivery(False, f"slack: HTTP {status}{what}", _retry_after(headers), retryable)


def from_exception(exc: BaseException) -> Delivery:
    """Network errors: retryable if the connection was never made (nothing was sent), else
    ambiguous (the request may have arrived)."""
    sent = not isinstance(exc, NOT_SENT)
    return Delivery(False, f"slack: {type(exc).__name__}", retryable=not sent, ambiguous=sent,
                    unreachable=not sent)


class _SlackPoster:
    on_interrupted: Interrupted = "resend"
    min_interval_s = SLACK_INTERVAL_S

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload:
        return render_slack(rule, article, others)

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload:
        return render_slack_digest(rule, title, articles)

    def _policy(self, channel: SlackChannel) -> None:
        self.on_interrupted = channel.on_interrupted or "resend"
        if channel.min_interval_s is not None:
            self.min_interval_s = channel.min_interval_s


class SlackSender(NoCheck, _SlackPoster):
    """An incoming webhook (its URL is a secret and never appears in outcomes)."""

    def __init__(self, url: str, timeout: float) -> None:
        self._client = AsyncWebhookClient(url, timeout=int(timeout), retry_handlers=[])

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        try:
            response = await self._client.send_dict(payload)
        except Exception as exc:  # network errors: report, the worker decides
            return from_exception(exc)
        return from_status(response.status_code, response.headers)


def _api_error(exc: SlackApiError) -> Delivery:
    error = exc.response.get("error") if exc.response is not None else None
    status = exc.response.status_code if exc.response is not None else 0
    headers = exc.response.headers if exc.response is not None else {}
    if 200 <= status < 300:  # ok=false: refused (channel_not_found...) or a transient error
        return Delivery(False, f"slack: {error}", retryable=error in TRANSIENT_ERRORS)
    return from_status(status, headers, f" ({error})" if error else "")


class SlackBotSender(_SlackPoster):
    """``chat.postMessage`` to one conversation with the bot token (``AsyncWebClient``)."""

    def __init__(self, token: SecretStr, conversation: str, slack: SlackSettings) -> None:
        self._client = AsyncWebClient(token=token.get_secret_value(), base_url=slack.api_url,
                                      timeout=int(slack.timeout_s), retry_handlers=[])
        self._conversation = conversation

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"delivery": key}}
        try:
            response = await self._client.chat_postMessage(
                channel=self._conversation, metadata=metadata, **payload)
        except SlackApiError as exc:
            return _api_error(exc)
        except Exception as exc:
            return from_exception(exc)
        return from_status(response.status_code, response.headers)

    async def delivered(self, key: str, since: datetime) -> bool | None:
        """Look for a message with this key in the conversation since ``since`` (minus a
        minute of clock skew). Raises when Slack cannot be asked now (try again later)."""
        if self._conversation.startswith("#"):
            return None  # conversations.history needs the channel id
        oldest = f"{(since - timedelta(minutes=1)).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = await self._client.conversations_history(
                channel=self._conversation, oldest=oldest, include_all_metadata=True,
                limit=200, cursor=cursor)
            for message in response.get("messages") or []:
                meta = message.get("metadata") or {}
                if (meta.get("event_payload") or {}).get("delivery") == key:
                    return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return False
        log.warning("slack history: key %s not in the last %d pages", key, HISTORY_PAGES)
        return False


def build(channel: SlackChannel, settings: Settings) -> Sender:
    problems = check(channel, settings)
    if problems:
        return MisconfiguredSender(problems[0])
    poster: SlackSender | SlackBotSender
    if channel.webhook is not None:
        secret = settings.slack.webhooks[channel.webhook]
        poster = SlackSender(secret.get_secret_value(), settings.slack.timeout_s)
    else:
        assert settings.slack.bot_token is not None and channel.slack_channel is not None
        poster = SlackBotSender(settings.slack.bot_token, channel.slack_channel, settings.slack)
    poster._policy(channel)
    return poster


def check(channel: SlackChannel, settings: Settings) -> list[str]:
    if channel.webhook is not None:
        if channel.webhook not in settings.slack.webhooks:
            return [f"channel {channel.name!r}: no Slack webhook named {channel.webhook!r}; "
                    "set CGTWATCH_SLACK__WEBHOOKS"]
        return []
    if settings.slack.bot_token is None:
        return [f"channel {channel.name!r}: posting to a Slack channel needs a bot token; "
                "set CGTWATCH_SLACK__BOT_TOKEN"]
    return []


SLACK = ChannelKind(build=build, check=check, render=render_slack)
