"""Faust application factory shared by the stream workers (classifier, indexer, alerter).

Input: ``Settings`` and an application id. Output: a configured ``faust.App`` with static
group membership and short session timeouts (required by the local brokers and harmless on
real Kafka), raw bytes topics from the wire contract, and no Faust web server.

On the embedded local broker (no ``CGTWATCH_KAFKA__BOOTSTRAP_SERVERS``), aiokafka's fetcher
waits ``LOCAL_EMPTY_FETCH_PAUSE_S`` after a fetch that brought nothing: noida-db answers an
empty fetch at once instead of holding it for ``fetch.max.wait.ms`` as Kafka does, so every
idle consumer would otherwise fetch in a busy loop (``cgtwatch up`` kept both cores of a
2-core machine busy while idle). Real Kafka is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import faust

from config.clients import faust_app_options
from config.settings import Settings

CLASSIFIER_APP = "cgtwatch-streams"
LOCAL_EMPTY_FETCH_PAUSE_S = 0.1
log = logging.getLogger(__name__)


def pause_after_empty_fetches(seconds: float) -> bool:
    """Make aiokafka's fetcher wait ``seconds`` after a fetch that brought no records, as a
    Kafka broker holds such a fetch itself; False when this aiokafka has no such hook."""
    from aiokafka.consumer.fetcher import Fetcher  # type: ignore[import-untyped]

    original = getattr(Fetcher, "_proc_fetch_request", None)
    if original is None:
        log.warning("aiokafka has no Fetcher._proc_fetch_request: idle consumers will spin")
        return False
    if getattr(original, "pause_s", None) is not None:
        return True

    async def fetch_then_pause(self: Any, assignment: Any, node_id: int, request: Any) -> bool:
        got = bool(await original(self, assignment, node_id, request))
        if not got:
            # cancelled (closing or unassigned): like aiokafka's own fetch, just return
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(seconds)
        return got

    fetch_then_pause.pause_s = seconds  # type: ignore[attr-defined]
    Fetcher._proc_fetch_request = fetch_then_pause
    return True


def create_app(settings: Settings, app_id: str = CLASSIFIER_APP, **overrides: Any) -> faust.App:
    """Build a Faust app; agents are attached by the caller (see ``streams.agents``)."""
    if not settings.kafka.bootstrap_servers:  # the embedded local broker (noida-db)
        pause_after_empty_fetches(LOCAL_EMPTY_FETCH_PAUSE_S)
    options = {**faust_app_options(settings, app_id), **overrides}
    return faust.App(app_id, autodiscover=False, **options)


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic whose keys and values stay bytes: decoding is ours, so bad input is caught."""
    return app.topic(name, key_serializer="raw", value_serializer="raw")
