"""Pure mapping from classified articles and crawl stats to Elasticsearch bulk actions.

Input: ``ClassifiedArticle`` and ``CrawlStats`` records. Output: bulk action dicts. Articles are
keyed by ``article_id`` with external versioning on the revision, so replays are idempotent and
an older revision never overwrites a newer one; crawl stats are keyed by ``job_id``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from config.contracts.articles import ClassifiedArticle
from config.contracts.crawl import CrawlStats
from config.timezones import aware_published, default_source_zone


class SourceInfo(NamedTuple):
    """What the crawl-health index adds about a source (from ``sources.yaml``)."""

    name: str
    kind: str
    region: str


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?)?", re.I)


def normalise_date(value: str | None, zone: str = "UTC") -> str | None:
    """``YYYY-MM-DDTHH:MM:SS+HH:MM`` for an ISO-like date, or None when it is not one.

    The value's own offset wins; a value without one is read in ``zone`` (the source's).
    An impossible time of day keeps the day (its start in that zone).
    """
    if not value:
        return None
    match = _ISO.match(value.strip())
    if not match:
        return None
    y, mo, d, h, mi, s, offset = match.groups()
    try:
        day = date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None
    if h is None or int(h) > 23 or int(mi) > 59 or int(s or 0) > 59:
        return aware_published(day, zone)
    stamp = f"{day}T{int(h):02d}:{int(mi):02d}:{int(s or 0):02d}{offset or ''}"
    return aware_published(stamp, zone)


def article_source(article: ClassifiedArticle, zone: str | None = None) -> dict[str, Any]:
    """The document body stored in the articles index; ``zone`` reads a ``published``
    without offset (messages from before offsets; default: by the article's language)."""
    c = article.classification
    return {
        "article_id": article.article_id,
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "labels": c.labels,
        "scores": {label: r.score for label, r in c.results.items()},
        "salience": {label: r.salience for label, r in c.results.items()},
        "evidence": {label: [e.model_dump() for e in r.evidence[:5]]
                     for label, r in c.results.items()},
        "tags": c.tags,
        "institutions": [e.name for e in c.institutions],
        "institutions_en": [e.name_en for e in c.institutions if e.name_en],
        "regions": [e.name for e in c.regions],
        "regions_en": [e.name_en for e in c.regions if e.name_en],
        "source_id": article.source_id,
        "source_name": article.source_name,
        "source_kind": article.source_kind,
        "source_region": article.region,
        "language": article.language,
        "author": article.author,
        "issuer": article.issuer,
        "doc_number": article.doc_number,
        "attachments": [a.model_dump() for a in article.attachments],
        "published": normalise_date(article.published,
                                    zone or default_source_zone(article.language)),
        "fetched_at": article.fetched_at.isoformat(),
        "classified_at": article.classified_at.isoformat(),
        "story_id": article.story_id or article.article_id,
        "revision": article.revision,
        "content_hash": article.content_hash,
        "classifier": c.classifier,
    }


def bulk_action(article: ClassifiedArticle, index: str) -> dict[str, Any]:
    """An idempotent, revision-aware index action for the bulk helper."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": article.article_id,
        "version": article.revision,
        "version_type": "external_gte",
        "_source": article_source(article),
    }


def is_stale_revision(item_error: dict[str, Any]) -> bool:
    """True for a version conflict: a newer revision is already indexed (not a failure)."""
    status = item_error.get("status")
    kind = str((item_error.get("error") or {}).get("type", ""))
    return status == 409 or kind == "version_conflict_engine_exception"


def crawl_health_source(stats: CrawlStats, source: SourceInfo | None = None) -> dict[str, Any]:
    """The crawl-health document of one crawl: the stats, its duration and a status word,
    with the source's name, kind and region when the sources file knows it."""
    body = stats.model_dump(mode="json", exclude={"schema_version"})
    duration = (stats.finished_at - stats.started_at).total_seconds()
    body["duration_s"] = round(max(duration, 0.0), 3)
    body["status"] = "ok" if stats.ok else "failed"
    if source is not None:
        body.update(source_name=source.name, source_kind=source.kind, region=source.region)
    return body


def crawl_health_action(stats: CrawlStats, index: str,
                        source: SourceInfo | None = None) -> dict[str, Any]:
    """An idempotent index action (``_id = job_id``): a redelivered stat overwrites itself."""
    return {"_op_type": "index", "_index": index, "_id": stats.job_id,
            "_source": crawl_health_source(stats, source)}
