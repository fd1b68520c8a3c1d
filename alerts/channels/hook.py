"""What the chat robots and webhooks share: one signed HTTPS POST per delivery (httpx), its
outcome classified, and the registry entry built from a vendor's three functions.

Input: a vendor (``Vendor``: render, request, answer), a named ``HookTarget`` of the settings
(URL with the vendor's key, signing secret). Output: a ``Sender`` whose ``deliver`` signs the
stored payload at send time (a retry hours later carries a fresh timestamp), posts it and
returns a ``Delivery``. A connection never made is retryable; a request sent without an
answer (read timeout, reset) is ambiguous; the vendor's ``answer`` reads HTTP status and the
vendor's error code. None of these vendors can be asked whether a message arrived
(``delivered`` is ``None``): ``on_interrupted`` decides, default ``resend``. The URL and the
secret are unwrapped only here and never appear in an outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from alerts.channels.base import (
    ChannelKind,
    Delivery,
    Interrupted,
    NoCheck,
    Payload,
    RenderOne,
    Sender,
)
from alerts.channels.local import MisconfiguredSender
from alerts.render import StoryRef
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget
from config.settings import Settings

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
RETRYABLE_STATUS = {408, 425, 429}


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


RenderDigest = Callable[[Rule, str, list[ClassifiedArticle]], Payload]
MakeRequest = Callable[[HookTarget, str, Payload], Request]
ReadAnswer = Callable[[httpx.Response], Delivery]


@dataclass(frozen=True)
class Vendor:
    """A channel type: its name, pace, rendering, request (signing) and answer reading."""

    name: str
    min_interval_s: float
    render: RenderOne
    render_digest: RenderDigest
    request: MakeRequest
    answer: ReadAnswer
    needs_secret: bool = False


def retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def json_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def from_status(vendor: str, response: httpx.Response) -> Delivery:
    """An HTTP answer: 2xx sent; 408, 425, 429 and 5xx retryable (with Retry-After); other
    4xx permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return Delivery(True)
    retryable = status in RETRYABLE_STATUS or status >= 500
    return Delivery(False, f"{vendor}: HTTP {status}", retry_after(response), retryable)


def vendor_code(response: httpx.Response, field: str) -> tuple[int | None, str]:
    """The vendor's error code and message in a JSON answer (``None`` if not JSON)."""
    try:
        answer = response.json()
    except ValueError:
        return None, ""
    if not isinstance(answer, dict) or not isinstance(answer.get(field), int):
        return None, ""
    return int(answer[field]), str(answer.get("errmsg") or answer.get("msg") or "")[:120]


def coded_answer(vendor: str, response: httpx.Response, field: str, rate_limited: set[int],
                 busy: set[int], rate_wait_s: float) -> Delivery:
    """HTTP status first, then the vendor's JSON error code: 0 sent; a rate-limit code
    retried after ``rate_wait_s``; a busy code retried with backoff; any other permanent."""
    code, message = vendor_code(response, field)
    if code is None:
        outcome = from_status(vendor, response)
        return outcome if not outcome.ok else Delivery(
            False, f"{vendor}: answer without {field}", retryable=False)
    if code == 0 and 200 <= response.status_code < 300:
        return Delivery(True)
    error = f"{vendor}: {field} {code} {message}".strip()
    if code in rate_limited:
        return Delivery(False, error, retry_after=retry_after(response) or rate_wait_s)
    if code in busy or response.status_code >= 500:
        return Delivery(False, error, retry_after(response))
    return Delivery(False, error, retryable=False)


class HookSender(NoCheck):
    """One channel of a ``Vendor`` posting to one ``HookTarget``."""

    def __init__(self, vendor: Vendor, target: HookTarget,
                 on_interrupted: Interrupted | None = None,
                 min_interval_s: float | None = None) -> None:
        self.vendor, self._target = vendor, target
        self.on_interrupted: Interrupted = on_interrupted or "resend"
        self.min_interval_s = (vendor.min_interval_s if min_interval_s is None
                               else min_interval_s)

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload:
        return self.vendor.render(rule, article, others)

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload:
        return self.vendor.render_digest(rule, title, articles)

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        request = self.vendor.request(self._target, key, payload)
        try:
            async with httpx.AsyncClient(timeout=self._target.timeout_s,
                                         follow_redirects=False) as client:
                response = await client.post(request.url, content=request.body,
                                             headers=request.headers)
        except NOT_SENT as exc:
            return Delivery(False, f"{self.vendor.name}: {type(exc).__name__}",
                            unreachable=True)
        except httpx.HTTPError as exc:  # sent, no answer: it may have arrived
            return Delivery(False, f"{self.vendor.name}: {type(exc).__name__}",
                            retryable=False, ambiguous=True)
        return self.vendor.answer(response)


def _check(vendor: Vendor) -> Callable[[Any, Settings], list[str]]:
    def check(channel: Any, settings: Settings) -> list[str]:
        target = settings.hooks.get(channel.hook)
        variable = f"CGTWATCH_HOOKS__{channel.hook.upper()}"
        if target is None:
            return [f"channel {channel.name!r}: no hook named {channel.hook!r}; set "
                    f"{variable}__URL"]
        if vendor.needs_secret and target.secret is None:
            return [f"channel {channel.name!r}: {vendor.name} needs the signing secret; set "
                    f"{variable}__SECRET"]
        return []
    return check


def kind(vendor: Vendor) -> ChannelKind:
    """The registry entry of a vendor: a misconfigured channel fails its deliveries at once,
    saying which variable to set."""
    check = _check(vendor)

    def build(channel: Any, settings: Settings) -> Sender:
        problems = check(channel, settings)
        if problems:
            return MisconfiguredSender(problems[0])
        return HookSender(vendor, settings.hooks[channel.hook], channel.on_interrupted,
                          channel.min_interval_s)

    return ChannelKind(build=build, check=check, render=vendor.render)
