"""DingTalk (钉钉) custom robot with a signing secret: markdown messages.

Input: a rule and an article (or a digest); a ``HookTarget`` whose URL is the robot's
``https://oapi.dingtalk.com/robot/send?access_token=TOKEN`` and whose secret is the robot's
``SEC...`` signing secret. Output: ``POST url&timestamp=<ms>&sign=<urlencode(base64(
HmacSHA256(key=secret, msg=f"{timestamp}\\n{secret}")))>`` (signed at each send: DingTalk
refuses a timestamp older than an hour) of ``{"msgtype": "markdown", "markdown": {"title":
..., "text": ...}}``, the text at most 18000 bytes of UTF-8 (DingTalk allows 20000). Answer:
``errcode`` 0 is sent; ``130101`` (over 20 messages a minute) is retried after 60 s, ``-1``
(busy) with backoff; other codes (``310000`` signature, keyword or IP refused, ``300001``
bad token, ``400102`` robot disabled) are permanent. Paced at one message per 3 s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote

import httpx

from alerts.channels.base import Delivery
from alerts.channels.hook import Request, Vendor, coded_answer, json_body, kind
from alerts.render import StoryRef
from alerts.render_chat import alert_markdown, alert_title, digest_markdown, digest_title
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget

TEXT_BYTES = 18000
RATE_LIMITED = 130101


def render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
           ) -> dict[str, Any]:
    text = alert_markdown(rule, article, others, TEXT_BYTES, "bytes")
    return {"msgtype": "markdown", "markdown": {"title": alert_title(article), "text": text}}


def render_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    text = digest_markdown(rule, title, articles, TEXT_BYTES, "bytes")
    return {"msgtype": "markdown", "markdown": {"title": digest_title(title, len(articles)),
                                                "text": text}}


def sign(secret: str, timestamp_ms: str) -> str:
    """``sign`` as DingTalk documents it, URL-encoded for the query."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote(base64.b64encode(mac.digest()).decode(), safe="")


def request(target: HookTarget, key: str, payload: dict[str, Any]) -> Request:
    url = target.url.get_secret_value()
    if target.secret is not None:
        timestamp = str(int(time.time() * 1000))
        url += f"{'&' if '?' in url else '?'}timestamp={timestamp}&sign=" + sign(
            target.secret.get_secret_value(), timestamp)
    return Request(url, json_body(payload), {"Content-Type": "application/json; charset=utf-8"})


def answer(response: httpx.Response) -> Delivery:
    return coded_answer("dingtalk", response, "errcode", {RATE_LIMITED}, {-1}, 60.0)


DINGTALK = kind(Vendor("dingtalk", 3.0, render, render_digest, request, answer,
                       needs_secret=True))
