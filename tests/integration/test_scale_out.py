"""Scale-out: two replicas of a Faust worker share their input topic as one consumer group;
when one dies (and stays dead), the other takes over its partitions after the session timeout
and nothing is lost.

Runs on Tansu, whose group coordinator rebalances like Kafka's (noida-db's never evicts a dead
member), with dynamic membership (Tansu does not settle static members of aiokafka groups).
The replicated worker is the indexer: Faust's table recovery needs correct end offsets, which
Tansu does not report, so workers with tables are failed over on real Kafka only.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.conftest import Env, make_article, wait_for

pytestmark = pytest.mark.integration

N_ARTICLES = 300
DYNAMIC = {"CGTWATCH_KAFKA__STATIC_MEMBERSHIP": "false"}


def test_surviving_replica_takes_over_a_dead_ones_partitions(tansu_stack: Env) -> None:
    stack = tansu_stack
    stack.start("streams", **DYNAMIC)
    first = stack.start("indexer", logs="logs-a", CGTWATCH_WORKER__INSTANCE_ID="a", **DYNAMIC)
    second = stack.start("indexer", logs="logs-b", CGTWATCH_WORKER__INSTANCE_ID="b", **DYNAMIC)
    time.sleep(12)  # both members join (Tansu holds a JoinGroup for half the session timeout)

    articles = [make_article(i, False) for i in range(N_ARTICLES)]
    stack.publish(articles[:100])
    wait_for(lambda: len(stack.indexed_ids()) >= 100, 90,
             f"first 100 indexed by two replicas\n{stack.logs()}")
    first.kill("indexer")  # replica a dies and is not restarted
    first.children["indexer"].process = None  # so its supervisor never restarts it
    stack.publish(articles[100:])

    expected = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= expected, 120,
             f"all {N_ARTICLES} indexed by the surviving replica\n{stack.logs()}")
    assert second.children["indexer"].alive and second.children["indexer"].restarts == 0
