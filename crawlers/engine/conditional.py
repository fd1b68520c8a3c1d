"""Conditional GET and re-check decisions for the generic spider (pure).

Input: a stored ``SeenRecord`` (validators, first seen) and response headers. Output: the
``If-None-Match``/``If-Modified-Since`` headers to send and the validators to keep. When a
known article is re-checked is ``crawlers.engine.recheck``.
"""

from __future__ import annotations

from scrapy.http import Response

from crawlers.state.seen import SeenRecord

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)
NOT_MODIFIED = 304


def conditional_headers(record: SeenRecord | None) -> dict[str, str]:
    if record is None:
        return {}
    headers = {}
    if record.etag:
        headers["If-None-Match"] = record.etag
    if record.last_modified:
        headers["If-Modified-Since"] = record.last_modified
    return headers


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def validators(response: Response) -> Validators:
    return _header(response, b"ETag"), _header(response, b"Last-Modified")
