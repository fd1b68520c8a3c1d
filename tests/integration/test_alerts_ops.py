"""A channel that keeps failing raises one operator alert on ``ops.events`` and keeps its
deliveries ``retrying`` (the other channels still deliver); a permanent refusal fails a
delivery at once with an operator alert and a dead letter."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from typer.testing import CliRunner

from alerts.history import alerts_index
from cgtwatch.cli.app import app
from cgtwatch.demo.check import read_topic
from config.contracts.ops import DeadLetter, OpsEvent
from config.contracts.topics import Topics
from config.contracts.wire import decode
from tests.integration.conftest import Env, make_article, wait_for

pytestmark = pytest.mark.integration


def test_failing_slack_raises_one_ops_event_and_records_failures(stack: Env) -> None:
    stack.slack.fail_first, stack.slack.fail_status = 10_000, 500
    supervisor = stack.start("streams", "alerter", CGTWATCH_ALERTS__BACKOFF_S="0.05",
                             CGTWATCH_ALERTS__BACKOFF_MAX_S="0.2",
                             CGTWATCH_ALERTS__FAILING_AFTER="2")
    articles = [make_article(i, True) for i in range(4)]
    stack.publish(articles)
    index = alerts_index(stack.settings)

    def finished() -> bool:
        supervisor.poll()
        if not stack.es.indices.exists(index=index):
            return False
        stack.es.indices.refresh(index=index)
        hits = stack.es.search(index=index, size=100)["hits"]["hits"]
        statuses = Counter(h["_source"]["status"] for h in hits)
        waiting = statuses["retrying"] + statuses["queued"]  # the channel holds its backlog
        return statuses["sent"] == 8 and waiting == 4 and stack.slack.attempts >= 4

    wait_for(finished, 90, f"4 waiting slack alerts, 8 sent others\n{stack.logs()}")
    events = [decode(OpsEvent, v) for _, v in read_topic(stack.settings, Topics.OPS_EVENTS)]
    failing = [e for e in events if e.kind == "alert_channel_failing"]
    assert len(failing) == 1, events
    assert failing[0].subject == "slack" and "HTTP 500" in failing[0].message
    assert len(stack.smtp.messages) == 4 and stack.slack.posts == []


def test_a_permanent_refusal_fails_at_once_with_an_ops_event_and_a_dead_letter(stack: Env
                                                                                ) -> None:
    stack.slack.fail_first, stack.slack.fail_status = 10_000, 404
    supervisor = stack.start("streams", "alerter")
    stack.publish([make_article(1, True)])
    index = alerts_index(stack.settings)

    def finished() -> bool:
        supervisor.poll()
        if not stack.es.indices.exists(index=index):
            return False
        stack.es.indices.refresh(index=index)
        hits = stack.es.search(index=index, size=100)["hits"]["hits"]
        return Counter(h["_source"]["status"] for h in hits) == {"failed": 1, "sent": 2}

    wait_for(finished, 60, f"1 failed slack alert, 2 sent others\n{stack.logs()}")
    assert stack.slack.attempts == 1  # no retry of a permanent error
    events = [decode(OpsEvent, v) for _, v in read_topic(stack.settings, Topics.OPS_EVENTS)]
    assert [e.subject for e in events if e.kind == "alert_delivery_failed"] == ["slack"]
    letters = [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]
    assert [(d.stage, "HTTP 404" in d.error) for d in letters] == [("alerts", True)]

    # the operator fixed the channel: ``alerts retry`` sends the failed delivery once
    stack.slack.fail_first = 0
    runner = CliRunner()
    dry = runner.invoke(app, ["alerts", "retry", "--channel", "slack", "--dry-run"])
    assert dry.exit_code == 0 and "1 failed deliveries chosen" in dry.output, dry.output
    time.sleep(2)
    assert stack.slack.posts == []
    retry = runner.invoke(app, ["alerts", "retry", "--channel", "slack", "--since", "1h"])
    assert retry.exit_code == 0 and "1 queued again" in retry.output, retry.output
    wait_for(lambda: len(stack.slack.posts) == 1, 30, f"the retried alert\n{stack.logs()}")
    history = runner.invoke(app, ["alerts", "history", "--channel", "slack", "--json"])
    (row,) = [json.loads(line) for line in history.output.splitlines() if line.startswith("{")]
    assert (row["status"], row["attempts"], row["resolution"]) == ("sent", 2, "manual_retry")
    again = runner.invoke(app, ["alerts", "retry", "--channel", "slack"])
    assert "0 failed deliveries chosen" in again.output
