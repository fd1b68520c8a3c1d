"""Pure construction of the raw-article message from a fetched page.

Input: the source, the page URL, its bytes and encoding, the extractor's fields and the list
entry that led to it. Output: a ``RawArticle`` (revision 1; the seen-store sets the real one)
whose ``published`` carries a UTC offset (the page's own, else the source's ``timezone``).
"""

from __future__ import annotations

from typing import Any

from config.contracts.articles import Attachment, RawArticle
from config.contracts.ids import article_id, content_hash
from config.sources import Source
from config.timezones import aware_published

MAX_HTML_CHARS = 3_000_000


def _attachments(values: Any) -> list[Attachment]:
    out = []
    for item in values or []:
        if isinstance(item, dict) and item.get("url"):
            out.append(Attachment(url=str(item["url"]), name=str(item.get("name") or ""),
                                  kind=str(item.get("kind") or "")))
    return out


def published_at(source: Source, extracted: Any, listed: str | None) -> str | None:
    """The publication time with its offset: the page's own, else the source's zone."""
    zone = source.zone_name
    return (aware_published(str(extracted), zone) if extracted else None) or (
        aware_published(listed, zone) if listed else None)


def build_raw_article(source: Source, url: str, html: str, encoding: str,
                      fields: dict[str, Any], listed_title: str = "",
                      listed_date: str | None = None, list_url: str | None = None,
                      status: int = 200, extractor: str = "") -> RawArticle:
    """Combine extractor output with list-page hints (title and date) into a message."""
    title = str(fields.get("title") or listed_title or "").strip()
    text = str(fields.get("text") or "").strip()
    return RawArticle(
        article_id=article_id(url), url=url, source_id=source.id, source_name=source.name,
        source_kind=source.kind, region=source.region, title=title,
        published=published_at(source, fields.get("date"), listed_date), text=text,
        language=str(fields.get("language") or source.language),
        author=fields.get("author"), issuer=fields.get("issuer"),
        doc_number=fields.get("doc_number"), attachments=_attachments(fields.get("attachments")),
        content_hash=content_hash(title, text), html=html[:MAX_HTML_CHARS], encoding=encoding,
        http_status=status, list_url=list_url, extractor=extractor)
