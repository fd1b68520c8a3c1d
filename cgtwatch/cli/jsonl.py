"""One line of ``classify``/``eval`` input, parsed and checked: ``{id, title, text, lang?}``.

Input: a file path, a line number and the line. Output: an ``InputArticle``, or a
``BadLineError`` naming the file, the line and the problem. A module of its own so that
pydantic loads only when a command reads input (``cgtwatch --help`` stays fast).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError


class InputArticle(BaseModel):
    """One line of ``classify`` input."""

    model_config = ConfigDict(extra="ignore")
    id: str | int
    title: str = ""
    text: str
    lang: str | None = None


class BadLineError(ValueError):
    def __init__(self, path: Path, number: int, reason: str) -> None:
        super().__init__(f"{path} line {number}: {reason}")


def _reason(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts)


def parse_line(path: Path, number: int, line: str) -> InputArticle:
    """One input line as an article, or ``BadLineError`` naming the file, line and problem."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON ({exc.msg} at column {exc.colno})"
        raise BadLineError(path, number, reason) from exc
    if not isinstance(data, dict):
        raise BadLineError(path, number, f"expected a JSON object, got {type(data).__name__}")
    try:
        return InputArticle.model_validate(data)
    except ValidationError as exc:
        raise BadLineError(path, number, _reason(exc)) from exc


