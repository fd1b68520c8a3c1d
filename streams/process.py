"""Pure processing of one raw article: dedupe decision and classification.

Input: a ``RawArticle`` and a classifier (anything with ``classify(title, text, lang)``).
Output: a ``ClassifiedArticle`` without the page HTML, ready for ``articles.classified``.
"""

from __future__ import annotations

from typing import Protocol

from config.contracts import Classification, ClassifiedArticle, RawArticle

_RAW_ONLY = {"html", "encoding", "http_status", "list_url", "extractor", "schema_version"}


class ArticleClassifier(Protocol):
    def classify(self, title: str, text: str, lang: str | None = None) -> Classification: ...


def is_duplicate(seen_hash: str | None, raw: RawArticle) -> bool:
    """True when this exact content of this article was already processed."""
    return seen_hash is not None and seen_hash == raw.content_hash


def classify_raw(raw: RawArticle, classifier: ArticleClassifier) -> ClassifiedArticle:
    result = classifier.classify(raw.title, raw.text, raw.language or None)
    fields = raw.model_dump(exclude=_RAW_ONLY)
    return ClassifiedArticle(**fields, classification=result, story_id=raw.article_id)
