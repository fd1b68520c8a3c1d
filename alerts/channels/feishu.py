"""Feishu / Lark custom bot with signature verification: interactive cards.

Input: a rule and an article (or a digest); a ``HookTarget`` whose URL is the bot's
``https://open.feishu.cn/open-apis/bot/v2/hook/<token>`` (Lark:
``open.larksuite.com``) and whose secret is the bot's signing secret. Output: ``POST`` of
``{"timestamp": "<seconds>", "sign": base64(HmacSHA256(key=f"{timestamp}\\n{secret}",
msg=b"")), "msg_type": "interactive", "card": {header, one lark_md div}}``, signed at each
send (Feishu refuses a timestamp more than an hour off), the request body at most 20 KB
(the card text is cut to fit, between whole lines). Answer: ``{"code": 0}`` is sent;
``9499`` and ``11232`` (rate limited: 100 a minute, 5 a second per bot) are retried after
10 s; other codes (``19021`` bad signature or stale timestamp, ``19024`` keyword missing,
``19001`` bad params) are permanent. Paced at one message per 0.6 s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx

from alerts.channels.base import Delivery
from alerts.channels.hook import Request, Vendor, coded_answer, json_body, kind
from alerts.render import StoryRef
from alerts.render_chat import alert_markdown, alert_title, digest_markdown, digest_title
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget

BODY_BYTES = 20 * 1024
TEXT_BYTES = 18 * 1024  # the card text; the envelope and JSON escaping take the rest
RATE_LIMITED = {9499, 11232}


def card(title: str, text: str) -> dict[str, Any]:
    return {"config": {"wide_screen_mode": True},
            "header": {"template": "blue", "title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}]}


def render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
           ) -> dict[str, Any]:
    text = alert_markdown(rule, article, others, TEXT_BYTES, "bytes", quote="")
    return {"msg_type": "interactive", "card": card(alert_title(article), text)}


def render_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    text = digest_markdown(rule, title, articles, TEXT_BYTES, "bytes")
    return {"msg_type": "interactive", "card": card(digest_title(title, len(articles)), text)}


def sign(secret: str, timestamp: str) -> str:
    """``sign`` as Feishu documents it: the key is ``timestamp + "\\n" + secret``, the
    message empty."""
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def request(target: HookTarget, key: str, payload: dict[str, Any]) -> Request:
    signed: dict[str, Any] = {}
    if target.secret is not None:
        timestamp = str(int(time.time()))
        signed = {"timestamp": timestamp,
                  "sign": sign(target.secret.get_secret_value(), timestamp)}
    body = json_body({**signed, **payload})
    if len(body) > BODY_BYTES:
        raise ValueError(f"feishu: request body of {len(body)} bytes (at most {BODY_BYTES})")
    return Request(target.url.get_secret_value(), body,
                   {"Content-Type": "application/json; charset=utf-8"})


def answer(response: httpx.Response) -> Delivery:
    return coded_answer("feishu", response, "code", RATE_LIMITED, set(), 10.0)


FEISHU = kind(Vendor("feishu", 0.6, render, render_digest, request, answer, needs_secret=True))
