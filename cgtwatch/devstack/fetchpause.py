"""Dev stack only: aiokafka's fetcher waits a little after a fetch that brought nothing.

noida-db answers an empty fetch at once instead of holding it for ``fetch.max.wait.ms`` as a
Kafka broker does, so every idle Faust consumer on the embedded broker would fetch in a busy
loop (``cgtwatch up`` kept both cores of a 2-core machine busy while idle). This wraps
aiokafka's private ``Fetcher._proc_fetch_request``, so it lives here with the embedded stack and
is installed only by ``cgtwatch.devstack.launch`` in services the dev stack starts on noida-db;
the runtime (``cgtwatch.runtime``, ``streams``) never imports it, and on real Kafka nothing is
patched.

Input: a pause in seconds. Output: the patched fetcher (True), or False when this aiokafka has
no such hook (idle consumers then spin, with a warning).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

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


def is_paused() -> bool:
    """Whether aiokafka's fetcher carries the pause in this process."""
    from aiokafka.consumer.fetcher import Fetcher

    return getattr(getattr(Fetcher, "_proc_fetch_request", None), "pause_s", None) is not None
