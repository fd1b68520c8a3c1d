"""The records an article becomes in the alert history, before they are stored.

Input: a matching rule, a channel and the classified article; the timing decision
(``alerts.schedule``). Output: the record's fields (key ``rule:story:channel``, the article's
title, URL and a copy of the article for digests and feeds) and, for an article of a batch, a
``Draft``: its records decided but the deliveries due now not yet rendered, so the batch's
stories are looked up once and only for what is rendered (``alerts.agent``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alerts.rules import alert_key
from alerts.schedule import Decision
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule

Records = list[dict[str, Any]]


def stored_copy(article: ClassifiedArticle) -> dict[str, Any]:
    """The copy of ``article`` a record carries: its text cut at 2,000 characters and one
    evidence per label, the first, which is all a message, digest or feed shows
    (``alerts.render.snippet``, ``alerts.feeds``); the classifier gives up to a dozen, and
    the local server copies the whole alert history at each forced refresh and scan."""
    results = {label: result.model_copy(update={"evidence": result.evidence[:1]})
               for label, result in article.classification.results.items()}
    classification = article.classification.model_copy(update={"results": results})
    return article.model_copy(update={"text": article.text[:2000],
                                      "classification": classification}).model_dump(mode="json")


def base_record(rule: Rule, channel: str, article: ClassifiedArticle) -> dict[str, Any]:
    return {"key": alert_key(rule, article, channel), "rule": rule.name, "channel": channel,
            "article_id": article.article_id, "story_id": article.story_id,
            "title": article.title, "url": article.url,
            "fetched_at": article.fetched_at.isoformat(), "article": stored_copy(article)}


@dataclass
class Draft:
    """An article's records before rendering; ``renders``: the deliveries due now (record,
    rule), rendered once the batch's stories are looked up."""

    article: ClassifiedArticle
    shown: ClassifiedArticle  # with its English title and snippet, when translated
    records: Records = field(default_factory=list)
    renders: list[tuple[dict[str, Any], Rule]] = field(default_factory=list)


def queued_fields(decision: Decision) -> dict[str, Any]:
    assert decision.due_at is not None
    return {"kind": "item", "status": "queued", "reason": decision.reason,
            "window": decision.window, "due_at": decision.due_at.isoformat()}
