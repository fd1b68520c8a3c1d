"""At-least-once rules of the Faust agents (``streams.topics``): a failing handler is retried
with backoff, then dead-lettered with its error, and never escapes to Faust (which would ack
and skip the event); every agent of every app runs with concurrency 1."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import pytest

from alerts.agent import Alerter
from alerts.service import register_alerter
from config.rules import AlertRulesFile
from config.settings import KafkaSettings, Settings
from indexer.agent import register_indexer
from streams.agents import register_classifier
from streams.app import create_app
from streams.topics import (
    AGENT_CONCURRENCY,
    Retry,
    stream_topics,
    until_done,
    until_handled,
)


class Flaky:
    """A handler that raises ``failures`` times, then returns ``"done"``."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"failure {self.calls}")
        return "done"


def run(handle: Any, retry: Retry, give_up_fails: int = 0
        ) -> tuple[object, list[float], list[Exception]]:
    slept: list[float] = []
    given_up: list[Exception] = []
    failing = [give_up_fails]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def give_up(exc: Exception) -> None:
        if failing[0] > 0:
            failing[0] -= 1
            raise ConnectionError("kafka down")
        given_up.append(exc)

    result = asyncio.run(until_handled(handle, give_up, "test event", retry, sleep))
    return result, slept, given_up


def test_a_transient_failure_is_retried_with_doubling_backoff_and_not_dead_lettered() -> None:
    handler = Flaky(failures=2)
    result, slept, given_up = run(handler, Retry(attempts=5, backoff_s=0.5))
    assert result == "done" and handler.calls == 3
    assert slept == [0.5, 1.0] and given_up == []


def test_a_lasting_failure_is_dead_lettered_with_its_error_after_the_attempts() -> None:
    handler = Flaky(failures=100)
    result, slept, given_up = run(handler, Retry(attempts=4, backoff_s=1.0, backoff_max_s=3.0))
    assert result is None and handler.calls == 4
    assert slept == [1.0, 2.0, 3.0]
    assert [str(e) for e in given_up] == ["failure 4"]


def test_a_failing_dead_letter_write_is_retried_until_it_succeeds() -> None:
    result, slept, given_up = run(Flaky(failures=100), Retry(attempts=1, backoff_s=0.5),
                                  give_up_fails=3)
    assert result is None and len(given_up) == 1
    assert slept == [0.5, 1.0, 2.0]


def test_until_done_retries_only_the_failures_it_is_told_to() -> None:
    slept: list[float] = []
    calls = [0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def op() -> str:
        calls[0] += 1
        if calls[0] <= 3:
            raise ConnectionError("away")
        raise ValueError("refused for good")

    with pytest.raises(ValueError, match="for good"):
        asyncio.run(until_done(op, "op", Retry(backoff_s=1.0, backoff_max_s=3.0), sleep,
                               retry_on=(ConnectionError,)))
    assert slept == [1.0, 2.0, 3.0] and calls[0] == 4


def test_cancellation_is_not_swallowed() -> None:
    async def cancelled() -> str:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        run(cancelled, Retry(attempts=3))


def test_retry_needs_at_least_one_attempt_in_settings() -> None:
    with pytest.raises(ValueError, match="HANDLER_ATTEMPTS"):
        Settings(worker={"handler_attempts": 0})  # type: ignore[arg-type]


def apps() -> list[faust.App]:
    settings = Settings(kafka=KafkaSettings(bootstrap_servers="127.0.0.1:1"))
    classifier = create_app(settings, "test-streams")
    register_classifier(classifier, stream_topics(classifier), object(), 3)  # type: ignore
    indexer = create_app(settings, "test-indexer")
    register_indexer(indexer, stream_topics(indexer), object(), settings)  # type: ignore
    alerter = create_app(settings, "test-alerter")
    rules = AlertRulesFile(channels=[], rules=[])
    register_alerter(alerter, stream_topics(alerter), Alerter(rules, {}, object()),  # type: ignore
                     [], settings)
    return [classifier, indexer, alerter]


def test_every_agent_runs_with_concurrency_one() -> None:
    agents = [agent for app in apps() for agent in app.agents.values()]
    assert {agent.name.rsplit(".", 1)[-1] for agent in agents} >= {
        "classify", "index-articles", "index-crawl-health", "alert"}
    assert AGENT_CONCURRENCY == 1
    assert all(agent.concurrency == 1 for agent in agents), [
        (agent.name, agent.concurrency) for agent in agents]
