"""The alerter's feed server: Atom and JSON Feed over HTTP (aiohttp), read from Elasticsearch.

Input: GET ``/feeds/all.atom|.json`` (the newest CGT articles of the articles index: any of
the taxonomy's labels) and ``/feeds/rules/<rule>.atom|.json`` (the newest articles the rule
matched, from the alert history, one entry per article whatever the channels). Output: the
feed (``alerts.feeds``) with ``alerts.feed_items`` entries; 404 for an unknown rule or path,
503 while Elasticsearch does not answer. Served on ``alerts.feeds_port`` (0: off).
"""

from __future__ import annotations

import logging

from aiohttp import web
from elasticsearch import AsyncElasticsearch

from alerts.feeds import (
    FeedItem,
    item_from_index,
    item_from_record,
    render_atom,
    render_json_feed,
)
from config.contracts.articles import LABELS
from config.contracts.wire import utcnow

log = logging.getLogger(__name__)
TYPES = {"atom": "application/atom+xml; charset=utf-8",
         "json": "application/feed+json; charset=utf-8"}


class FeedSource:
    """The newest items of the feeds, from the articles index and the alert history."""

    def __init__(self, es: AsyncElasticsearch, articles: str, alerts: str, size: int,
                 labels: tuple[str, ...] = LABELS) -> None:
        self.es, self.articles, self.alerts = es, articles, alerts
        self.size, self.labels = size, labels

    async def all_items(self) -> list[FeedItem]:
        response = await self.es.search(
            index=self.articles, size=self.size, query={"terms": {"labels": list(self.labels)}},
            sort=[{"fetched_at": "desc"}], source_excludes=["text"])
        return [item_from_index(h["_source"]) for h in response["hits"]["hits"]]

    async def rule_items(self, rule: str) -> list[FeedItem]:
        query = {"bool": {"filter": [{"term": {"rule": rule}},
                                     {"terms": {"kind": ["immediate", "item"]}}]}}
        response = await self.es.search(index=self.alerts, size=self.size * 4, query=query,
                                        sort=[{"created_at": "desc"}])
        seen: dict[str, FeedItem] = {}
        for hit in response["hits"]["hits"]:  # one entry per article, whatever the channels
            item = item_from_record(hit["_source"])
            seen.setdefault(item.article_id, item)
        return list(seen.values())[:self.size]


def feed_app(source: FeedSource, rules: list[str], base_url: str = "") -> web.Application:
    """The aiohttp application serving the feeds."""
    known = set(rules)

    async def serve(request: web.Request) -> web.Response:
        name, fmt = request.match_info["name"], request.match_info["fmt"]
        rule = request.match_info.get("rule")
        if fmt not in TYPES or (rule is None and name != "all") or (
                rule is not None and name not in known):
            raise web.HTTPNotFound(text="no such feed\n")
        url = f"{base_url or str(request.url.origin())}{request.path}"
        try:
            items = await (source.rule_items(name) if rule else source.all_items())
        except Exception as exc:  # Elasticsearch away: say so, the next poll gets the feed
            log.warning("feed %s unavailable: %s", request.path, exc)
            raise web.HTTPServiceUnavailable(text="feed unavailable, try again\n") from exc
        title = f"cgtwatch: rule {name}" if rule else "cgtwatch: cell and gene therapy"
        body = (render_atom(title, url, items, utcnow()) if fmt == "atom"
                else render_json_feed(title, url, items))
        return web.Response(body=body, headers={"Content-Type": TYPES[fmt]})

    app = web.Application()
    app.router.add_get(r"/feeds/{name:all}.{fmt:[a-z]+}", serve)
    app.router.add_get(r"/feeds/{rule:rules}/{name:[A-Za-z0-9][A-Za-z0-9_.-]*?}.{fmt:[a-z]+}",
                       serve)
    return app


async def start_feeds(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("feeds served on http://%s:%d/feeds/all.atom", host, port)
    return runner


