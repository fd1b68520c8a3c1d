"""Classifier worker: a thin Faust agent from ``articles.raw`` to ``articles.classified``.

Input: raw articles (JSON ``RawArticle``, key ``article_id``). Output: classified articles;
re-sent identical content is dropped using a Faust table ``article_id -> content_hash``
(updated only after the output is acknowledged, so a crash never loses an article).
Undecodable or unclassifiable messages go to ``articles.deadletter`` with the reason.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from config.contracts import RawArticle, dead_letter_for, decode
from streams.process import ArticleClassifier, classify_raw, is_duplicate
from streams.topics import Event, Stream, StreamTopics, dead_letter, send_and_wait

STAGE = "streams"
log = logging.getLogger(__name__)


def _where(event: Event) -> dict[str, Any]:
    msg = event.message
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset,
            "key": msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else None}


async def handle_raw(event: Event, topics: StreamTopics, classifier: ArticleClassifier,
                     seen: Any) -> str:
    """Process one raw event; returns what happened (classified/duplicate/deadletter)."""
    value = event.message.value or b""
    try:
        raw = decode(RawArticle, value)
        if is_duplicate(seen.get(raw.article_id), raw):
            return "duplicate"
        out = classify_raw(raw, classifier)
    except Exception as exc:  # any bad input ends in the dead-letter topic, never a crash
        article = getattr(locals().get("raw"), "article_id", None)
        await dead_letter(topics, dead_letter_for(STAGE, exc, value, article_id=article,
                                                  **_where(event)))
        log.warning("dead-lettered %s: %s", _where(event), exc)
        return "deadletter"
    await send_and_wait(topics.classified, out.article_id, out.encode())
    seen[raw.article_id] = raw.content_hash
    return "classified"


def register_classifier(app: faust.App, topics: StreamTopics, classifier: ArticleClassifier,
                        partitions: int) -> None:
    seen = app.Table("seen-content", partitions=partitions)

    @app.agent(topics.raw, name="classify")
    async def classify(stream: Stream) -> None:
        async for event in stream.events():
            outcome = await handle_raw(event, topics, classifier, seen)
            log.debug("article %s", outcome)
