"""Operations messages of the wire contract: dead letters (``articles.deadletter``) and
operator events (``ops.events``).

Input: a failing stage's exception and payload, or an operator condition. Output:
``DeadLetter`` (built with ``dead_letter_for``: a readable reason and the truncated payload)
and ``OpsEvent``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from config.contracts.wire import Message, utcnow


class DeadLetter(Message):
    """Any stage → ``articles.deadletter``: an input it could not process, and why."""

    stage: str
    error_type: str
    error: str
    topic: str = ""
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    article_id: str | None = None
    payload: str = ""
    failed_at: datetime = Field(default_factory=utcnow)


class OpsEvent(Message):
    """An operator alert: a source turned unhealthy, a channel keeps failing, ..."""

    kind: str
    subject: str
    message: str
    severity: Literal["info", "warning", "error"] = "warning"
    at: datetime = Field(default_factory=utcnow)
    details: dict[str, Any] = Field(default_factory=dict)


def dead_letter_for(stage: str, exc: BaseException, payload: bytes | str | None, **where: Any
                    ) -> DeadLetter:
    """Build a dead letter with a readable reason and the (truncated) offending payload."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else (payload or "")
    return DeadLetter(stage=stage, error_type=type(exc).__name__, error=str(exc)[:4000],
                      payload=text[:100_000], **where)
