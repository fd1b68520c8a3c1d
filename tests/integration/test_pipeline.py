"""End to end on real protocols: Kafka → Faust classifier → indexer → Elasticsearch → alerts.

Articles are published to ``articles.raw`` with kafka-python; the classifier, indexer and
alerter run as child processes; alerts land on an aiosmtpd server and a local Slack receiver
that answers the first post with 429 (the alerter must retry, not lose or duplicate it).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from alerts.history import alerts_index
from cgtwatch.devstack.fetchpause import LOCAL_EMPTY_FETCH_PAUSE_S
from cgtwatch.devstack.launch import PAUSE_NOTICE
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.contracts.wire import decode
from tests.integration.conftest import Env, both_kafka_backends, make_article, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]


def test_article_reaches_index_and_alerts(stack: Env) -> None:
    articles = [make_article(1, True), make_article(2, False), make_article(3, True)]
    stack.start("streams", "indexer", "alerter")
    stack.publish(articles)

    expected = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= expected, 60, f"3 indexed\n{stack.logs()}")
    wait_for(lambda: len(stack.slack.posts) >= 2 and len(stack.smtp.messages) >= 2, 60,
             f"2 slack posts and 2 emails\n{stack.logs()}")

    doc = stack.es.get(index="cgtwatch-articles", id=articles[0].article_id)["_source"]
    assert "cell_therapy" in doc["labels"]
    assert doc["salience"]["cell_therapy"] in ("primary", "secondary")
    other = stack.es.get(index="cgtwatch-articles", id=articles[1].article_id)["_source"]
    assert other["labels"] == []
    assert stack.slack.attempts >= 3  # one 429, then retried
    posted = json.dumps(stack.slack.posts, ensure_ascii=False)
    assert articles[0].url in posted and articles[2].url in posted
    subjects = sorted(str(m["Subject"]) for m in stack.smtp.messages)
    assert all(s.startswith("[cgtwatch] ") for s in subjects)
    def statuses() -> Counter[str]:
        stack.es.indices.refresh(index=alerts_index(stack.settings))
        return Counter(h["_source"]["status"] for h in stack.es.search(
            index=alerts_index(stack.settings), size=100)["hits"]["hits"])

    # the ledger is marked "sent" just after the receiver accepted the message
    wait_for(lambda: statuses() == {"sent": 6}, 30,  # 2 articles × (slack, email, file)
             f"six deliveries recorded as sent, have {statuses()}")
    # the dev stack's aiokafka fetcher pause is on for noida-db only, never on real Kafka
    on_noida = stack.settings.kafka.bootstrap_servers is None
    for service in ("streams", "indexer", "alerter"):
        log = (stack.data_dir / "logs" / f"{service}.log").read_text("utf-8", "replace")
        assert (PAUSE_NOTICE.format(LOCAL_EMPTY_FETCH_PAUSE_S) in log) is on_noida, service


def test_malformed_message_is_dead_lettered_and_pipeline_goes_on(stack: Env) -> None:
    stack.start("streams", "indexer")
    good = make_article(10, False)
    stack.publish([b"{not json", b'{"schema_version": 1, "url": "x"}'])
    stack.publish([good])
    wait_for(lambda: good.article_id in stack.indexed_ids(), 60,
             f"the good article indexed\n{stack.logs()}")

    from cgtwatch.demo.check import read_topic

    letters = [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]
    assert len(letters) == 2
    assert {letter.stage for letter in letters} == {"streams"}
    assert all(letter.error_type == "ValidationError" for letter in letters)
    assert {letter.payload for letter in letters} == {"{not json",
                                                     '{"schema_version": 1, "url": "x"}'}
    assert all(letter.topic == Topics.RAW and letter.offset is not None for letter in letters)
