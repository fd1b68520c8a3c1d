"""Consumer lag: end minus committed offsets per partition; a broker that fails is not fatal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata
from prometheus_client import REGISTRY

from cgtwatch.runtime import lag


def committed(offsets: dict[tuple[str, int], int]) -> dict[TopicPartition, OffsetAndMetadata]:
    return {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()}


@dataclass
class FakeAdmin:
    """kafka-python 3's ``list_group_offsets``."""

    offsets: dict[tuple[str, int], int]
    closed: bool = False

    def list_group_offsets(self, specs: dict[str, None]) -> dict[str, Any]:
        return {group: committed(self.offsets) for group in specs}

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeAdmin2:
    """kafka-python 2's ``list_consumer_group_offsets``."""

    offsets: dict[tuple[str, int], int]

    def list_consumer_group_offsets(self, group: str) -> dict[TopicPartition, Any]:
        return committed(self.offsets)

    def close(self) -> None:
        return None


@dataclass
class FakeConsumer:
    ends: dict[tuple[str, int], int]
    asked: list[list[TopicPartition]] = field(default_factory=list)
    closed: bool = False

    def end_offsets(self, partitions: list[TopicPartition], timeout_ms: int) -> dict[Any, int]:
        self.asked.append(partitions)
        return {tp: self.ends[(tp.topic, tp.partition)] for tp in partitions}

    def close(self) -> None:
        self.closed = True


def test_lag_is_end_minus_committed_per_partition() -> None:
    admin = FakeAdmin({("articles.raw", 0): 10, ("articles.raw", 1): 7, ("x", 0): -1})
    consumer = FakeConsumer({("articles.raw", 0): 15, ("articles.raw", 1): 5})
    assert lag.measure(admin, consumer, "g") == {("articles.raw", 0): 5, ("articles.raw", 1): 0}
    assert len(consumer.asked[0]) == 2  # partitions without a commit are not asked for


def test_kafka_python_2_admin_api() -> None:
    admin = FakeAdmin2({("t", 0): 3})
    assert lag.measure(admin, FakeConsumer({("t", 0): 4}), "g") == {("t", 0): 1}


def test_no_commits_no_lag_and_no_end_offset_request() -> None:
    consumer = FakeConsumer({})
    assert lag.measure(FakeAdmin({}), consumer, "g") == {}
    assert consumer.asked == []


def test_monitor_publishes_the_gauge() -> None:
    clients = (FakeAdmin({("articles.classified", 2): 40}),
               FakeConsumer({("articles.classified", 2): 42}))
    monitor = lag.LagMonitor("lag-test-ok", lambda: clients)
    assert monitor.poll_once()
    labels = {"group": "lag-test-ok", "topic": "articles.classified", "partition": "2"}
    assert REGISTRY.get_sample_value("cgtwatch_consumer_lag", labels) == 2
    assert REGISTRY.get_sample_value("cgtwatch_consumer_lag_updated_timestamp_seconds",
                                     {"group": "lag-test-ok"})
    clients[1].ends[("articles.classified", 2)] = 40  # caught up
    assert monitor.poll_once()
    assert REGISTRY.get_sample_value("cgtwatch_consumer_lag", labels) == 0


def test_a_broker_that_cannot_answer_is_counted_never_raised() -> None:
    opened: list[tuple[FakeAdmin, FakeConsumer]] = []

    class Broken(FakeConsumer):
        def end_offsets(self, partitions: list[TopicPartition], timeout_ms: int
                        ) -> dict[Any, int]:
            raise TimeoutError("no answer")

    def clients() -> tuple[FakeAdmin, FakeConsumer]:
        opened.append((FakeAdmin({("t", 0): 1}), Broken({})))
        return opened[-1]

    def no_broker() -> tuple[Any, Any]:
        raise OSError("NoBrokersAvailable")

    errors = REGISTRY.get_sample_value("cgtwatch_consumer_lag_errors_total",
                                       {"group": "lag-test-bad"}) or 0
    monitor = lag.LagMonitor("lag-test-bad", clients)
    assert not monitor.poll_once() and not monitor.poll_once()
    assert len(opened) == 2 and all(a.closed and c.closed for a, c in opened)  # reopened
    assert not lag.LagMonitor("lag-test-bad", no_broker).poll_once()
    assert REGISTRY.get_sample_value("cgtwatch_consumer_lag_errors_total",
                                     {"group": "lag-test-bad"}) == errors + 3


def test_the_thread_stops() -> None:
    clients = (FakeAdmin({}), FakeConsumer({}))

    def open_then_stop() -> tuple[FakeAdmin, FakeConsumer]:
        monitor.stopping.set()
        return clients

    monitor = lag.LagMonitor("lag-test-stop", open_then_stop, interval_s=60)
    monitor.run()  # one measurement, then it sees the stop and closes its clients
    assert clients[0].closed and clients[1].closed
