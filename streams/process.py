"""Pure processing of one raw article: dedupe decision, story assignment and classification.

Input: a ``RawArticle``, a classifier (anything with ``classify(title, text, lang)``) and,
for stories, a read-only view of the band index (``band -> entry``, see ``streams.stories``).
Output: a ``ClassifiedArticle`` without the page HTML, ready for ``articles.classified``, and
the band entries to record once it is delivered; ``Overlay`` lets a batch's later articles see
the entries of its earlier ones before they are recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from config.contracts.articles import Classification, ClassifiedArticle, RawArticle
from streams import stories

_RAW_ONLY = {"html", "encoding", "http_status", "list_url", "extractor", "schema_version"}


class ArticleClassifier(Protocol):
    def classify(self, title: str, text: str, lang: str | None = None) -> Classification: ...


@dataclass(frozen=True)
class StoryDecision:
    """The story of an article and the band entries to record after delivery."""

    story_id: str
    entries: dict[str, str] = field(default_factory=dict)


class Overlay(Mapping[str, str]):
    """``pending`` over ``base`` (read-only view): a batch's band entries, recorded only after
    its outputs are acknowledged, are seen by the batch's later articles."""

    def __init__(self, pending: Mapping[str, str], base: Mapping[str, str]) -> None:
        self.pending, self.base = pending, base

    def __getitem__(self, key: str) -> str:
        return self.pending[key] if key in self.pending else self.base[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Without a ``KeyError`` per missing key (``Mapping.get`` raises and catches one,
        and most bands of a new article are missing)."""
        found = self.pending.get(key)
        return self.base.get(key, default) if found is None else found

    def __iter__(self) -> Iterator[str]:
        yield from self.pending
        yield from (key for key in self.base if key not in self.pending)

    def __len__(self) -> int:
        return len(self.pending) + sum(key not in self.pending for key in self.base)


def is_duplicate(seen_hash: str | None, raw: RawArticle) -> bool:
    """True when this exact content of this article was already processed."""
    return seen_hash is not None and seen_hash == raw.content_hash


def decide_story(raw: RawArticle, lookup: Mapping[str, str]) -> StoryDecision:
    """Re-posts of a notice seen before (other sites, new header, small edits) join its story;
    anything else starts a story named by its own ``article_id``."""
    keys = stories.bands(stories.signature(raw.title, raw.text))
    story_id = stories.assign_story(keys, lookup, raw.article_id, raw.source_id)
    day = raw.fetched_at.date().isoformat()
    return StoryDecision(story_id, stories.new_entries(keys, lookup, story_id, raw.source_id,
                                                       day))


def classify_raw(raw: RawArticle, classifier: ArticleClassifier,
                 story_id: str | None = None) -> ClassifiedArticle:
    """Classify ``raw``; ``story_id`` defaults to the article's own id (a story of one)."""
    result = classifier.classify(raw.title, raw.text, raw.language or None)
    fields = raw.model_dump(exclude=_RAW_ONLY)
    return ClassifiedArticle(**fields, classification=result,
                             story_id=story_id or raw.article_id)
