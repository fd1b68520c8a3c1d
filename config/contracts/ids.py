"""The one article id of the wire contract, and the content hash that detects revisions.

Input: URLs and article fields as strings. Output: ``canonical_url``, ``article_id`` (the
Kafka key of every article message, its Elasticsearch ``_id`` and part of the alert dedupe
key), ``content_hash``, and the validated string types ``ArticleId`` and ``StoryId``.
"""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from pydantic import StringConstraints

ARTICLE_ID_PATTERN = r"^[0-9a-f]{32}$"
#: What ``article_id()`` produces: 32 lower-case hex digits. Validated at decode, so no stage
#: (Kafka key, Elasticsearch ``_id``, alert key, mail header) ever sees anything else.
ArticleId = Annotated[str, StringConstraints(pattern=ARTICLE_ID_PATTERN)]
#: A story id (the ``article_id`` of its first article) or empty: a short ASCII token, never
#: control characters (it is part of the alert dedupe key).
StoryId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{0,64}$")]

_TRACKING_PARAMS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term",
                              "utm_content", "spm", "from", "fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Normalise a URL so that trivially different spellings of one page are equal.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters,
    sorts the query and removes a trailing ``index.html``-free slash difference at the root.
    """
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    # Keep each parameter exactly as written (percent-escapes may be GBK, not UTF-8).
    pairs = [p for p in parts.query.split("&") if p]
    query = "&".join(sorted(p for p in pairs
                            if p.split("=", 1)[0].lower() not in _TRACKING_PARAMS))
    return urlunsplit((scheme, host, path, query, ""))


def article_id(url: str) -> str:
    """The article id: first 32 hex digits of SHA-256 over the canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]


def content_hash(*parts: str | None) -> str:
    """Stable hash of an article's content, used to detect revisions."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").strip().encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]
