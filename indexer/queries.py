"""Pure query building for people: full-text search and story listing over the articles alias.

Input: a query string (Chinese or English) and filters (labels, a ``--since`` window, regions,
sources, languages). Output: Elasticsearch search bodies (``multi_match`` over ``title^3`` and
``text``, filters as ``terms``/``range`` clauses, highlights on title and text; stories via
``collapse`` on ``story_id`` with the story's articles as inner hits), and flat summaries of
the hits for tables and JSON lines. No I/O here; ``cgtwatch search``/``stories`` send them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from config.durations import UNITS
from config.timezones import DEFAULT_DISPLAY_ZONE, day_start

SEARCH_FIELDS = ["title^3", "text"]
SUMMARY_FIELDS = ["article_id", "url", "title", "published", "fetched_at", "labels",
                  "salience", "scores", "source_id", "source_name", "source_kind", "regions",
                  "regions_en", "institutions", "tags", "language", "story_id", "revision"]
SNIPPET_CHARS = 160
_SINCE = re.compile(rf"^(\d+)\s*([{''.join(UNITS)}My])$")  # our units, months, years
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")


def parse_since(value: str, zone: str = DEFAULT_DISPLAY_ZONE) -> str:
    """``7d``/``12h``/``30m``/``2w``/``3M`` → ``now-7d`` (date math); a date or time without
    offset is read in ``zone`` (the display zone) and given one."""
    text = value.strip()
    match = _SINCE.match(text)
    if match:
        return f"now-{int(match.group(1))}{match.group(2)}"
    if _DATE.match(text):
        return day_start(text, zone)
    raise ValueError(f"--since {value!r}: give an age like 7d, 12h, 30m, 2w, 3M or a date "
                     "like 2026-11-01 (read in the display time zone)")


@dataclass(frozen=True)
class Filters:
    """What ``--label``, ``--since``, ``--region``, ``--source`` and ``--lang`` ask for."""

    labels: tuple[str, ...] = ()
    since: str | None = None
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    timezone: str = DEFAULT_DISPLAY_ZONE  # --since dates without offset are read here


def any_of(fields: list[str], values: tuple[str, ...]) -> dict[str, Any]:
    """A clause true when any of ``fields`` has any of ``values``."""
    if len(fields) == 1:
        return {"terms": {fields[0]: list(values)}}
    return {"bool": {"should": [{"terms": {f: list(values)}} for f in fields],
                     "minimum_should_match": 1}}


def since_clause(since: str, zone: str = DEFAULT_DISPLAY_ZONE) -> dict[str, Any]:
    """Published since ``since``; articles without a published date count by fetch time."""
    gte = parse_since(since, zone)
    undated = {"bool": {"must_not": [{"exists": {"field": "published"}}],
                        "filter": [{"range": {"fetched_at": {"gte": gte}}}]}}
    return {"bool": {"should": [{"range": {"published": {"gte": gte}}}, undated],
                     "minimum_should_match": 1}}


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if filters.labels:
        clauses.append(any_of(["labels"], filters.labels))
    if filters.since:
        clauses.append(since_clause(filters.since, filters.timezone))
    if filters.regions:
        clauses.append(any_of(["regions", "regions_en", "source_region"], filters.regions))
    if filters.sources:
        clauses.append(any_of(["source_id", "source_name"], filters.sources))
    if filters.languages:
        clauses.append(any_of(["language"], filters.languages))
    return clauses


def text_query(query: str) -> dict[str, Any] | None:
    """All query terms across title and text; an exact phrase ranks higher. None = match all."""
    text = query.strip()
    if text in ("", "*"):
        return None
    return {"bool": {
        "must": [{"multi_match": {"query": text, "fields": SEARCH_FIELDS,
                                  "type": "cross_fields", "operator": "and"}}],
        "should": [{"multi_match": {"query": text, "fields": SEARCH_FIELDS,
                                    "type": "phrase", "boost": 2.0}}]}}


def newest_first() -> list[dict[str, Any]]:
    return [{"published": {"order": "desc", "missing": "_last"}},
            {"fetched_at": {"order": "desc"}}]


def highlight() -> dict[str, Any]:
    return {"pre_tags": ["<em>"], "post_tags": ["</em>"], "fields": {
        "title": {"number_of_fragments": 0},
        "text": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 2}}}


def search_body(query: str, filters: Filters, limit: int = 20) -> dict[str, Any]:
    """The search request body: relevance first (newest first for an empty query)."""
    must = text_query(query)
    bool_query: dict[str, Any] = {"filter": filter_clauses(filters)}
    if must is not None:
        bool_query["must"] = [must]
    return {"query": {"bool": bool_query}, "size": limit,
            "sort": (["_score", *newest_first()] if must is not None else newest_first()),
            "track_scores": True, "highlight": highlight(),
            "_source": [*SUMMARY_FIELDS, "text"]}


def stories_body(filters: Filters, limit: int = 20, per_story: int = 50) -> dict[str, Any]:
    """Latest stories first, one hit per ``story_id``, its articles (oldest first) inside."""
    articles = {"name": "articles", "size": per_story, "_source": SUMMARY_FIELDS,
                "sort": [{"published": {"order": "asc", "missing": "_last"}},
                         {"fetched_at": {"order": "asc"}}]}
    return {"query": {"bool": {"filter": filter_clauses(filters)}}, "size": limit,
            "sort": newest_first(), "collapse": {"field": "story_id", "inner_hits": articles},
            "_source": SUMMARY_FIELDS}


def snippet(text: str, chars: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= chars else flat[:chars].rstrip() + "…"


def hit_summary(hit: dict[str, Any]) -> dict[str, Any]:
    """One search hit as a flat record with highlighted ``title_hl`` and ``snippets``."""
    source = dict(hit.get("_source") or {})
    text = str(source.pop("text", "") or "")
    marks = hit.get("highlight") or {}
    titles = marks.get("title") or []
    snippets = list(marks.get("text") or []) or ([snippet(text)] if text else [])
    return {**{k: source.get(k) for k in SUMMARY_FIELDS}, "id": hit.get("_id"),
            "score": hit.get("_score"), "title_hl": titles[0] if titles else source.get("title"),
            "snippets": snippets}


def story_summary(hit: dict[str, Any]) -> dict[str, Any]:
    """One collapsed story: first title, dates, every source and every article."""
    inner = ((hit.get("inner_hits") or {}).get("articles") or {}).get("hits") or {}
    articles = [dict(h.get("_source") or {}) for h in inner.get("hits") or []]
    articles = articles or [dict(hit.get("_source") or {})]
    total = (inner.get("total") or {}).get("value", len(articles))
    sources = list(dict.fromkeys(str(a.get("source_name") or a.get("source_id") or "")
                                 for a in articles))
    labels = sorted({label for a in articles for label in a.get("labels") or []})
    dates = [str(a["published"]) for a in articles if a.get("published")]
    return {"story_id": (hit.get("_source") or {}).get("story_id"),
            "title": articles[0].get("title"), "articles": int(total),
            "sources": sources, "labels": labels,
            "first_published": min(dates) if dates else None,
            "last_published": max(dates) if dates else None,
            "items": [{k: a.get(k) for k in ("title", "url", "source_name", "source_id",
                                             "published", "labels")} for a in articles]}
