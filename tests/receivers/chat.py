"""Loopback stand-ins for chat robots and webhooks (WeCom, DingTalk, Feishu/Lark, Teams
Workflows, a generic signed webhook) for the integration tests.

Input: HTTP posts to the vendor's documented path. Output: each request checked as the vendor
documents it (path and key/token, JSON body, message type and fields, size limits, signature
and timestamp recomputed here independently of the senders), recorded when accepted, and
answered in the vendor's own shape: WeCom/DingTalk ``{"errcode": ...}``, Feishu ``{"code":
...}``, Teams ``202``, the webhook ``204``. ``script`` answers the first accepted posts with
the given (status, body, headers) instead; ``min_interval_s`` answers the vendor's rate-limit
error to a post sooner than that after the last accepted one. ``invalid`` lists refusals.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cgtwatch.demo.receivers import LoopbackServer, QuietHandler

Answer = tuple[int, dict[str, Any] | None, dict[str, str]]
CARD = "application/vnd.microsoft.card.adaptive"
#: path (with ``{key}``), success answer, rate-limit answer, refusal answer per vendor
VENDORS: dict[str, tuple[str, Answer, Answer, Answer]] = {
    "wecom": ("/cgi-bin/webhook/send?key={key}", (200, {"errcode": 0, "errmsg": "ok"}, {}),
              (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, {}),
              (200, {"errcode": 40058, "errmsg": "invalid parameter"}, {})),
    "dingtalk": ("/robot/send?access_token={key}", (200, {"errcode": 0, "errmsg": "ok"}, {}),
                 (200, {"errcode": 130101, "errmsg": "send too fast"}, {}),
                 (200, {"errcode": 310000, "errmsg": "sign not match"}, {})),
    "feishu": ("/open-apis/bot/v2/hook/{key}", (200, {"code": 0, "msg": "success", "data": {}},
                                                 {}),
               (200, {"code": 9499, "msg": "too many request", "data": {}}, {}),
               (400, {"code": 19021, "msg": "sign match fail or timestamp is not within one "
                      "hour from current time", "data": {}}, {})),
    "teams": ("/workflows/w1/triggers/manual/paths/invoke?sig={key}", (202, None, {}),
              (429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"}),
              (400, {"error": {"code": "InvalidRequestContent"}}, {})),
    "webhook": ("/hooks/{key}", (204, None, {}), (429, None, {"Retry-After": "1"}),
                (401, None, {})),
}


def _hmac64(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def _fresh(seconds: float, window: float = 3600) -> bool:
    return abs(time.time() - seconds) <= window


def check_wecom(query: dict[str, str], headers: Any, body: bytes, key: str, secret: str) -> str:
    payload = json.loads(body)
    if query.get("key") != key:
        return "invalid webhook url (key)"
    if payload.get("msgtype") != "markdown" or not isinstance(
            (payload.get("markdown") or {}).get("content"), str):
        return "markdown.content missing"
    if len(payload["markdown"]["content"].encode("utf-8")) > 4096:
        return "content exceeds 4096 bytes"
    return ""


def check_dingtalk(query: dict[str, str], headers: Any, body: bytes, key: str,
                   secret: str) -> str:
    payload = json.loads(body)
    if query.get("access_token") != key:
        return "token invalid"
    stamp = query.get("timestamp", "")
    if not stamp.isdigit() or not _fresh(int(stamp) / 1000):
        return "timestamp invalid"
    expected = _hmac64(secret.encode(), f"{stamp}\n{secret}".encode())
    if not hmac.compare_digest(expected, query.get("sign", "")):  # parse_qs url-decoded it
        return "sign not match"
    markdown = payload.get("markdown") or {}
    if payload.get("msgtype") != "markdown" or not markdown.get("title") or not isinstance(
            markdown.get("text"), str):
        return "markdown.title/text missing"
    if len(markdown["text"].encode("utf-8")) > 20000:
        return "text exceeds 20000 bytes"
    return ""


def check_feishu(query: dict[str, str], headers: Any, body: bytes, key: str,
                 secret: str) -> str:
    if len(body) > 20 * 1024:
        return "request body exceeds 20 KB"
    payload = json.loads(body)
    stamp = str(payload.get("timestamp", ""))
    if not stamp.isdigit() or not _fresh(int(stamp)):
        return "timestamp is not within one hour"
    if not hmac.compare_digest(_hmac64(f"{stamp}\n{secret}".encode(), b""),
                               str(payload.get("sign", ""))):
        return "sign match fail"
    kind = payload.get("msg_type")
    if kind == "interactive":
        card = payload.get("card") or {}
        if not isinstance(card.get("elements"), list) or not card["elements"]:
            return "card.elements missing"
    elif kind not in ("text", "post"):
        return f"msg_type {kind!r}"
    return ""


def check_teams(query: dict[str, str], headers: Any, body: bytes, key: str, secret: str) -> str:
    if query.get("sig") != key:
        return "unauthorized (sig)"
    if len(body) > 28 * 1024:
        return "payload exceeds 28 KB"
    payload = json.loads(body)
    attachments = payload.get("attachments")
    if payload.get("type") != "message" or not isinstance(attachments, list) or not attachments:
        return "type message with attachments expected"
    for item in attachments:
        content = item.get("content") or {}
        if item.get("contentType") != CARD or "contentUrl" not in item or (
                content.get("type") != "AdaptiveCard" or not content.get("version")
                or not isinstance(content.get("body"), list)):
            return "adaptive card attachment expected"
    return ""


def check_webhook(query: dict[str, str], headers: Any, body: bytes, key: str,
                  secret: str) -> str:
    stamp = headers.get("X-Cgtwatch-Timestamp") or ""
    if not stamp.isdigit() or not _fresh(int(stamp), 300):
        return "stale or missing timestamp"
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest("sha256=" + mac, headers.get("X-Cgtwatch-Signature") or ""):
        return "bad signature"
    payload = json.loads(body)
    if payload.get("schema") != "cgtwatch.alert/1" or payload.get("kind") not in (
            "alert", "digest"):
        return "unknown schema"
    if not headers.get("X-Cgtwatch-Delivery") or (
            headers["X-Cgtwatch-Delivery"] != payload.get("delivery")):
        return "delivery id header missing or not the body's"
    return ""


CHECKS = {"wecom": check_wecom, "dingtalk": check_dingtalk, "feishu": check_feishu,
          "teams": check_teams, "webhook": check_webhook}


@dataclass
class ChatReceiver:
    """One vendor's robot on loopback (``url`` is what goes in ``CGTWATCH_HOOKS__X__URL``)."""

    vendor: str
    key: str = "k3y"
    secret: str = "SECdemo-secret"
    script: list[Answer] = field(default_factory=list)
    min_interval_s: float = 0.0
    hold_s: float = 0.0
    posts: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    attempts: int = 0
    too_fast: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.http = LoopbackServer(self._handler())

    @property
    def url(self) -> str:
        return self.http.base_url + VENDORS[self.vendor][0].format(key=self.key)

    def answer(self, path: str, headers: Any, query: dict[str, str], body: bytes) -> Answer:
        route, ok, limited, refused = VENDORS[self.vendor]
        try:
            problem = CHECKS[self.vendor](query, headers, body, self.key, self.secret)
        except (ValueError, AttributeError, TypeError):
            problem = "invalid JSON body"
        if path != route.format(key=self.key).partition("?")[0]:
            problem = f"unknown path {path}"
        if "application/json" not in headers.get("Content-Type", ""):
            problem = problem or "content type not JSON"
        with self._lock:
            self.attempts += 1
            if problem:
                self.invalid.append(problem)
                return refused
            if self.script:
                return self.script.pop(0)
            if self.times and time.time() - self.times[-1] < self.min_interval_s:
                self.too_fast += 1
                return limited
            self.posts.append(json.loads(body))
            self.headers.append(dict(headers.items()))
            self.times.append(time.time())
        return ok

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server dispatches by name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, answer, extra = receiver.answer(parts.path, self.headers, query, body)
                if receiver.hold_s and 200 <= status < 300:
                    time.sleep(receiver.hold_s)
                data = json.dumps(answer).encode() if answer is not None else b""
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (a held answer)

        return Handler

    def start(self) -> ChatReceiver:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()
