"""The embedded broker's empty-fetch pause (``cgtwatch.devstack.fetchpause``) and where it is
installed: only by the dev stack's launcher, only on noida-db; never by the runtime, never on
real Kafka."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest
from aiokafka.consumer.fetcher import Fetcher  # type: ignore[import-untyped]

from cgtwatch.devstack import launch
from cgtwatch.devstack.fetchpause import is_paused, pause_after_empty_fetches
from config.settings import KafkaSettings, Settings


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


def test_the_launcher_patches_on_noida_only(answers: list[bool],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert not launch.prepare(Settings(kafka=KafkaSettings(bootstrap_servers="kafka:9092")))
    assert not is_paused()  # real Kafka: aiokafka untouched
    assert capsys.readouterr().err == ""
    assert launch.prepare(Settings())  # the embedded noida-db
    assert is_paused()
    assert "empty fetch" in capsys.readouterr().err


PROBE = """
import sys
from config.settings import Settings
from streams.app import create_app
import cgtwatch.runtime.services, cgtwatch.cli.app
create_app(Settings(), "probe")
from aiokafka.consumer.fetcher import Fetcher
print(hasattr(Fetcher._proc_fetch_request, "pause_s"),
      any(m.startswith("cgtwatch.devstack") for m in sys.modules))
"""


def test_the_runtime_never_patches_aiokafka_even_on_noida() -> None:
    """A fresh process that builds a Faust app as production does (``cgtwatch NAME``): the
    fetcher is aiokafka's own and no dev-stack module was imported."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["False", "False"]
