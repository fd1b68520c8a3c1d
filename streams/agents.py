"""Classifier worker: a thin Faust agent from ``articles.raw`` to ``articles.classified``.

Input: raw articles (JSON ``RawArticle``, key ``article_id``). Output: classified articles;
re-sent identical content is dropped using a Faust table ``article_id -> content_hash``.
Re-posts of one notice by other sites get the first article's ``story_id`` through a band
index ``band -> story`` (``streams.stories``) that every worker holds in full
(``streams.story_index``): the worker is partitioned by article id, and every partition must
see every story. Both are updated only after the output is acknowledged, so a crash never
loses an article (a re-processed article finds the same story again). Undecodable or
unclassifiable messages go to ``articles.deadletter``.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from config.contracts import RawArticle, dead_letter_for, decode
from streams import metrics
from streams.process import ArticleClassifier, classify_raw, decide_story, is_duplicate
from streams.story_index import BandIndex, bands_topic, follow
from streams.topics import Event, Stream, StreamTopics, dead_letter, event_origin, send_and_wait

STAGE = "streams"
log = logging.getLogger(__name__)



async def handle_raw(event: Event, topics: StreamTopics, classifier: ArticleClassifier,
                     seen: Any, stories: BandIndex | None = None) -> str:
    """Process one raw event; returns what happened (classified/duplicate/deadletter).
    Without ``stories`` (the band index) every article is a story of its own."""
    value = event.message.value or b""
    try:
        raw = decode(RawArticle, value)
        if is_duplicate(seen.get(raw.article_id), raw):
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
    seen[raw.article_id] = raw.content_hash
    metrics.record_classified(out)
    return "classified"


def register_classifier(app: faust.App, topics: StreamTopics, classifier: ArticleClassifier,
                        partitions: int) -> None:
    seen = app.Table("seen-content", partitions=partitions)
    band_topic = bands_topic(app, partitions)
    stories = BandIndex(band_topic)

    async def follow_story_bands() -> None:
        await follow(stories, app, band_topic, partitions)

    app.task(follow_story_bands)

    @app.agent(topics.raw, name="classify")
    async def classify(stream: Stream) -> None:
        async for event in stream.events():
            # The whole band index is loaded before any decision. Wait inside the iteration,
            # so the agent consumes its topic from the start like any other agent.
            if not stories.ready.is_set():
                await stories.ready.wait()
            outcome = await handle_raw(event, topics, classifier, seen, stories)
            metrics.record_outcome(outcome)
            log.debug("article %s", outcome)
