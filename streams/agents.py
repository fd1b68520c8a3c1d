"""Classifier worker: a thin Faust agent from ``articles.raw`` to ``articles.classified``.

Input: raw articles (JSON ``RawArticle``, key ``article_id``), in batches (``take_events``,
``CGTWATCH_WORKER__BATCH_SIZE``/``__BATCH_WITHIN_S``). Output: classified articles;
re-sent identical content is dropped using the seen index ``article_id -> content hash``.
Re-posts of one notice by other sites get the first article's ``story_id`` through a band
index ``band -> story`` (``streams.stories``). Every worker holds both in full
(``streams.shared_maps``; the app has no Faust table, see ``streams.replica`` for why).
A batch's outputs and dead letters are sent together and both maps updated only after all
their acks (and the batch's offsets acknowledged to Faust only after that), so a crash never
loses an article (a re-processed article finds the same story again). Within a batch the last
copy of an article wins and the later articles see the bands of the earlier ones.
Undecodable or unclassifiable messages go to ``articles.deadletter``, each with its reason;
any other failure of a batch is retried, then its events are dead-lettered
(``streams.topics.until_handled``: Faust would ack and skip them otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import faust

from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.ops import DeadLetter, dead_letter_for
from config.contracts.wire import decode
from streams import metrics
from streams.process import (
    ArticleClassifier,
    Overlay,
    classify_raw,
    decide_story,
    is_duplicate,
)
from streams.replica import follow, publish_all
from streams.shared_maps import BandIndex, SeenIndex, bands_topic, seen_entry, seen_topic
from streams.topics import (
    AGENT_CONCURRENCY,
    DEFAULT_BATCHING,
    DEFAULT_RETRY,
    Batching,
    Event,
    Retry,
    Stream,
    StreamTopics,
    event_origin,
    send_all_and_wait,
    until_handled,
)

STAGE = "streams"
YIELD_EVERY_S = 0.005  # a long batch lets heartbeats and fetches run this often
log = logging.getLogger(__name__)


@dataclass
class BatchWork:
    """What one batch of raw events becomes: an outcome per event, outputs and dead letters to
    send, and the map entries to record once all of them are acknowledged."""

    outcomes: list[str] = field(default_factory=list)
    outputs: list[ClassifiedArticle] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    bands: dict[str, str] = field(default_factory=dict)
    band_groups: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)


def _letter(event: Event, exc: Exception, article: str | None = None) -> DeadLetter:
    return dead_letter_for(STAGE, exc, event.message.value, article_id=article,
                           **event_origin(event))


def decode_events(events: Sequence[Event], work: BatchWork) -> dict[str, tuple[int, RawArticle]]:
    """Decoded articles by id, the last copy of an article in the batch winning (the earlier
    ones count as duplicates); undecodable events become dead letters."""
    work.outcomes = ["duplicate"] * len(events)
    latest: dict[str, tuple[int, RawArticle]] = {}
    for position, event in enumerate(events):
        try:
            raw = decode(RawArticle, event.message.value or b"")
        except ValueError as exc:
            work.letters.append(_letter(event, exc))
            work.outcomes[position] = "deadletter"
            continue
        latest.pop(raw.article_id, None)  # re-inserted: batch order follows the last copy
        latest[raw.article_id] = (position, raw)
    return latest


async def plan_batch(events: Sequence[Event], classifier: ArticleClassifier, seen: SeenIndex,
                     stories: BandIndex | None) -> BatchWork:
    """Decide and classify a batch (pure but for yielding to the event loop between articles).
    Stories see the bands of the batch's earlier articles, as if handled one by one."""
    work = BatchWork()
    pending_bands = Overlay(work.bands, stories if stories is not None else {})
    yielded = time.monotonic()
    for position, raw in decode_events(events, work).values():
        if is_duplicate(seen.hash_of(raw.article_id), raw):
            continue
        try:
            story = decide_story(raw, pending_bands) if stories is not None else None
            out = classify_raw(raw, classifier, story.story_id if story else None)
        except Exception as exc:  # any bad input ends in the dead-letter topic, never a crash
            work.letters.append(_letter(events[position], exc, raw.article_id))
            work.outcomes[position] = "deadletter"
            log.warning("dead-lettered %s: %s", event_origin(events[position]), exc)
            continue
        if story is not None and story.entries:
            work.bands.update(story.entries)
            work.band_groups[f"{raw.article_id}:{raw.content_hash}"] = story.entries
        work.seen[raw.article_id] = seen_entry(raw.content_hash,
                                               raw.fetched_at.date().isoformat())
        work.outputs.append(out)
        work.outcomes[position] = "classified"
        # heartbeats and fetches go on during a long batch; not after every article, as
        # each yield polls the selector
        if time.monotonic() - yielded >= YIELD_EVERY_S:
            await asyncio.sleep(0)
            yielded = time.monotonic()
    return work


