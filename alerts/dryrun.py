"""Pure helpers of ``cgtwatch rules test``: rebuild articles from the articles index and match.

Input: ``_source`` documents of the articles index (the indexer's shape) and a ``Rule``.
Output: ``ClassifiedArticle``s, the query that selects a time range, and the matches with what
would be sent (immediately or queued, rendered for Slack and email).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alerts.rules import rule_matches
from config.contracts.articles import (
    Classification,
    ClassifiedArticle,
    Entity,
    Evidence,
    LabelResult,
)
from config.rules import Rule


def range_query(since: datetime) -> dict[str, Any]:
    return {"range": {"fetched_at": {"gte": since.isoformat()}}}


def _entities(names: list[str], names_en: list[str], kind: str) -> list[Entity]:
    english = names_en if len(names_en) == len(names) else [""] * len(names)
    return [Entity(id=n, name=n, name_en=e, kind=kind) for n, e in zip(names, english,
                                                                        strict=True)]


def _results(doc: dict[str, Any]) -> dict[str, LabelResult]:
    scores, salience = doc.get("scores") or {}, doc.get("salience") or {}
    evidence = doc.get("evidence") or {}
    return {label: LabelResult(score=float(scores.get(label) or 0.0),
                               salience=salience.get(label) or "none",
                               evidence=[Evidence(**e) for e in evidence.get(label) or []])
            for label in sorted(set(scores) | set(salience))}


def article_from_doc(doc: dict[str, Any]) -> ClassifiedArticle:
    """Rebuild the classified article the alerter saw from its indexed document."""
    classification = Classification(
        labels=list(doc.get("labels") or []), results=_results(doc),
        tags=list(doc.get("tags") or []),
        institutions=_entities(doc.get("institutions") or [], doc.get("institutions_en") or [],
                               "institution"),
        regions=_entities(doc.get("regions") or [], doc.get("regions_en") or [], "region"),
        classifier=doc.get("classifier") or "")
    fields = {k: doc[k] for k in ("article_id", "url", "source_id", "source_name", "source_kind",
                                  "title", "text", "language", "story_id", "fetched_at")
              if doc.get(k) is not None}
    published = doc.get("published")
    return ClassifiedArticle(**fields, region=doc.get("source_region") or "",
                             published=str(published) if published else None,
                             revision=int(doc.get("revision") or 1),
                             classification=classification)


def matches(rule: Rule, docs: list[dict[str, Any]]) -> list[ClassifiedArticle]:
    """The articles among ``docs`` that ``rule`` matches (as if it were enabled)."""
    enabled = rule.model_copy(update={"enabled": True})
    articles = [article_from_doc(doc) for doc in docs]
    return [a for a in articles if rule_matches(enabled, a)]
