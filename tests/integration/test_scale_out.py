"""Scale-out: two replicas of a Faust worker share their input topic as one consumer group;
when one dies (and stays dead), the other takes over its partitions after the session timeout
and nothing is lost.

Runs on Tansu, whose group coordinator rebalances like Kafka's (noida-db's never evicts a dead
member), with dynamic membership (Tansu does not settle static members of aiokafka groups).
Both Faust workers are replicated in turn: the classifier (no Faust table: its maps are read
whole from compacted topics by every replica, see ``streams.replica``) and the indexer.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.conftest import Env, make_article, wait_for

pytestmark = pytest.mark.integration

N_ARTICLES = 300
DYNAMIC = {"CGTWATCH_KAFKA__STATIC_MEMBERSHIP": "false"}


@pytest.mark.parametrize(("replicated", "single"), [("indexer", "streams"),
                                                    ("streams", "indexer")])
def test_surviving_replica_takes_over_a_dead_ones_partitions(
        tansu_stack: Env, replicated: str, single: str) -> None:
    stack = tansu_stack
    stack.start(single, **DYNAMIC)
    first = stack.start(replicated, logs="logs-a", CGTWATCH_WORKER__INSTANCE_ID="a", **DYNAMIC)
    second = stack.start(replicated, logs="logs-b", CGTWATCH_WORKER__INSTANCE_ID="b", **DYNAMIC)
    time.sleep(12)  # both members join (Tansu holds a JoinGroup for half the session timeout)

    articles = [make_article(i, False) for i in range(N_ARTICLES)]
    stack.publish(articles[:100])
    wait_for(lambda: len(stack.indexed_ids()) >= 100, 90,
             f"first 100 indexed by two replicas\n{stack.logs()}")
    first.kill(replicated)  # replica a dies and is not restarted
    first.children[replicated].process = None  # so its supervisor never restarts it
    stack.publish(articles[100:])

    expected = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= expected, 120,
             f"all {N_ARTICLES} indexed by the surviving replica\n{stack.logs()}")
    assert second.children[replicated].alive and second.children[replicated].restarts == 0
