"""Consumer lag of this service's Kafka consumer group, where the broker reports it.

Input: ``Settings`` and a consumer group id (a Faust app id, or the crawler workers' group).
Output: the gauge ``cgtwatch_consumer_lag{group,topic,partition}`` (end offset minus committed
offset of every partition the group has committed), refreshed by a daemon thread every 30 s
next to the health server, plus ``cgtwatch_consumer_lag_errors_total{group}`` and
``cgtwatch_consumer_lag_updated_timestamp_seconds{group}``. A broker that cannot answer is
logged and counted, never fatal; the last good values stay until the next success.
Committed offsets come from ``KafkaAdminClient`` (``list_group_offsets`` in kafka-python 3,
``list_consumer_group_offsets`` in 2.x), end offsets from a group-less ``KafkaConsumer``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from config.clients import kafka_common
from config.settings import Settings

INTERVAL_S = 30.0
TIMEOUT_MS = 10_000
log = logging.getLogger(__name__)
Partition = tuple[str, int]
Clients = tuple[Any, Any]  # (KafkaAdminClient, KafkaConsumer)


class LagCollector(Collector):
    """Exports the latest lag snapshot of each group; partitions gone from a snapshot vanish."""

    NAME = "cgtwatch_consumer_lag"
    DOC = "Messages not yet consumed: end offset minus the group's committed offset"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[str, dict[Partition, int]] = {}

    def update(self, group: str, lag: dict[Partition, int]) -> None:
        with self._lock:
            self._snapshots[group] = dict(lag)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.NAME, self.DOC, labels=["group", "topic", "partition"])
        with self._lock:
            for group, lag in sorted(self._snapshots.items()):
                for (topic, partition), value in sorted(lag.items()):
                    family.add_metric([group, topic, str(partition)], value)
        yield family

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(self.NAME, self.DOC, labels=["group", "topic", "partition"])


LAG = LagCollector()
REGISTRY.register(LAG)
LAG_ERRORS = Counter("cgtwatch_consumer_lag_errors",
                     "Lag measurements that failed (the broker could not answer)", ["group"])
LAG_UPDATED = Gauge("cgtwatch_consumer_lag_updated_timestamp_seconds",
                    "Unix time of the last successful lag measurement", ["group"])


def committed_offsets(admin: Any, group: str) -> dict[Partition, int]:
    """Committed offset per partition of ``group`` (partitions without a commit left out)."""
    if hasattr(admin, "list_group_offsets"):  # kafka-python 3
        found = admin.list_group_offsets({group: None}).get(group, {})
    else:  # kafka-python 2.x
        found = admin.list_consumer_group_offsets(group)
    return {(tp.topic, tp.partition): meta.offset for tp, meta in found.items()
            if meta.offset is not None and meta.offset >= 0}


def measure(admin: Any, consumer: Any, group: str) -> dict[Partition, int]:
    """Lag per partition: end offset minus committed offset (never below zero)."""
    from kafka import TopicPartition

    committed = committed_offsets(admin, group)
    if not committed:
        return {}
    ends = consumer.end_offsets([TopicPartition(t, p) for t, p in committed],
                                timeout_ms=TIMEOUT_MS)
    return {(tp.topic, tp.partition): max(int(end) - committed[(tp.topic, tp.partition)], 0)
            for tp, end in ends.items() if (tp.topic, tp.partition) in committed}


def kafka_clients(settings: Settings) -> Clients:
    """A group-less admin client and consumer (no group join, no commits)."""
    from kafka import KafkaAdminClient, KafkaConsumer

    common = kafka_common(settings, "cgtwatch-lag")
    return KafkaAdminClient(**common), KafkaConsumer(**common, enable_auto_commit=False)


class LagMonitor:
    """Measures one group's lag every ``interval_s`` and publishes it; never raises."""

    def __init__(self, group: str, clients: Callable[[], Clients],
                 interval_s: float = INTERVAL_S) -> None:
        self.group, self.interval_s, self._clients = group, interval_s, clients
        self._open: Clients | None = None
        self._failing = False
        self.stopping = threading.Event()

    def poll_once(self) -> bool:
        """One measurement; True when the broker answered."""
        try:
            if self._open is None:
                self._open = self._clients()
            lag = measure(*self._open, self.group)
        except Exception as exc:
            LAG_ERRORS.labels(group=self.group).inc()
            if not self._failing:
                log.warning("consumer lag of %s unavailable: %s", self.group, exc)
            self._failing = True
            self.close()
            return False
        if self._failing:
            log.info("consumer lag of %s available again", self.group)
        self._failing = False
        LAG.update(self.group, lag)
        LAG_UPDATED.labels(group=self.group).set(time.time())
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            self.poll_once()
            self.stopping.wait(self.interval_s)
        self.close()

    def close(self) -> None:
        clients, self._open = self._open, None
        for client in clients or ():
            try:
                client.close()
            except Exception as exc:  # closing a broken client must not stop the monitor
                log.debug("closing a lag client: %s", exc)


def watch_lag(settings: Settings, group: str, interval_s: float = INTERVAL_S) -> LagMonitor:
    """Start measuring ``group``'s lag in a daemon thread; returns the monitor."""
    monitor = LagMonitor(group, lambda: kafka_clients(settings), interval_s)
    threading.Thread(target=monitor.run, name=f"lag-{group}", daemon=True).start()
    return monitor
