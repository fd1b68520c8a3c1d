"""Pure rendering of Atom (RFC 4287) and JSON Feed 1.1 documents of CGT articles.

Input: ``FeedItem``s built from articles-index documents (``item_from_index``) or from alert
history records (``item_from_record``), a feed title, id and URL. Output: feed bytes. Entry ids
are stable (``urn:cgtwatch:article:<article_id>``), times carry their zone (UTC, RFC 3339).
Page text is untrusted as in every rendering: it goes out as plain text (Atom ``type="text"``,
JSON Feed ``content_text``; XML-escaped by the serializer), control characters are dropped,
and only http(s) URLs become links (``alerts.render.safe_url``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alerts.render import safe_url

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
ET.register_namespace("", ATOM_NS)


def clean(text: str) -> str:
    """Text that XML 1.0 can carry (no control characters)."""
    return _XML_BAD.sub("", text or "")


def entry_id(article_id: str) -> str:
    return f"urn:cgtwatch:article:{article_id}"


def rfc3339(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class FeedItem:
    article_id: str
    title: str
    url: str
    summary: str
    updated: datetime
    source: str = ""
    tags: list[str] = field(default_factory=list)
    title_en: str = ""


def _when(value: Any) -> datetime:
    try:
        found = datetime.fromisoformat(str(value))
    except ValueError:
        found = datetime.now(UTC)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def item_from_index(doc: dict[str, Any]) -> FeedItem:
    """A feed item from an articles-index document (``_source``)."""
    evidence = [e for found in (doc.get("evidence") or {}).values() for e in found or []]
    summary = evidence[0].get("snippet", "") if evidence else (doc.get("text") or "")[:300]
    return FeedItem(article_id=str(doc.get("article_id", "")), title=doc.get("title") or "",
                    url=doc.get("url") or "", summary=summary,
                    updated=_when(doc.get("classified_at") or doc.get("fetched_at")),
                    source=doc.get("source_name") or doc.get("source_id") or "",
                    tags=list(doc.get("labels") or []), title_en=doc.get("title_en") or "")


def item_from_record(record: dict[str, Any]) -> FeedItem:
    """A feed item from an alert history record (its stored classified article)."""
    article = record.get("article") or {}
    results = (article.get("classification") or {}).get("results") or {}
    evidence = [e for r in results.values() for e in r.get("evidence") or []]
    summary = evidence[0].get("snippet", "") if evidence else (article.get("text") or "")[:300]
    labels = [k for k, r in results.items() if r.get("salience", "none") != "none"]
    return FeedItem(article_id=str(record.get("article_id", "")),
                    title=record.get("title") or "", url=record.get("url") or "",
                    summary=summary, updated=_when(record.get("created_at")),
                    source=article.get("source_name") or article.get("source_id") or "",
                    tags=labels, title_en=article.get("title_en") or "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        node.text = clean(text)
    return node


def _title(item: FeedItem) -> str:
    title = item.title or item.url
    return f"{title} ({item.title_en})" if item.title_en else title


def render_atom(title: str, feed_url: str, items: list[FeedItem], updated: datetime) -> bytes:
    """An Atom feed; ``feed_url`` is its id and self link."""
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(root, "title", title, type="text")
    _sub(root, "id", feed_url)
    _sub(root, "link", rel="self", href=feed_url, type="application/atom+xml")
    _sub(root, "updated", rfc3339(max([updated, *[i.updated for i in items]])))
    _sub(_sub(root, "author"), "name", "cgtwatch")
    _sub(root, "generator", "cgtwatch")
    for item in items:
        entry = _sub(root, "entry")
        _sub(entry, "id", entry_id(item.article_id))
        _sub(entry, "title", _title(item), type="text")
        _sub(entry, "updated", rfc3339(item.updated))
        link = safe_url(item.url)
        if link:
            _sub(entry, "link", rel="alternate", href=clean(link))
        _sub(entry, "summary", item.summary, type="text")
        if item.source:
            _sub(_sub(entry, "author"), "name", item.source)
        for tag in item.tags:
            _sub(entry, "category", term=clean(tag))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render_json_feed(title: str, feed_url: str, items: list[FeedItem]) -> bytes:
    """A JSON Feed 1.1 document; ``feed_url`` is its ``feed_url``."""
    entries = []
    for item in items:
        entry: dict[str, Any] = {"id": entry_id(item.article_id), "title": clean(_title(item)),
                                 "content_text": clean(item.summary),
                                 "date_modified": rfc3339(item.updated), "tags": item.tags}
        link = safe_url(item.url)
        if link:
            entry["url"] = link
        if item.source:
            entry["authors"] = [{"name": clean(item.source)}]
        entries.append(entry)
    feed = {"version": JSON_FEED_VERSION, "title": title, "feed_url": feed_url,
            "authors": [{"name": "cgtwatch"}], "items": entries}
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
