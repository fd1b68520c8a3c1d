"""English titles and snippets for index documents, from the configured translation provider.

Input: a batch's ``ClassifiedArticle``s and a ``config.translate.Translator`` (or ``None``:
no provider). Output: ``title_en`` and ``snippet_en`` per ``article_id``, for the articles
with a label that are not English: per source language, every title and snippet of the batch
in one time-boxed request (cached, paced). Texts the provider did not translate in time are
left out, so the documents are written without them and the batch never waits longer than
the time box per language (an outage leaves the provider alone for ``pause_s``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from config.contracts.articles import ClassifiedArticle
from config.translate import Translator

English = dict[str, dict[str, str]]


def snippet(article: ClassifiedArticle) -> str:
    """The first evidence snippet, else the text's start (what alerts show)."""
    for result in article.classification.results.values():
        if result.evidence:
            return result.evidence[0].snippet
    return article.text[:160]


def wanted(articles: list[ClassifiedArticle]) -> dict[str, list[ClassifiedArticle]]:
    """The articles worth translating (a label, not English), by source language."""
    groups: dict[str, list[ClassifiedArticle]] = defaultdict(list)
    for article in articles:
        if article.classification.labels and article.language != "en":
            groups[article.language].append(article)
    return dict(groups)


async def english_fields(translator: Translator | None, articles: list[ClassifiedArticle]
                         ) -> English:
    """``{article_id: {"title_en": ..., "snippet_en": ...}}`` for what was translated."""
    if translator is None:
        return {}
    out: English = {}
    for language, group in wanted(articles).items():
        texts = [a.title for a in group] + [snippet(a) for a in group]
        found = await translator.english_many(texts, language)
        for i, article in enumerate(group):
            fields = {"title_en": found[i], "snippet_en": found[len(group) + i]}
            kept = {name: text for name, text in fields.items() if text}
            if kept:
                out[article.article_id] = kept
    return out


def with_english(action: dict[str, Any], english: English) -> dict[str, Any]:
    """The bulk action with its article's English fields in the document."""
    action["_source"].update(english.get(str(action["_id"]), {}))
    return action
