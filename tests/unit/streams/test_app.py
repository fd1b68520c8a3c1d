"""The embedded broker's empty-fetch pause (``streams.app.pause_after_empty_fetches``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiokafka.consumer.fetcher import Fetcher  # type: ignore[import-untyped]

from streams.app import pause_after_empty_fetches


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A stand-in for aiokafka's fetch: pops whether each fetch brought records."""
    queue: list[bool] = []

    async def fetch(self: Any, assignment: Any, node_id: int, request: Any) -> bool:
        return queue.pop(0)

    monkeypatch.setattr(Fetcher, "_proc_fetch_request", fetch)
    return queue


def timed(fetcher: Any) -> tuple[bool, float]:
    started = time.monotonic()
    got = asyncio.run(Fetcher._proc_fetch_request(fetcher, None, 0, None))
    return got, time.monotonic() - started


def test_an_empty_fetch_waits_and_a_fetch_with_records_does_not(answers: list[bool]) -> None:
    assert pause_after_empty_fetches(0.2)
    assert pause_after_empty_fetches(0.2)  # installing twice wraps once
    answers[:] = [False, True]
    got, took = timed(object())
    assert not got and 0.2 <= took < 1.0
    got, took = timed(object())
    assert got and took < 0.1


def test_a_cancelled_pause_returns_like_aiokafkas_own_fetch(answers: list[bool]) -> None:
    pause_after_empty_fetches(30.0)
    answers[:] = [False]

    async def cancel_while_pausing() -> bool:
        task = asyncio.ensure_future(Fetcher._proc_fetch_request(object(), None, 0, None))
        await asyncio.sleep(0.05)
        task.cancel()  # aiokafka's Fetcher.close() cancels and then awaits its fetches
        return bool(await task)

    assert asyncio.run(asyncio.wait_for(cancel_while_pausing(), 5)) is False
