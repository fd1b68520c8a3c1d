"""Seed of ``bench_poll.py``: the state of a crawler that has watched the site for hours.

Input: the generated ``Site`` and the seed time. Output: documents in the seen-store index
(``<prefix>-seen``, the format ``crawlers.state.seen_es`` writes): every listed article, first seen
two hours ago and re-checked half an hour ago (so no re-check is due during the run), except the
``special`` ones, whose one-hour re-check falls due at a chosen time; and every list page
with its validators, the fingerprint of its links and its next re-check time. The content
hashes are those the crawler's own extraction gives, so an unchanged re-check stays unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch, helpers

from bench.poll_site import BASE_TIME, Site, article_html, list_html, validators_of
from config.contracts.ids import article_id
from config.sources import Source
from crawlers.engine.items import build_raw_article
from crawlers.engine.job import links_hash
from crawlers.engine.recheck import earliest, next_recheck
from crawlers.extract.article import extract_article
from crawlers.links.formats import ListPage, read_list_page
from crawlers.state.seen import page_key


def _iso(when: datetime) -> str:
    return when.isoformat()


def _article_doc(site: Site, source: Source, sid: str, n: int, first: datetime,
                 last: datetime, fetched: bool) -> dict[str, Any]:
    """An article's record; ``fetched``: re-checked during the run (a real content hash;
    the others are never fetched again: a re-fetch would show as republished)."""
    column = site.columns[sid]
    url = site.url(column, f"a{n}.html")
    html = article_html(column, n)
    content = "never-fetched"
    if fetched:
        content = build_raw_article(source, url, html, "utf-8",
                                    extract_article(html, url)).content_hash
    etag, modified = validators_of(html.encode(), BASE_TIME) if column.validators else (None,
                                                                                        None)
    return {"_id": article_id(url), "url": url, "content_hash": content,
            "revision": 1, "etag": etag, "last_modified": modified, "first_seen": _iso(first),
            "last_seen": _iso(last), "next_check": None}


def seed_docs(site: Site, sources: dict[str, Source], now: datetime,
              special: dict[tuple[str, int], datetime], only: set[str] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Seen-store documents (of the ``only`` sources, or all); ``special`` maps (source,
    article) to its first-seen time."""
    old_first, old_last = now - timedelta(hours=2), now - timedelta(minutes=30)
    for sid, column in site.columns.items():
        if only is not None and sid not in only:
            continue
        checks = []
        urls = []
        for n, _ in column.titles():
            first = special.get((sid, n), old_first)
            last = first if (sid, n) in special else old_last
            checks.append(next_recheck(first, now))
            doc = _article_doc(site, sources[sid], sid, n, first, last, (sid, n) in special)
            urls.append(doc["url"])
            yield doc
        page_url = site.url(column)
        html = list_html(column)
        links = read_list_page(ListPage.of(sources[sid], html, page_url)).links
        etag, modified = (validators_of(html.encode(), column.changed_at)
                          if column.validators else (None, None))
        when = earliest(checks)
        yield {"_id": page_key(page_url), "url": page_url,
               "content_hash": links_hash([link.url for link in links]), "revision": 0,
               "etag": etag, "last_modified": modified, "first_seen": _iso(old_first),
               "last_seen": _iso(old_last), "next_check": _iso(when) if when else None}


def seed(es: Elasticsearch, index: str, docs: Iterator[dict[str, Any]]) -> int:
    actions = ({"_op_type": "index", "_index": index, "_id": doc.pop("_id"), "_source": doc}
               for doc in docs)
    count, _ = helpers.bulk(es, actions, chunk_size=2000, refresh=True)
    return int(count)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