async def handle_batch(events: Sequence[Event], topics: StreamTopics,
                       classifier: ArticleClassifier, seen: SeenIndex,
                       stories: BandIndex | None = None) -> list[str]:
    """Process a batch of raw events; returns what happened to each (classified, duplicate,
    deadletter). Outputs and dead letters are sent together and their acks awaited before the
    maps are updated. Without ``stories`` every article is a story of its own."""
    work = await plan_batch(events, classifier, seen, stories)
    await send_all_and_wait(
        [(topics.classified, out.article_id, out.encode()) for out in work.outputs]
        + [(topics.deadletter, letter.article_id or letter.key, letter.encode())
           for letter in work.letters])
    staged = [seen.stage(work.seen)]
    if stories is not None:
        staged.append(stories.stage_groups(work.band_groups))
    await publish_all(staged)  # bands and seen entries: one round trip, then applied
    for out in work.outputs:
        metrics.record_classified(out)
    return work.outcomes


async def handle_raw(event: Event, topics: StreamTopics, classifier: ArticleClassifier,
                     seen: SeenIndex, stories: BandIndex | None = None) -> str:
    """Process one raw event (a batch of one); returns what happened to it."""
    (outcome,) = await handle_batch([event], topics, classifier, seen, stories)
    return outcome


async def give_up_on(events: Sequence[Event], topics: StreamTopics, exc: Exception) -> None:
    """Dead-letter every event of a batch whose handling kept failing, with the error."""
    await send_all_and_wait([(topics.deadletter, event_origin(event)["key"],
                              _letter(event, exc).encode()) for event in events])


def register_classifier(app: faust.App, topics: StreamTopics, classifier: ArticleClassifier,
                        partitions: int, retry: Retry = DEFAULT_RETRY,
                        batch: Batching = DEFAULT_BATCHING) -> None:
    seen_at, band_at = seen_topic(app, partitions), bands_topic(app, partitions)
    seen, stories = SeenIndex(seen_at), BandIndex(band_at)

    async def follow_shared_maps() -> None:
        await follow(app, {seen_at: seen, band_at: stories}, partitions)

    app.task(follow_shared_maps)

    @app.agent(topics.raw, name="classify", concurrency=AGENT_CONCURRENCY)
    async def classify(stream: Stream) -> None:
        batches = stream.take_events(batch.size, within=batch.within_s)  # type: ignore[attr-defined]
        async for events in batches:
            # Both maps are loaded whole before any decision. Wait inside the iteration,
            # so the agent consumes its topic from the start like any other agent.
            if not (seen.ready.is_set() and stories.ready.is_set()):
                await asyncio.gather(seen.ready.wait(), stories.ready.wait())
            outcomes = await until_handled(
                partial(handle_batch, events, topics, classifier, seen, stories),
                partial(give_up_on, events, topics),
                f"batch of {len(events)} raw articles from {event_origin(events[0])}", retry)
            for outcome in outcomes or ["deadletter"] * len(events):
                metrics.record_outcome(outcome)
            log.debug("batch of %d: %s", len(events), outcomes)
