"""Kill and restart the alerter: no duplicate and no lost alert, immediate or digest.

The alerter is a real Faust worker (a child process under the supervisor); Slack is a local
receiver, email is aiosmtpd. Kills happen at deterministic points: while a Slack delivery waits
on a 429's ``Retry-After`` (claimed, nothing accepted yet), and between queueing digest items
and their window. The restarted alerter finds everything in the alert-history index.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.history import alerts_index
from tests.integration.conftest import Env, both_kafka_backends, make_article, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]


def ledger(stack: Env) -> list[dict[str, Any]]:
    index = alerts_index(stack.settings)
    stack.es.indices.refresh(index=index)
    return [h["_source"] for h in stack.es.search(index=index, size=1000)["hits"]["hits"]]


def posts_per_url(stack: Env, urls: list[str]) -> Counter[str]:
    return Counter(url for url in urls for post in stack.slack.posts
                   if url in json.dumps(post, ensure_ascii=False))


def test_alerter_killed_during_a_retry_sends_each_alert_once(stack: Env) -> None:
    stack.slack.retry_after = "30"  # the first post is answered 429: the alerter waits 30 s
    articles = [make_article(i, True) for i in range(3)]
    supervisor = stack.start("streams", "alerter")
    stack.publish(articles)
    wait_for(lambda: stack.slack.attempts >= 1, 60, f"a first Slack attempt\n{stack.logs()}")
    time.sleep(1.0)
    supervisor.kill("alerter")
    assert stack.slack.posts == [] and stack.smtp.messages == []

    def all_alerted() -> bool:
        supervisor.poll()
        return len(stack.slack.posts) >= 3 and len(stack.smtp.messages) >= 3

    wait_for(all_alerted, 90, f"3 alerts per channel after the restart\n{stack.logs()}")
    time.sleep(3)  # late duplicates would arrive now
    assert supervisor.children["alerter"].restarts >= 1
    assert set(posts_per_url(stack, [a.url for a in articles]).values()) == {1}
    assert len(stack.slack.posts) == 3 and len(stack.smtp.messages) == 3
    assert Counter(r["status"] for r in ledger(stack)) == {"sent": 9}


def digest_rules(path: Path) -> Path:
    path.write_text(yaml.safe_dump({
        "channels": [{"name": "slack", "type": "slack", "webhook": "team"},
                     {"name": "email", "type": "email", "to": ["team@example.org"]}],
        "rules": [{"name": "cgt-digest", "labels": ["cell_therapy", "gene_therapy"],
                   "mode": "digest", "digest": {"cron": "* * * * *", "timezone": "UTC"},
                   "channels": ["slack", "email"]}]}), "utf-8")
    return path


def test_digest_survives_an_alerter_restart_between_windows(stack: Env, tmp_path: Path
                                                            ) -> None:
    stack.slack.fail_first = 0
    while datetime.now(UTC).second > 35:  # leave time to kill before the minute's window
        time.sleep(1)
    articles = [make_article(i, True) for i in range(3)]
    supervisor = stack.start("streams", "alerter", CGTWATCH_ALERTS__FLUSH_INTERVAL_S="1",
                             CGTWATCH_PATHS__ALERT_RULES=str(digest_rules(tmp_path / "d.yaml")))
    stack.publish(articles)

    def queued() -> list[dict[str, Any]]:
        return [r for r in ledger(stack) if r["status"] == "queued"]

    wait_for(lambda: len(queued()) == 6, 60, f"6 queued digest items\n{stack.logs()}")
    supervisor.kill("alerter")
    due = max(datetime.fromisoformat(r["due_at"]) for r in queued())
    while datetime.now(UTC) < due:
        time.sleep(0.5)
    time.sleep(2)
    assert stack.slack.posts == [] and stack.smtp.messages == []  # nobody sent it: dead

    def digests_arrived() -> bool:
        supervisor.poll()
        return len(stack.slack.posts) >= 1 and len(stack.smtp.messages) >= 1

    wait_for(digests_arrived, 60, f"the digest after the restart\n{stack.logs()}")
    time.sleep(4)  # several flush ticks: a second copy would arrive now
    assert len(stack.slack.posts) == 1 and len(stack.smtp.messages) == 1
    assert set(posts_per_url(stack, [a.url for a in articles]).values()) == {1}
    (plain,) = [part.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
                for part in stack.smtp.messages[0].walk()
                if part.get_content_type() == "text/plain"]
    assert all(a.url in plain for a in articles)
    assert "cgt-digest digest" in str(stack.smtp.messages[0]["Subject"])
    records = ledger(stack)
    assert Counter((r["kind"], r["status"]) for r in records) == {
        ("item", "sent"): 6, ("digest", "sent"): 2}
