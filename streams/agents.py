"""Classifier worker: a thin Faust agent from ``articles.raw`` to ``articles.classified``.

Input: raw articles (JSON ``RawArticle``, key ``article_id``). Output: classified articles;
re-sent identical content is dropped using the seen index ``article_id -> content hash``.
Re-posts of one notice by other sites get the first article's ``story_id`` through a band
index ``band -> story`` (``streams.stories``). Every worker holds both in full
(``streams.shared_maps``; the app has no Faust table, see ``streams.replica`` for why).
Both are updated only after the output is acknowledged, so a crash never loses an article
(a re-processed article finds the same story again). Undecodable or unclassifiable messages
go to ``articles.deadletter``; any other failure is retried, then dead-lettered
(``streams.topics.until_handled``: Faust would ack and skip the event otherwise).
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import faust

from config.contracts import RawArticle, dead_letter_for, decode
from streams import metrics
from streams.process import ArticleClassifier, classify_raw, decide_story, is_duplicate
from streams.replica import follow
from streams.shared_maps import BandIndex, SeenIndex, bands_topic, seen_topic
from streams.topics import (
    AGENT_CONCURRENCY,
    DEFAULT_RETRY,
    Event,
    Retry,
    Stream,
    StreamTopics,
    dead_letter,
    event_origin,
    send_and_wait,
    until_handled,
)

STAGE = "streams"
log = logging.getLogger(__name__)



async def handle_raw(event: Event, topics: StreamTopics, classifier: ArticleClassifier,
                     seen: SeenIndex, stories: BandIndex | None = None) -> str:
    """Process one raw event; returns what happened (classified/duplicate/deadletter).
    Without ``stories`` (the band index) every article is a story of its own."""
    value = event.message.value or b""
    try:
        raw = decode(RawArticle, value)
        if is_duplicate(seen.hash_of(raw.article_id), raw):
            return "duplicate"
        story = decide_story(raw, stories) if stories is not None else None
        out = classify_raw(raw, classifier, story.story_id if story else None)
    except Exception as exc:  # any bad input ends in the dead-letter topic, never a crash
        article = getattr(locals().get("raw"), "article_id", None)
        await dead_letter(topics, dead_letter_for(STAGE, exc, value, article_id=article,
                                                  **event_origin(event)))
        log.warning("dead-lettered %s: %s", event_origin(event), exc)
        return "deadletter"
    await send_and_wait(topics.classified, out.article_id, out.encode())
    if story is not None and stories is not None:
        await stories.record(story.entries)
    await seen.remember(raw.article_id, raw.content_hash, raw.fetched_at.date().isoformat())
    metrics.record_classified(out)
    return "classified"


async def give_up_on(event: Event, topics: StreamTopics, exc: Exception) -> None:
    """Dead-letter an event whose handling kept failing, with the error as reason."""
    await dead_letter(topics, dead_letter_for(STAGE, exc, event.message.value,
                                              **event_origin(event)))


def register_classifier(app: faust.App, topics: StreamTopics, classifier: ArticleClassifier,
                        partitions: int, retry: Retry = DEFAULT_RETRY) -> None:
    seen_at, band_at = seen_topic(app, partitions), bands_topic(app, partitions)
    seen, stories = SeenIndex(seen_at), BandIndex(band_at)

    async def follow_shared_maps() -> None:
        await follow(app, {seen_at: seen, band_at: stories}, partitions)

    app.task(follow_shared_maps)

    @app.agent(topics.raw, name="classify", concurrency=AGENT_CONCURRENCY)
    async def classify(stream: Stream) -> None:
        async for event in stream.events():
            # Both maps are loaded whole before any decision. Wait inside the iteration,
            # so the agent consumes its topic from the start like any other agent.
            if not (seen.ready.is_set() and stories.ready.is_set()):
                await asyncio.gather(seen.ready.wait(), stories.ready.wait())
            outcome = await until_handled(
                partial(handle_raw, event, topics, classifier, seen, stories),
                partial(give_up_on, event, topics),
                f"article at {event_origin(event)}", retry)
            metrics.record_outcome(outcome or "deadletter")
            log.debug("article %s", outcome)
