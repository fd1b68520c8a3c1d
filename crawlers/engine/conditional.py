"""Conditional GET and re-check decisions for the generic spider (pure).

Input: a stored ``SeenRecord`` (validators, first seen) and response headers. Output: the
``If-None-Match``/``If-Modified-Since`` headers to send, the validators to keep, and whether
a known article is young enough to be re-checked for edits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


def should_recheck(record: SeenRecord, now: datetime, within_days: float) -> bool:
    """Known articles first seen less than ``within_days`` ago are fetched again (edits)."""
    if within_days <= 0 or not record.first_seen:
        return False
    try:
        first = datetime.fromisoformat(record.first_seen)
    except ValueError:
        return False
    return now - first < timedelta(days=within_days)
