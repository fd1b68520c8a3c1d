"""Dead-letter listing and replay, and backfill from the raw topic, on real local servers.

A dead letter whose payload is a valid raw article stands for an item that failed before a
fix; replaying it must re-feed ``articles.raw`` so that the running classifier and indexer
index it. Backfill classifies raw articles in-process and writes them to the alias.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from tests.integration.conftest import Env, both_kafka_backends, make_article, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]


def run(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_deadletter_list_and_replay_refeed_fixed_items(stack: Env) -> None:
    fixed = make_article(1, True)
    letter = DeadLetter(stage="streams", error_type="KeyError", error="taxonomy bug (fixed)",
                        topic=Topics.RAW, partition=0, offset=7, key=fixed.article_id,
                        article_id=fixed.article_id, payload=fixed.encode().decode())
    stack.publish([letter.encode()], topic=Topics.DEADLETTER)
    stack.start("streams", "indexer")
    stack.publish([b"{not json"])  # a real failure of the running classifier
    wait_for(lambda: len(run("deadletter", "list")) == 2, 60,
             f"two dead letters\n{stack.logs()}")

    rows = run("deadletter", "list", "--stage", "streams", "--limit", "10")
    assert {r["error"] for r in rows} >= {"taxonomy bug (fixed)"}
    assert all(r["topic"] == Topics.RAW for r in rows)
    assert run("deadletter", "list", "--stage", "indexer") == []

    dry = run("deadletter", "replay", "--dry-run")
    assert dry[-1] == {"letters": 2, "sent": 0, "dry_run": True}
    assert fixed.article_id not in stack.indexed_ids()
    done = run("deadletter", "replay", "--stage", "streams", "--since", "1h")
    assert done[-1]["sent"] == 2
    assert {r["key"] for r in done[:-1]} >= {fixed.article_id}
    wait_for(lambda: fixed.article_id in stack.indexed_ids(), 60,
             f"the replayed article indexed\n{stack.logs()}")
    # the still-broken payload failed again: a third letter, and nothing else broke
    wait_for(lambda: len(run("deadletter", "list")) == 3, 60, "the re-failed letter")


def test_backfill_classifies_and_indexes_from_the_raw_topic(stack: Env) -> None:
    articles = [make_article(n, n % 2 == 0, source_id="gov-cn-policy" if n < 3 else "nhc-kjjys")
                for n in range(4)]
    stack.publish(articles)
    only_a = run("backfill", "--source", "gov-cn-policy")
    assert only_a[0]["selected"] == 3 and only_a[0]["indexed"] == 3
    assert stack.indexed_ids() == {a.article_id for a in articles[:3]}
    doc = stack.es.get(index="cgtwatch-articles", id=articles[0].article_id)["_source"]
    assert "cell_therapy" in doc["labels"]  # classified in-process

    everything = run("backfill", "--since", "1h")
    assert everything[0]["read"] == 4 and everything[0]["failed"] == 0
    assert stack.indexed_ids() == {a.article_id for a in articles}
    dry = run("backfill", "--dry-run")
    assert dry[0]["dry_run"] is True and dry[0]["indexed"] == 0
