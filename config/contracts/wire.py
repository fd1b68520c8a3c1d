"""The message base of the wire contract: strict fields, a schema version, JSON both ways.

Input: a message model and bytes or text read from Kafka. Output: ``Message`` (``encode()``
gives UTF-8 JSON), ``decode`` (validates, raising ``pydantic.ValidationError`` naming the
failing fields) and ``utcnow``, the clock every message's default timestamps use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Message(BaseModel):
    """Base of every message on the wire: strict fields, a schema version, JSON encoding."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    schema_version: Literal[1] = 1

    def encode(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


M = TypeVar("M", bound=Message)


def decode(model: type[M], data: bytes | str, labels: tuple[str, ...] | None = None) -> M:
    """Parse a wire message; raises ``pydantic.ValidationError`` with the failing fields.
    With ``labels`` (a taxonomy's label names) a classification naming others is refused."""
    context = {"labels": labels} if labels is not None else None
    return model.model_validate_json(data, context=context)
