"""The item the engine's spider hands to its pipelines: an article and how it was fetched.

Input: a ``RawArticle`` built from a page, the page's ``ETag``/``Last-Modified`` and the key of
the job that fetched it. Output: one value that carries everything the pipelines need (they
store the validators with the published revision), so no state is shared through the spider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from config.contracts.articles import RawArticle
from config.contracts.ids import content_hash


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    article: RawArticle
    etag: str | None = None
    last_modified: str | None = None
    run_key: str = ""
    recheck: bool = False  # a known article fetched again to look for an edit

    def with_text(self, text: str) -> FetchedArticle:
        """The same fetch with the article's text replaced (an attachment's text)."""
        article = self.article.model_copy(update={
            "text": text, "content_hash": content_hash(self.article.title, text)})
        return replace(self, article=article)
