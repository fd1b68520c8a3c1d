"""WeCom (企业微信) group robot: markdown messages to the robot's webhook.

Input: a rule and an article (or a digest); a ``HookTarget`` whose URL is the robot's
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY``. Output: ``POST`` of
``{"msgtype": "markdown", "markdown": {"content": ...}}``, the content at most 4096 bytes of
UTF-8 (cut between whole lines, never inside a character or a link). Answer: HTTP 200 with
``{"errcode": 0}`` is sent; ``45009`` (over 20 messages a minute per robot) and ``-1``
(system busy) are retried, the rate limit after 60 s; any other errcode (``93000`` invalid
webhook URL, ``40058`` bad parameter...) is permanent. The robot is paced at one message per
3 s (20 a minute).
"""

from __future__ import annotations

from typing import Any

import httpx

from alerts.channels.base import Delivery
from alerts.channels.hook import Request, Vendor, coded_answer, json_body, kind
from alerts.render import StoryRef
from alerts.render_chat import alert_markdown, digest_markdown
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget

CONTENT_BYTES = 4096
RATE_LIMITED = {45009}
BUSY = {-1}
RATE_WAIT_S = 60.0


def render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
           ) -> dict[str, Any]:
    content = alert_markdown(rule, article, others, CONTENT_BYTES, "bytes")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def render_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    content = digest_markdown(rule, title, articles, CONTENT_BYTES, "bytes")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def request(target: HookTarget, key: str, payload: dict[str, Any]) -> Request:
    return Request(target.url.get_secret_value(), json_body(payload),
                   {"Content-Type": "application/json; charset=utf-8"})


def answer(response: httpx.Response) -> Delivery:
    return coded_answer("wecom", response, "errcode", RATE_LIMITED, BUSY, RATE_WAIT_S)


WECOM = kind(Vendor("wecom", 3.0, render, render_digest, request, answer))
