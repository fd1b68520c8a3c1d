"""Generic webhook: a JSON document of a documented, versioned schema, HMAC-SHA256 signed.

Input: a rule and an article (or a digest); the delivery key; a ``HookTarget`` (URL, secret).
Output: ``POST url`` with the body ``{"schema": "cgtwatch.alert/1", "kind": "alert"|"digest",
"delivery": key, "rule": ..., ...}`` and the headers ``X-Cgtwatch-Delivery`` (the delivery
key: stable across retries, for the receiver to drop repeats), ``X-Cgtwatch-Timestamp``
(Unix seconds) and, with a secret, ``X-Cgtwatch-Signature: sha256=<hex HMAC-SHA256(secret,
f"{timestamp}." + raw body)>``. A receiver recomputes the signature over the raw body and
refuses stale timestamps (``verify`` is the reference check). Answer: 2xx sent; 408, 425,
429 (``Retry-After``) and 5xx retried; other 4xx permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from alerts.channels.hook import Request, Vendor, from_status, json_body, kind
from alerts.render import StoryRef, labels_line, render_record, snippet
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.sections import HookTarget

SCHEMA = "cgtwatch.alert/1"
SIGNATURE = "X-Cgtwatch-Signature"
TIMESTAMP = "X-Cgtwatch-Timestamp"
DELIVERY = "X-Cgtwatch-Delivery"
TOLERANCE_S = 300


def _item(rule: Rule, article: ClassifiedArticle) -> dict[str, Any]:
    return {**render_record(rule, article), "source_name": article.source_name,
            "labels_detail": labels_line(article), "snippet": snippet(article)}


def render(rule: Rule, article: ClassifiedArticle, others: list[StoryRef] | None = None
           ) -> dict[str, Any]:
    return {"schema": SCHEMA, "kind": "alert", "rule": rule.name,
            "article": _item(rule, article),
            "other_sources": [{"source": o.source, "url": o.url, "title": o.title}
                              for o in others or []]}


def render_digest(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    return {"schema": SCHEMA, "kind": "digest", "rule": rule.name, "title": title,
            "count": len(articles), "articles": [_item(rule, a) for a in articles]}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, headers: Any, body: bytes, now: float | None = None) -> bool:
    """The receiver's check: the signature matches and the timestamp is recent."""
    timestamp = headers.get(TIMESTAMP) or ""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE_S:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), headers.get(SIGNATURE) or "")


def request(target: HookTarget, key: str, payload: dict[str, Any]) -> Request:
    body = json_body({**payload, "delivery": key})
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", DELIVERY: key,
               TIMESTAMP: timestamp, "User-Agent": "cgtwatch"}
    if target.secret is not None:
        headers[SIGNATURE] = sign(target.secret.get_secret_value(), timestamp, body)
    return Request(target.url.get_secret_value(), body, headers)


WEBHOOK = kind(Vendor("webhook", 0.0, render, render_digest, request,
                      lambda response: from_status("webhook", response)))
