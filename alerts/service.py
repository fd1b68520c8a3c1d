"""The alerter process: its Faust app, agent, digest timer and one delivery worker per channel.

Input: ``Settings`` and the validated alert rules. Output: a ``faust.App`` ready to run: the
agent consumes ``articles.classified`` in batches and enqueues deliveries (``alerts.agent``);
each channel's worker (``alerts.worker``) runs as an app task and is woken when its channel
gets work; a timer queues due digests (and re-reads rule silences), another evaluates
flatline and spike rules (``alerts.watch``); with ``alerts.feeds_port`` a task serves the Atom
and JSON feeds (``alerts.feeds_http``). Titles are translated to English when a provider is
configured (``config.translate``). Operator alerts go to ``ops.events``, dead letters to
``articles.deadletter``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

import faust
from aiohttp import web
from elasticsearch import AsyncElasticsearch

from alerts.agent import Alerter
from alerts.channels import build_senders
from alerts.delivery import Reporter
from alerts.feeds_http import FeedSource, feed_app, start_feeds
from alerts.health import ChannelHealth
from alerts.history import alerts_index
from alerts.queue import DeliveryQueue, Owner
from alerts.silence import SilenceStore
from alerts.stories import StoryLookup, articles_index
from alerts.watch import Watcher
from alerts.worker import ChannelWorker
from config.clients import elastic
from config.contracts.ops import DeadLetter, OpsEvent
from config.rules import AlertRulesFile
from config.settings import Settings
from config.translate import build_translator
from streams.app import close_on_stop, create_app
from streams.topics import (
    AGENT_CONCURRENCY,
    Stream,
    StreamTopics,
    dead_letter,
    event_origin,
    handler_retry,
    send_and_wait,
)
from streams.topics import stream_topics as make_topics

ALERTER_APP = "cgtwatch-alerter"
log = logging.getLogger(__name__)


def reporter_for(topics: StreamTopics, failing_after: int) -> Reporter:
    async def ops(event: OpsEvent) -> None:
        log.error("ops event %s: %s", event.kind, event.message)
        await send_and_wait(topics.ops, event.subject, event.encode())

    async def letters(letter: DeadLetter) -> None:
        await dead_letter(topics, letter)

    return Reporter(ops=ops, dead_letters=letters, health=ChannelHealth(failing_after))


def alerter_app(settings: Settings, rules: AlertRulesFile) -> faust.App:
    """Build the alerter's app with everything registered."""
    es = AsyncElasticsearch(**elastic(settings))
    app = create_app(settings, ALERTER_APP)
    topics = make_topics(app)
    queue = DeliveryQueue(es, alerts_index(settings))
    senders = build_senders(rules.channels, settings)
    reporter = reporter_for(topics, settings.alerts.failing_after)
    owner = Owner(settings.worker.instance_id, uuid.uuid4().hex)
    by_name = {rule.name: rule for rule in rules.rules}
    workers = {name: ChannelWorker(name, sender, queue, settings.alerts, owner, by_name,
                                   reporter) for name, sender in senders.items()}

    def wake(channel: str) -> None:
        if channel in workers:
            workers[channel].wake.set()

    alerter = Alerter(rules, senders, queue, reporter=reporter, wake=wake,
                      stories=StoryLookup(es, articles_index(settings)),
                      silences=SilenceStore(es, alerts_index(settings)),
                      translator=build_translator(settings.translate),
                      retry=handler_retry(settings))
    register_alerter(app, topics, alerter, list(workers.values()), settings)
    watcher = Watcher(es, articles_index(settings), rules.rules, queue, senders, reporter, wake,
                      silences=alerter.current_silences)
    stop_feeds = register_extras(app, settings, watcher, FeedSource(
        es, articles_index(settings), alerts_index(settings), settings.alerts.feed_items),
        [r.name for r in rules.rules])

    async def close() -> None:  # workers finish their step before the client goes
        await asyncio.gather(*(worker.stop() for worker in workers.values()))
        await stop_feeds()
        if alerter.translator is not None:
            await alerter.translator.aclose()
        await es.close()

    close_on_stop(app, close)
    return app


def register_extras(app: faust.App, settings: Settings, watcher: Watcher, feeds: FeedSource,
                    rules: list[str]) -> Callable[[], Awaitable[None]]:
    """The flatline/spike timer and, with ``alerts.feeds_port``, the feed server; returns
    what stops the feed server (for the app's stop)."""
    runners: list[web.AppRunner] = []

    async def watch() -> None:
        try:
            await watcher.tick()
        except Exception:  # Elasticsearch away: the next tick evaluates again
            if app.should_stop:
                log.info("flatline/spike evaluation cut short by the stop")
            else:
                log.exception("flatline/spike evaluation failed")

    if watcher.rules:
        app.timer(interval=settings.alerts.watch_interval_s)(watch)
    if settings.alerts.feeds_port:
        async def serve_feeds() -> None:
            runners.append(await start_feeds(feed_app(feeds, rules), settings.alerts.feeds_host,
                                             settings.alerts.feeds_port))

        app.task(serve_feeds)

    async def stop() -> None:
        for runner in runners:
            await runner.cleanup()

    return stop


def register_alerter(app: faust.App, topics: StreamTopics, alerter: Alerter,
                     workers: list[ChannelWorker], settings: Settings) -> None:
    size, within = settings.worker.batch_size, settings.alerts.batch_within_s

    @app.agent(topics.classified, name="alert", concurrency=AGENT_CONCURRENCY)
    async def alert(stream: Stream) -> None:
        batches = stream.take_events(size, within=within)  # type: ignore[attr-defined]
        async for events in batches:
            messages = [(e.message.value or b"", event_origin(e)) for e in events]
            queued = await alerter.handle_batch(messages)
            log.debug("%d classified messages: %d new deliveries", len(events), queued)

    for worker in workers:
        app.task(worker_task(worker))

    async def flush_digests() -> None:
        try:
            await alerter.flush()
        except Exception:  # a failed flush is retried on the next tick; items stay queued
            if app.should_stop:  # the client closed under it: the next start flushes them
                log.info("digest flush cut short by the stop; queued items stay queued")
            else:
                log.exception("digest flush failed")

    app.timer(interval=settings.alerts.flush_interval_s)(flush_digests)


def worker_task(worker: ChannelWorker) -> faust.types.app.TaskArg:
    async def run() -> None:
        log.info("delivery worker for channel %s started", worker.channel)
        await worker.run()

    run.__name__ = f"deliver_{worker.channel}"
    return run
