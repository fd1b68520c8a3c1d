"""The alerter loses nothing when its own work fails, on noida-db and on real Apache Kafka.

faust-streaming acks the events of a batch whose agent raised (its issues #527, #315), so the
alerter's agent never raises: it stores a batch's deliveries in the alert history and only
then returns. The failure here is real: the alert-history index refuses writes (an
Elasticsearch write block, answered 403 ``cluster_block_exception`` for every record). While
the block lasts less than the handler retries (``CGTWATCH_WORKER__HANDLER_ATTEMPTS``), every
alert goes out once on every channel when it is lifted; when it outlasts them, each article
is dead-lettered (stage ``alerts``) with the reason, and ``cgtwatch deadletter replay`` after
the fix delivers it once.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alerts.history import alerts_index
from cgtwatch.cli.app import app
from cgtwatch.demo.check import read_topic
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.contracts.wire import decode
from tests.integration.alerting import (
    CHANNELS,
    classified,
    file_lines,
    ledger,
    mail_texts,
    per_url,
    publish_classified,
    slack_texts,
    start_alerter,
)
from tests.integration.conftest import Env, both_kafka_backends, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]
BLOCK_S = 8.0  # how long the index stays blocked after the alerter's first refused write


def block_writes(stack: Env, blocked: bool) -> None:
    stack.es.indices.put_settings(index=alerts_index(stack.settings),
                                  settings={"index.blocks.write": blocked})


def alerter_log(stack: Env) -> str:
    path = stack.data_dir / "logs" / "alerter.log"
    return path.read_text("utf-8", "replace") if path.exists() else ""


def dead_letters(stack: Env) -> list[DeadLetter]:
    found = [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]
    return [letter for letter in found if letter.stage == "alerts"]


def received(stack: Env, urls: list[str]) -> list[Counter[str]]:
    """How often each URL reached Slack, the mail server and the file."""
    return [per_url(slack_texts(stack), urls), per_url(mail_texts(stack), urls),
            per_url(file_lines(stack), urls)]


def once_everywhere(stack: Env, urls: list[str]) -> bool:
    return all(min(counts.values()) >= 1 for counts in received(stack, urls))


def run(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_history_refusing_writes_for_a_while_loses_and_doubles_nothing(
        stack: Env, tmp_path: Path) -> None:
    articles = [classified(i) for i in range(3)]
    urls = [a.url for a in articles]
    block_writes(stack, True)
    start_alerter(stack, tmp_path, CHANNELS, {"CGTWATCH_WORKER__HANDLER_ATTEMPTS": "30",
                                              "CGTWATCH_WORKER__HANDLER_BACKOFF_S": "0.2"})
    publish_classified(stack, articles)
    wait_for(lambda: "alert history refused" in alerter_log(stack), 90,
             f"the alerter's writes refused\n{stack.logs()}")
    refused = time.time()
    time.sleep(BLOCK_S)  # retried meanwhile (the log folds repeats: one line per 10 s)
    assert stack.slack.posts == [] and stack.smtp.messages == [] and file_lines(stack) == []
    block_writes(stack, False)
    blocked = time.time() - refused

    wait_for(lambda: once_everywhere(stack, urls), 90,
             f"3 alerts per channel once the index takes writes\n{stack.logs()}")
    wait_for(lambda: Counter(r["status"] for r in ledger(stack)) == {"sent": 9}, 30,
             f"9 deliveries recorded sent\n{stack.logs()}")
    time.sleep(2)  # late duplicates would arrive now
    assert all(set(counts.values()) == {1} for counts in received(stack, urls))
    assert dead_letters(stack) == []
    print(f"\nwrite block for {blocked:.1f} s after the first refusal: 3 articles x 3 "
          f"channels delivered once; 0 dead letters")


def test_a_history_refusing_writes_for_good_dead_letters_and_replay_delivers_once(
        stack: Env, tmp_path: Path) -> None:
    articles = [classified(i) for i in range(2)]
    urls = [a.url for a in articles]
    block_writes(stack, True)
    start_alerter(stack, tmp_path, CHANNELS, {"CGTWATCH_WORKER__HANDLER_ATTEMPTS": "2",
                                              "CGTWATCH_WORKER__HANDLER_BACKOFF_S": "0.2"})
    publish_classified(stack, articles)
    wait_for(lambda: len(dead_letters(stack)) >= 2, 90, f"2 dead letters\n{stack.logs()}")
    letters = dead_letters(stack)
    assert sorted(letter.article_id or "" for letter in letters) == sorted(
        a.article_id for a in articles)
    assert all("cluster_block_exception" in letter.error for letter in letters), letters
    assert {letter.topic for letter in letters} == {Topics.CLASSIFIED}
    assert stack.slack.posts == [] and stack.smtp.messages == [] and file_lines(stack) == []

    block_writes(stack, False)  # the fix; then the operator replays the letters
    assert run("deadletter", "replay", "--stage", "alerts")[-1]["sent"] == 2
    wait_for(lambda: once_everywhere(stack, urls), 90,
             f"2 alerts per channel after the replay\n{stack.logs()}")
    assert run("deadletter", "replay", "--stage", "alerts")[-1]["sent"] == 2  # again: no-op
    time.sleep(3)  # the alerter takes the second replay; duplicates would arrive now
    wait_for(lambda: Counter(r["status"] for r in ledger(stack)) == {"sent": 6}, 30,
             f"6 deliveries recorded sent\n{stack.logs()}")
    assert all(set(counts.values()) == {1} for counts in received(stack, urls))
    assert len(dead_letters(stack)) == 2
