"""Measurements of ``bench_poll.py``: CPU and memory of processes, and what reaches topics.

Input: process ids (the services' children of the supervisor) and the local stack's
settings. Output: CPU seconds of each process and all its descendants (``/proc``: user and
system time, including waited-for children), resident memory, and every message a topic
receives from now on with the time it was received (a thread per topic).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from config.clients import kafka_common
from config.settings import Settings

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system, with waited-for children) of ``pids`` and descendants."""
    total = 0
    for root in pids:
        for pid in descendants(root):
            try:
                fields = _stat(pid)
                total += sum(int(fields[i]) for i in (11, 12, 13, 14))
            except (OSError, IndexError, ValueError):
                continue
    return total / TICK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for root in pids:
        for pid in descendants(root):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, ValueError):
                continue
    return total / 1024


class TopicWatch:
    """Messages of one topic from now on: (time received, key, value)."""

    def __init__(self, settings: Settings, topic: str) -> None:
        self.got: list[tuple[float, bytes | None, bytes]] = []
        self.stopping = threading.Event()
        self._consumer = KafkaConsumer(**kafka_common(settings, f"bench-{topic}"),
                                       enable_auto_commit=False)
        parts = [TopicPartition(topic, p)
                 for p in self._consumer.partitions_for_topic(topic) or []]
        self._consumer.assign(parts)
        self._consumer.seek_to_end(*parts)
        for part in parts:
            self._consumer.position(part)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            batch = self._consumer.poll(timeout_ms=0)
            now = time.time()
            for records in batch.values():
                self.got.extend((now, r.key, r.value) for r in records)
            if not batch:
                self.stopping.wait(0.2)
        self._consumer.close()

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=10)
