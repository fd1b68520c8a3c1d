"""Slack senders: incoming webhooks and ``chat.postMessage`` with a bot token (slack_sdk).

Input: a rule with an article (Block Kit from ``alerts.render``) or a digest
(``alerts.render_digest``). Output: a ``Delivery``. Retries are the agent's, never the SDK's
(``retry_handlers=[]``): only a 429 (with its ``Retry-After``), a 5xx or a connection that
was never established is marked retryable, so a retry cannot post a second copy of a message
Slack already accepted. A timeout after the request went out is ambiguous and is not retried.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from alerts.channels import Delivery
from alerts.render import StoryRef, render_slack
from alerts.render_digest import render_slack_digest
from config.contracts import ClassifiedArticle
from config.rules import Rule
from config.settings import SlackSettings

NOT_SENT = (aiohttp.ClientConnectorError, ConnectionRefusedError)


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
    """Network errors: retryable only if the connection was never made (nothing was sent)."""
    return Delivery(False, f"slack: {type(exc).__name__}", retryable=isinstance(exc, NOT_SENT))


class _SlackPoster:
    """Renders alerts and digests as Block Kit; subclasses say how a body is posted."""

    async def _post(self, body: dict[str, Any]) -> Delivery:
        raise NotImplementedError

    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        return await self._post(render_slack(rule, article, others))

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        return await self._post(render_slack_digest(rule, title, articles))


class SlackSender(_SlackPoster):
    """An incoming webhook (its URL is a secret and never appears in outcomes)."""

    def __init__(self, url: str, timeout: float) -> None:
        self._client = AsyncWebhookClient(url, timeout=int(timeout), retry_handlers=[])

    async def _post(self, body: dict[str, Any]) -> Delivery:
        try:
            response = await self._client.send_dict(body)
        except Exception as exc:  # network errors: report, the agent decides on retries
            return from_exception(exc)
        return from_status(response.status_code, response.headers)


class SlackBotSender(_SlackPoster):
    """``chat.postMessage`` to one conversation with the bot token (``AsyncWebClient``)."""

    def __init__(self, token: SecretStr, conversation: str, slack: SlackSettings) -> None:
        self._client = AsyncWebClient(token=token.get_secret_value(), base_url=slack.api_url,
                                      timeout=int(slack.timeout_s), retry_handlers=[])
        self._conversation = conversation

    async def _post(self, body: dict[str, Any]) -> Delivery:
        try:
            response = await self._client.chat_postMessage(channel=self._conversation, **body)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            status = exc.response.status_code if exc.response is not None else 0
            headers = exc.response.headers if exc.response is not None else {}
            if 200 <= status < 300:  # ok=false: Slack refused it (e.g. channel_not_found)
                return Delivery(False, f"slack: {error}", retryable=False)
            return from_status(status, headers, f" ({error})" if error else "")
        except Exception as exc:
            return from_exception(exc)
        return from_status(response.status_code, response.headers)
