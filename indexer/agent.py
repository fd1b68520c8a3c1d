"""Indexer worker: thin Faust agents that bulk-write articles and crawl health to Elasticsearch.

Input: ``articles.classified`` (JSON ``ClassifiedArticle``) and ``crawl.stats`` (JSON
``CrawlStats``), in batches via ``take_events``. Output: documents in the articles write alias
(``_id = article_id``, external version = revision) and in ``<prefix>-crawl-health``
(``_id = job_id``); undecodable messages and per-document failures go to
``articles.deadletter`` (a batch's letters sent together, then their acks awaited, before
Faust acknowledges the batch). Transport failures are retried with backoff inside the batch; any
other failure of a batch is retried, then its events are dead-lettered with the error
(``streams.topics.until_handled``), because Faust acks a ``take`` batch even when its handler
raises. Each batch is counted in
``indexer.metrics``; log lines about one article carry its id, source and stage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

import faust
from elasticsearch import AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch.helpers import async_bulk

from config.backoff import backoff_delay
from config.contracts.articles import ClassifiedArticle
from config.contracts.crawl import CrawlStats
from config.contracts.ops import DeadLetter, dead_letter_for
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from config.translate import Translator, build_translator
from indexer import metrics
from indexer.actions import SourceInfo, bulk_action, crawl_health_action, is_stale_revision
from indexer.documents import articles_alias, crawl_health_index
from indexer.english import english_fields, with_english
from streams.app import close_on_stop, raw_topic
from streams.topics import (
    AGENT_CONCURRENCY,
    DEFAULT_RETRY,
    Event,
    Stream,
    StreamTopics,
    event_origin,
    handler_retry,
    send_all_and_wait,
    until_handled,
)

INDEXER_APP = "cgtwatch-indexer"
STAGE = "indexer"
TRANSIENT_STATUS = {429, 500, 502, 503, 504}
log = logging.getLogger(__name__)


def _about(article: ClassifiedArticle) -> dict[str, str]:
    """``extra=`` for log lines about one article (fields of the JSON log format)."""
    return {"article_id": article.article_id, "source": article.source_id, "stage": STAGE}



def decode_batch(events: Sequence[Event]
                 ) -> tuple[dict[str, tuple[ClassifiedArticle, Event]], list[DeadLetter]]:
    """Decode a batch; the last message per article wins; bad messages become dead letters."""
    good: dict[str, tuple[ClassifiedArticle, Event]] = {}
    bad: list[DeadLetter] = []
    for event in events:
        try:
            article = decode(ClassifiedArticle, event.message.value or b"")
        except ValueError as exc:
            bad.append(dead_letter_for(STAGE, exc, event.message.value, **event_origin(event)))
            continue
        previous = good.get(article.article_id)
        if previous is None or previous[0].revision <= article.revision:
            good[article.article_id] = (article, event)
    return good, bad


async def bulk_until_done(es: AsyncElasticsearch, actions: list[dict[str, Any]],
                          attempts: int = 5) -> list[dict[str, Any]]:
    """Bulk-index; retry transport errors forever and transient items a few times, with one
    backoff (``DEFAULT_RETRY``'s schedule) growing over both. Returns the per-item errors that
    remain (stale revisions are not errors)."""
    pending, tries, waits = actions, 0, 0
    permanent: list[dict[str, Any]] = []
    while True:
        try:
            _, errors = await async_bulk(es, pending, raise_on_error=False, max_retries=3,
                                         initial_backoff=1, stats_only=False)
        except (EsConnectionError, TransportError) as exc:
            waits += 1
            delay = backoff_delay(waits, 0.0, DEFAULT_RETRY.backoff)
            log.warning("bulk failed (%s); retrying in %.1fs", exc, delay)
            metrics.record_transport_error()
            await asyncio.sleep(delay)
            continue
        items = [next(iter(e.values())) for e in errors]  # type: ignore[union-attr]
        failed = [i for i in items if not is_stale_revision(i)]
        transient = {i.get("_id") for i in failed if i.get("status") in TRANSIENT_STATUS}
        tries += 1
        if not transient or tries >= attempts:
            return permanent + failed
        permanent += [i for i in failed if i.get("_id") not in transient]
        pending = [a for a in pending if a["_id"] in transient]
        waits += 1
        await asyncio.sleep(backoff_delay(waits, 0.0, DEFAULT_RETRY.backoff))


def _report(size: int, undecodable: int, articles: list[ClassifiedArticle],
            failed: list[dict[str, Any]]) -> None:
    """Log each article written and record the batch's metrics."""
    failed_ids = {str(item.get("_id")) for item in failed}
    written = [a for a in articles if a.article_id not in failed_ids]
    for article in written:
        log.info("indexed article %s (revision %d)", article.article_id, article.revision,
                 extra=_about(article))
    metrics.record_batch(size=size, undecodable=undecodable, failed=failed, written=written)


async def index_events(events: Sequence[Event], es: AsyncElasticsearch, alias: str,
                       topics: StreamTopics, translator: Translator | None = None) -> int:
    """Index one batch (with English titles and snippets where a provider gives them);
    returns how many documents were written."""
    good, letters = decode_batch(events)
    english = await english_fields(translator, [a for a, _ in good.values()])
    actions = [with_english(bulk_action(article, alias), english)
               for article, _ in good.values()]
    undecodable = len(letters)
    failed = await bulk_until_done(es, actions) if actions else []
    for item in failed:
        article, event = good[str(item.get("_id"))]
        reason = RuntimeError(f"bulk item failed with status {item.get('status')}: "
                              f"{item.get('error')}")
        letters.append(dead_letter_for(STAGE, reason, event.message.value,
                                       article_id=article.article_id, **event_origin(event)))
        log.warning("dead-lettered article %s: %s", article.article_id, reason,
                    extra=_about(article))
    await send_dead_letters(topics, letters)
    _report(len(events), undecodable, [a for a, _ in good.values()], failed)
    return len(actions) - len(failed)


async def index_crawl_stats(events: Sequence[Event], es: AsyncElasticsearch, index: str,
                            topics: StreamTopics, sources: dict[str, SourceInfo]) -> int:
    """Index one batch of crawl stats (``_id = job_id``); returns how many were written."""
    actions: dict[str, tuple[dict[str, Any], Event]] = {}
    letters: list[DeadLetter] = []
    for event in events:
        try:
            stats = decode(CrawlStats, event.message.value or b"")
        except ValueError as exc:
            letters.append(dead_letter_for(STAGE, exc, event.message.value, **event_origin(event)))
            continue
        action = crawl_health_action(stats, index, sources.get(stats.source_id))
        actions[stats.job_id] = (action, event)
    failed = await bulk_until_done(es, [a for a, _ in actions.values()]) if actions else []
    metrics.record_batch(undecodable=len(letters), failed=failed)
    for item in failed:
        _, event = actions[str(item.get("_id"))]
        reason = RuntimeError(f"crawl-health item failed with status {item.get('status')}: "
                              f"{item.get('error')}")
        letters.append(dead_letter_for(STAGE, reason, event.message.value, **event_origin(event)))
    await send_dead_letters(topics, letters)
    return len(actions) - len(failed)


async def give_up_on(events: Sequence[Event], topics: StreamTopics, exc: Exception) -> None:
    """Dead-letter every event of a batch whose indexing kept failing, with the error."""
    await send_dead_letters(topics, [dead_letter_for(STAGE, exc, event.message.value,
                                                     **event_origin(event))
                                     for event in events])


async def send_dead_letters(topics: StreamTopics, letters: Sequence[DeadLetter]) -> None:
    """Send a batch's dead letters together, then await all their acks."""
    await send_all_and_wait([(topics.deadletter, letter.article_id or letter.key,
                              letter.encode()) for letter in letters])


def source_lookup(settings: Settings) -> dict[str, SourceInfo]:
    """Name, kind and region per source id from ``sources.yaml`` (empty when unreadable)."""
    from config.sources import load_sources
    from config.yamlfile import OperatorFileError

    try:
        loaded = load_sources(settings.paths.sources)
    except (OperatorFileError, OSError) as exc:
        log.warning("crawl health without source names: %s", exc)
        return {}
    return {s.id: SourceInfo(s.name, s.kind, s.region) for s in loaded.sources}


def register_crawl_health(app: faust.App, topics: StreamTopics, es: AsyncElasticsearch,
                          settings: Settings) -> None:
    """The second agent of the indexer app: ``crawl.stats`` → ``<prefix>-crawl-health``."""
    index = crawl_health_index(settings.elastic.index_prefix)
    size, within = settings.worker.batch_size, settings.worker.batch_within_s
    sources = source_lookup(settings)

    retry = handler_retry(settings)

    @app.agent(raw_topic(app, Topics.CRAWL_STATS), name="index-crawl-health",
               concurrency=AGENT_CONCURRENCY)
    async def index_crawl_health(stream: Stream) -> None:
        batches = stream.take_events(size, within=within)  # type: ignore[attr-defined]
        async for events in batches:
            written = await until_handled(
                partial(index_crawl_stats, events, es, index, topics, sources),
                partial(give_up_on, events, topics), "crawl-stats batch", retry)
            log.info("indexed %d of %d crawl stats", written or 0, len(events))


def register_indexer(app: faust.App, topics: StreamTopics, es: AsyncElasticsearch,
                     settings: Settings) -> None:
    """Both indexer agents: classified articles, and crawl stats into crawl health."""
    register_crawl_health(app, topics, es, settings)
    alias = articles_alias(settings.elastic.index_prefix)
    size, within = settings.worker.batch_size, settings.worker.batch_within_s

    retry = handler_retry(settings)
    translator = build_translator(settings.translate)
    if translator is not None:
        close_on_stop(app, translator.aclose)

    @app.agent(topics.classified, name="index-articles", concurrency=AGENT_CONCURRENCY)
    async def index_articles(stream: Stream) -> None:
        batches = stream.take_events(size, within=within)  # type: ignore[attr-defined]
        async for events in batches:
            written = await until_handled(partial(index_events, events, es, alias, topics,
                                                  translator),
                                          partial(give_up_on, events, topics),
                                          "article batch", retry)
            log.info("indexed %d of %d events", written or 0, len(events))
