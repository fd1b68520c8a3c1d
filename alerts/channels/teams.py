"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): Adaptive Cards.

Input: a rule and an article (or a digest); a ``HookTarget`` whose URL is the workflow's
HTTP trigger URL (its ``sig`` query parameter is the secret). Output: ``POST`` of
``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": {"$schema":
"http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version":
"1.4", "body": [TextBlock title, TextBlock markdown]}}]}``, the payload at most 28 KB (the
text is cut to fit between whole lines). Answer: 2xx (202 Accepted) is sent; 429 (with
``Retry-After``), 408 and 5xx are retried; other 4xx are permanent. Paced at one message per
second.
"""

from __future__ import annotations

from typing import Any

from alerts.channels.hook import Request, Vendor, from_status, json_body, kind
from alerts.render import StoryRef
from alerts.render_chat import alert_markdown, alert_title, digest_markdown, digest_title
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget

PAYLOAD_BYTES = 28 * 1024
TEXT_BYTES = 24 * 1024  # the card text; the envelope and JSON escaping take the rest
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def message(title: str, text: str) -> dict[str, Any]:
    body = [{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium",
             "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True}]
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4",
                    "body": body}}]}


def render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
           ) -> dict[str, Any]:
    text = alert_markdown(rule, article, others, TEXT_BYTES, "bytes", quote="")
    return message(alert_title(article), text.replace("\n", "\n\n"))


def render_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    text = digest_markdown(rule, title, articles, TEXT_BYTES // 2, "bytes")
    return message(digest_title(title, len(articles)), text.replace("\n", "\n\n"))


def request(target: HookTarget, key: str, payload: dict[str, Any]) -> Request:
    body = json_body(payload)
    if len(body) > PAYLOAD_BYTES:
        raise ValueError(f"teams: payload of {len(body)} bytes (at most {PAYLOAD_BYTES})")
    return Request(target.url.get_secret_value(), body,
                   {"Content-Type": "application/json; charset=utf-8"})


TEAMS = kind(Vendor("teams", 1.0, render, render_digest, request,
                    lambda response: from_status("teams", response)))
