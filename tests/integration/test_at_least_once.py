"""A failing Faust handler loses nothing, on noida-db and on real Apache Kafka.

faust-streaming acks and skips the event whose agent raised (its issues #527, #315); our agents
never let a failure reach Faust (``streams.topics.until_handled``). The failure here is real:
the alert-history index refuses writes (an Elasticsearch write block, answered 403), so the
alerter's ledger claim raises inside the agent. While the block lasts less than the retries,
every alert still goes out once when it is lifted; when it outlasts them, the articles are
dead-lettered with the reason, and a replay after the fix delivers them.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest
from typer.testing import CliRunner

from alerts.history import alerts_index
from cgtwatch.cli.app import app
from config.contracts import DeadLetter, Topics, decode
from tests.integration.conftest import Env, both_kafka_backends, make_article, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]


def block_writes(stack: Env, blocked: bool) -> None:
    stack.es.indices.put_settings(index=alerts_index(stack.settings),
                                  settings={"index.blocks.write": blocked})


def alerter_log(stack: Env) -> str:
    path = stack.data_dir / "logs" / "alerter.log"
    return path.read_text("utf-8", "replace") if path.exists() else ""


def posts_per_url(stack: Env, urls: list[str]) -> Counter[str]:
    return Counter(url for url in urls for post in stack.slack.posts
                   if url in json.dumps(post, ensure_ascii=False))


def dead_letters(stack: Env) -> list[DeadLetter]:
    from cgtwatch.demo.check import read_topic

    return [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]


@pytest.mark.xfail(reason="written for the alerter before durable delivery; the merged alerter "
                   "stores deliveries in one bulk and handles a write-blocked history its own "
                   "way: to be rewritten against it (open on the Kafka issue)", run=False)
def test_a_handler_failing_for_a_while_is_retried_and_alerts_once(stack: Env) -> None:
    stack.slack.fail_first = 0
    articles = [make_article(i, True) for i in range(3)]
    block_writes(stack, True)
    stack.start("streams", "alerter", CGTWATCH_WORKER__HANDLER_ATTEMPTS="30",
                CGTWATCH_WORKER__HANDLER_BACKOFF_S="0.2")
    stack.publish(articles)
    wait_for(lambda: alerter_log(stack).count("failed (attempt") >= 3, 90,
             f"the alerter's handler failing and retrying\n{stack.logs()}")
    assert stack.slack.posts == [] and stack.smtp.messages == []
    block_writes(stack, False)

    wait_for(lambda: len(stack.slack.posts) >= 3 and len(stack.smtp.messages) >= 3, 90,
             f"3 alerts per channel once the index takes writes\n{stack.logs()}")
    time.sleep(2)  # late duplicates would arrive now
    assert set(posts_per_url(stack, [a.url for a in articles]).values()) == {1}
    assert len(stack.slack.posts) == 3 and len(stack.smtp.messages) == 3
    assert dead_letters(stack) == []


def run(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.xfail(reason="written for the alerter before durable delivery; the merged alerter "
                   "stores deliveries in one bulk and handles a write-blocked history its own "
                   "way: to be rewritten against it (open on the Kafka issue)", run=False)
def test_a_handler_failing_for_good_dead_letters_with_the_reason_and_replay_delivers(
        stack: Env) -> None:
    stack.slack.fail_first = 0
    articles = [make_article(i, True) for i in range(2)]
    block_writes(stack, True)
    stack.start("streams", "alerter", CGTWATCH_WORKER__HANDLER_ATTEMPTS="2",
                CGTWATCH_WORKER__HANDLER_BACKOFF_S="0.2")
    stack.publish(articles)
    wait_for(lambda: len(dead_letters(stack)) >= 2, 90, f"2 dead letters\n{stack.logs()}")
    letters = dead_letters(stack)
    assert {letter.stage for letter in letters} == {"alerter"}
    assert all("cluster_block_exception" in letter.error for letter in letters), letters
    assert {letter.topic for letter in letters} == {Topics.CLASSIFIED}
    assert stack.slack.posts == [] and stack.smtp.messages == []

    block_writes(stack, False)  # the fix; then the operator replays the letters
    assert run("deadletter", "replay", "--stage", "alerter")[-1]["sent"] == 2
    wait_for(lambda: len(stack.slack.posts) >= 2 and len(stack.smtp.messages) >= 2, 90,
             f"2 alerts per channel after the replay\n{stack.logs()}")
    assert set(posts_per_url(stack, [a.url for a in articles]).values()) == {1}
