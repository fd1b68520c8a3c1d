"""Loopback Slack stand-in for the integration tests (the demo's plain webhook recorder is
``cgtwatch.demo.receivers.SlackInbox``).

Input: HTTP posts to an incoming-webhook path (``/services/...``) or to the Web API
(``/api/chat.postMessage``), and ``GET /api/conversations.history``. Output: recorded posts
(body, time, path, token), answers as Slack documents them: refusals of invalid payloads
(``invalid`` lists why), scripted failures (429 with ``Retry-After``, 5xx), a rate limit, held
answers, and the conversation history with each bot message's ``metadata``. It can go down
(connections refused) and come back on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from cgtwatch.demo.receivers import LoopbackServer, QuietHandler


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if "application/x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(body.decode("utf-8")))
        for name in ("blocks", "attachments"):
            if name in form:
                form[name] = json.loads(form[name])
        return form
    parsed: dict[str, Any] = json.loads(body or b"{}")
    return parsed


def format_problem(path: str, headers: Any, body: bytes) -> str:
    """What Slack would refuse in this post ("" if nothing), per the documented formats of
    incoming webhooks (JSON ``text`` and/or ``blocks``) and ``chat.postMessage`` (bearer
    token, ``channel``, ``metadata`` with ``event_type`` and ``event_payload``)."""
    if "application/json" not in headers.get("Content-Type", ""):
        return "invalid_content_type"
    try:
        payload = json.loads(body)
    except ValueError:
        return "invalid_json"
    blocks = payload.get("blocks") or []
    if not (payload.get("text") or blocks):
        return "no_text"
    if not isinstance(blocks, list) or len(blocks) > 50 or any(
            len((b.get("text") or {}).get("text", "")) > 3000 for b in blocks
            if b.get("type") == "section"):
        return "invalid_blocks"
    if len(payload.get("text") or "") > 40_000:
        return "msg_too_long"
    if path.startswith("/api/"):
        if not headers.get("Authorization", "").startswith("Bearer xox"):
            return "not_authed"
        if not payload.get("channel"):
            return "channel_not_found"
        meta = payload.get("metadata")
        if meta is not None and not (isinstance(meta, dict)
                                     and isinstance(meta.get("event_type"), str)
                                     and isinstance(meta.get("event_payload"), dict)):
            return "invalid_metadata_format"
    return ""


@dataclass
class SlackReceiver:
    """Records webhook and ``chat.postMessage`` posts. ``statuses`` answers the first posts
    with those statuses in order (e.g. ``[429, 500]``); then ``fail_first`` answers the next
    posts with ``fail_status``. ``retry_after`` is sent with every 429. ``min_interval_s``
    answers 429 to a post sooner than that after the last accepted one (``too_fast`` counts
    them); ``hold_s`` holds the answer to an accepted post (recorded on arrival)."""

    fail_first: int = 0
    fail_status: int = 429
    posts: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    retry_after: str = "1"
    times: list[float] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    min_interval_s: float = 0.0
    too_fast: int = 0
    hold_s: float = 0.0
    invalid: list[str] = field(default_factory=list)
    #: what ``conversations.history`` returns: (ts, channel, metadata) of each bot message
    history: list[tuple[float, str, dict[str, Any] | None]] = field(default_factory=list)

    def _status(self, scripted: int) -> int:
        self.attempts += 1
        if self.statuses:
            return self.statuses.pop(0)
        failing = self.attempts - scripted <= self.fail_first
        status = self.fail_status if failing else 200
        if status == 200 and self.times and time.time() - self.times[-1] < self.min_interval_s:
            self.too_fast += 1
            return 429
        return status

    def _record(self, path: str, headers: Any, body: bytes) -> None:
        post = _parse_body(body, headers.get("Content-Type", ""))
        self.posts.append(post)
        self.times.append(time.time())
        self.paths.append(path)
        self.tokens.append(headers.get("Authorization", ""))
        if path.startswith("/api/"):
            self.history.append((self.times[-1], str(post.get("channel")), post.get("metadata")))

    def _history(self, query: dict[str, str]) -> dict[str, Any]:
        oldest = float(query.get("oldest") or 0)
        metadata = query.get("include_all_metadata") in ("1", "true", "True")
        messages = []
        for ts, channel, meta in reversed(self.history):  # newest first, as Slack does
            if channel == query.get("channel") and ts >= oldest:
                message: dict[str, Any] = {"type": "message", "ts": f"{ts:.6f}"}
                if metadata and meta:
                    message["metadata"] = meta
                messages.append(message)
        return {"ok": True, "messages": messages, "has_more": False}

    def __post_init__(self) -> None:
        receiver = self
        scripted = len(self.statuses)

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server dispatches by name)
                path, _, query = self.path.partition("?")
                if path != "/api/conversations.history":
                    self.send_error(404)
                    return
                with lock:
                    answer = receiver._history(dict(parse_qsl(query)))
                self._json(200, answer)

            def do_POST(self) -> None:  # noqa: N802 (http.server dispatches by name)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                api = self.path.startswith("/api/")
                problem = format_problem(self.path, self.headers, body)
                if problem:
                    receiver.invalid.append(problem)
                    self._reply(200 if api else 400, api, problem)
                    return
                with lock:
                    status = receiver._status(scripted)
                    if status == 200:
                        receiver._record(self.path, self.headers, body)
                if status == 200 and receiver.hold_s:
                    time.sleep(receiver.hold_s)
                self._reply(status, api)

            def _json(self, status: int, answer: dict[str, Any]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def _reply(self, status: int, api: bool, problem: str = "") -> None:
                if api:
                    ok = status == 200 and not problem
                    error = problem or ("ratelimited" if status == 429 else "fatal_error")
                    answer = {"ok": ok, "channel": "C1", "ts": f"{time.time():.6f}"} if ok else {
                        "ok": False, "error": error}
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", receiver.retry_after)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(json.dumps(answer).encode())
                    return
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", receiver.retry_after)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else (problem or "rate_limited").encode())

        lock = threading.Lock()
        self._handler = Handler
        self.http = LoopbackServer(Handler)

    @property
    def url(self) -> str:
        return f"{self.http.base_url}/services/demo"

    @property
    def api_url(self) -> str:
        """Base URL of the Slack Web API stand-in (``CGTWATCH_SLACK__API_URL``)."""
        return f"{self.http.base_url}/api/"

    def start(self) -> SlackReceiver:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()

    def down(self) -> None:
        """Stop listening: connections are refused until ``up``."""
        self.stop()

    def up(self) -> None:
        """Listen again on the same port."""
        self.http = LoopbackServer(self._handler, self.http.port).start()
