"""Crash recovery: kill the Faust classifier and the indexer in the middle of a batch.

The supervisor restarts them (same static group member id, as in production). Afterwards every
article must be in the index, and every alert must have been delivered exactly once, although
the restarted workers re-read whatever they had not committed.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.integration.conftest import Env, both_kafka_backends, make_article, wait_for

pytestmark = [pytest.mark.integration, both_kafka_backends]

N_ARTICLES = 400
RELEVANT_EVERY = 10


KILL_INDEXER = ("indexer",)
KILL_BOTH = ("streams", "indexer")


@pytest.mark.parametrize("killed", [
    pytest.param(KILL_INDEXER, id="indexer"),
    pytest.param(KILL_BOTH, id="classifier-and-indexer"),
])
def test_kill_workers_mid_batch_loses_nothing_and_alerts_once(
        stack: Env, killed: tuple[str, ...]) -> None:
    articles = [make_article(i, i % RELEVANT_EVERY == 0) for i in range(N_ARTICLES)]
    relevant = [a for a in articles if articles.index(a) % RELEVANT_EVERY == 0]
    supervisor = stack.start("streams", "indexer", "alerter",
                             CGTWATCH_WORKER__BATCH_SIZE="10",
                             CGTWATCH_WORKER__BATCH_WITHIN_S="0.2")
    wait_for(lambda: (stack.data_dir / "logs" / "indexer.log").exists(), 20, "indexer up")
    stack.publish(articles)

    wait_for(lambda: len(stack.indexed_ids()) > 0, 60, f"first batch indexed\n{stack.logs()}")
    killed_at = len(stack.indexed_ids())
    for name in killed:
        supervisor.kill(name)
    assert killed_at < N_ARTICLES, "the batch finished before the kill; raise N_ARTICLES"

    expected = {a.article_id for a in articles}

    def all_indexed() -> bool:
        supervisor.poll()
        return stack.indexed_ids() >= expected

    wait_for(all_indexed, 120, f"all {N_ARTICLES} indexed after restart\n{stack.logs()}")
    for name in killed:
        assert supervisor.children[name].restarts >= 1

    def all_alerted() -> bool:
        supervisor.poll()
        return len(stack.smtp.messages) >= len(relevant) and len(
            stack.slack.posts) >= len(relevant)

    wait_for(all_alerted, 60, f"{len(relevant)} alerts per channel\n{stack.logs()}")
    time.sleep(3)  # late duplicates would arrive now
    slack_per_url = Counter(a.url for a in relevant for post in stack.slack.posts
                            if a.url in json.dumps(post, ensure_ascii=False))
    mail_per_article = Counter(str(m["X-Cgtwatch-Alert"]).split(":")[1]
                               for m in stack.smtp.messages)
    assert set(slack_per_url.values()) == {1}, slack_per_url
    assert len(slack_per_url) == len(relevant)
    assert set(mail_per_article.values()) == {1}, mail_per_article
    assert set(mail_per_article) == {a.article_id for a in relevant}
