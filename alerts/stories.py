"""Best-effort lookup of a story's other sources in the articles index.

Input: a ``ClassifiedArticle`` with a ``story_id``. Output: ``StoryRef``s of the other
articles of that story already indexed (other sources reporting it). Never fails a delivery:
a slow or failing lookup gives an empty list.
"""

from __future__ import annotations

import asyncio
import logging

from elasticsearch import AsyncElasticsearch

from alerts.render import StoryRef
from config.contracts.articles import ClassifiedArticle
from config.settings import Settings

log = logging.getLogger(__name__)


def articles_index(settings: Settings) -> str:
    """The articles alias the indexer writes (``<prefix>-articles``)."""
    return f"{settings.elastic.index_prefix}-articles"


def story_query(article: ClassifiedArticle) -> dict[str, object]:
    return {"bool": {"filter": [{"term": {"story_id": article.story_id}}],
                     "must_not": [{"term": {"article_id": article.article_id}}]}}


class StoryLookup:
    def __init__(self, es: AsyncElasticsearch, index: str, timeout_s: float = 2.0) -> None:
        self._es, self._index, self._timeout = es, index, timeout_s

    async def others(self, article: ClassifiedArticle) -> list[StoryRef]:
        if not article.story_id:
            return []
        try:
            response = await asyncio.wait_for(self._es.search(
                index=self._index, query=story_query(article), size=20,
                source_includes=["source_name", "source_id", "url", "title"]), self._timeout)
        except Exception as exc:  # best effort: the alert goes out without them
            log.info("story lookup for %s failed: %s", article.story_id, exc)
            return []
        refs = []
        for hit in response["hits"]["hits"]:
            doc = hit["_source"]
            refs.append(StoryRef(source=doc.get("source_name") or doc.get("source_id", ""),
                                 url=doc.get("url", ""), title=doc.get("title", "")))
        return refs
