"""Helpers of article pages (pure): the extractor's name, the charset a response declares,
the readable attachment of a pointer page, and an article with an attachment's text.

Input: responses and extracted fields. Output: values for ``crawlers.engine.poll_articles``.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from config.contracts.articles import RawArticle
from config.contracts.ids import content_hash

EXTRACTOR = "cgtwatch.extract/1"
READABLE_KINDS = ("pdf", "docx", "txt")


def header_charset(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "charset=" in content_type:
        return content_type.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return None


def readable_attachment(fields: dict[str, Any]) -> dict[str, Any] | None:
    """The first attachment whose text can be read (PDF, DOCX, text)."""
    for attachment in fields.get("attachments") or []:
        if str(attachment.get("kind", "")).lower() in READABLE_KINDS and attachment.get("url"):
            return dict(attachment)
    return None


def with_text(item: RawArticle, text: str) -> RawArticle:
    return item.model_copy(update={"text": text, "content_hash": content_hash(item.title, text)})


__all__ = ["EXTRACTOR", "header_charset", "readable_attachment", "with_text"]
