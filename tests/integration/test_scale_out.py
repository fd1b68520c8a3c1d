"""Scale-out on real Apache Kafka: two replicas of a Faust worker share their input topic as one
consumer group; when one dies (and stays dead), the other takes over its partitions and nothing
is lost; a replica joining while articles flow (a rebalance mid-processing) loses nothing.

Real Kafka only: noida-db's group coordinator never evicts a dead member. Membership is static
as in production (``group.instance.id`` per worker): the broker evicts a killed static member
after its session timeout (6 s). Both Faust workers are replicated in turn: the classifier (no
Faust table: its maps are read whole from compacted topics by every replica, see
``streams.replica``) and the indexer.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from config.clients import kafka_common
from config.contracts.articles import RawArticle
from tests.integration.conftest import Env, make_article, real_kafka_only, wait_for

pytestmark = [pytest.mark.integration, real_kafka_only]

N_ARTICLES = 300
REPLICATED = [pytest.param("indexer", "streams", id="indexer"),
              pytest.param("streams", "indexer", id="classifier")]
GROUPS = {"indexer": "cgtwatch-indexer", "streams": "cgtwatch-streams"}


def group_members(stack: Env, group: str) -> int:
    """How many members the consumer group ``group`` has now (as the broker sees it)."""
    # kafka-python cannot decode Faust's member metadata and logs every member: not needed
    logging.getLogger("kafka.admin").setLevel(logging.ERROR)
    admin = KafkaAdminClient(**kafka_common(stack.settings, "test-admin"))
    try:
        described = admin.describe_groups([group])[group]
    except KafkaError:  # e.g. the group coordinator is not there yet
        return 0
    else:
        stable = described.get("group_state") == "Stable"
        return len(described.get("members") or []) if stable else 0
    finally:
        admin.close()


def publish_slowly(stack: Env, articles: list[RawArticle], chunk: int = 5,
                   pause_s: float = 0.4) -> threading.Thread:
    """Publish ``articles`` in chunks from a background thread, as a crawl would."""
    def run() -> None:
        for start in range(0, len(articles), chunk):
            stack.publish(articles[start:start + chunk])
            time.sleep(pause_s)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("replicated", "single"), REPLICATED)
def test_surviving_replica_takes_over_a_dead_ones_partitions(
        stack: Env, replicated: str, single: str) -> None:
    stack.start(single)
    first = stack.start(replicated, logs="logs-a", CGTWATCH_WORKER__INSTANCE_ID="a")
    second = stack.start(replicated, logs="logs-b", CGTWATCH_WORKER__INSTANCE_ID="b")
    wait_for(lambda: group_members(stack, GROUPS[replicated]) == 2, 60,
             f"both replicas in the group\n{stack.logs()}")

    articles = [make_article(i, False) for i in range(N_ARTICLES)]
    stack.publish(articles[:100])
    wait_for(lambda: len(stack.indexed_ids()) >= 100, 90,
             f"first 100 indexed by two replicas\n{stack.logs()}")
    first.kill(replicated)  # replica a dies and is not restarted
    first.children[replicated].process = None  # so its supervisor never restarts it
    killed_at = time.monotonic()
    stack.publish(articles[100:])

    expected = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= expected, 120,
             f"all {N_ARTICLES} indexed by the surviving replica\n{stack.logs()}")
    assert second.children[replicated].alive and second.children[replicated].restarts == 0
    assert time.monotonic() - killed_at < 60  # session timeout 6 s, then a rebalance


@pytest.mark.parametrize(("replicated", "single"), REPLICATED)
def test_replica_joining_mid_stream_loses_nothing(
        stack: Env, replicated: str, single: str) -> None:
    small = {"CGTWATCH_WORKER__BATCH_SIZE": "10"}
    stack.start(single, **small)
    stack.start(replicated, logs="logs-a", CGTWATCH_WORKER__INSTANCE_ID="a", **small)
    articles = [make_article(i, False) for i in range(N_ARTICLES)]
    publisher = publish_slowly(stack, articles)
    wait_for(lambda: len(stack.indexed_ids()) > 0, 90, f"first indexed\n{stack.logs()}")
    # a second replica joins while the first is busy: the group rebalances mid-processing
    joined = stack.start(replicated, logs="logs-b", CGTWATCH_WORKER__INSTANCE_ID="b", **small)
    wait_for(lambda: group_members(stack, GROUPS[replicated]) == 2, 60,
             f"the second replica in the group\n{stack.logs()}")
    assert publisher.is_alive() or len(stack.indexed_ids()) < N_ARTICLES, "joined too late"
    publisher.join(timeout=60)

    expected = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= expected, 120,
             f"all {N_ARTICLES} indexed across the rebalance\n{stack.logs()}")
    assert joined.children[replicated].alive
