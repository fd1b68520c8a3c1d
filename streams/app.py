"""Faust application factory shared by the stream workers (classifier, indexer, alerter).

Input: ``Settings`` and an application id. Output: a configured ``faust.App`` with static
group membership and short session timeouts (required by the local brokers and harmless on
real Kafka), raw bytes topics from the wire contract, and no Faust web server.

Nothing here patches a library: the embedded stack's aiokafka fetcher pause lives in
``cgtwatch.devstack.fetchpause`` and is installed only in services the dev stack launches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import faust

from config.clients import faust_app_options
from config.settings import Settings

CLASSIFIER_APP = "cgtwatch-streams"


def create_app(settings: Settings, app_id: str = CLASSIFIER_APP, **overrides: Any) -> faust.App:
    """Build a Faust app; agents are attached by the caller (see ``streams.agents``)."""
    options = {**faust_app_options(settings, app_id), **overrides}
    return faust.App(app_id, autodiscover=False, **options)


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic whose keys and values stay bytes: decoding is ours, so bad input is caught."""
    return app.topic(name, key_serializer="raw", value_serializer="raw")


def close_on_stop(app: faust.App, close: Callable[[], Awaitable[Any]]) -> None:
    """Await ``close`` (e.g. an async Elasticsearch client's) when the app stops: an open
    client logs "Unclosed client session" at exit."""

    async def closing(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await close()

    app.on_before_shutdown.connect(closing)
