"""The due-sources heap: earliest first, re-set entries replace old ones, at scale."""

from __future__ import annotations

import random

from crawlers.jobs.due import DueQueue


def test_pop_due_in_time_order_and_only_due() -> None:
    q = DueQueue()
    q.set("b", 20.0)
    q.set("a", 10.0)
    q.set("c", 30.0)
    assert q.pop_due(25.0) == ["a", "b"]
    assert len(q) == 1 and q.when("c") == 30.0


def test_resetting_a_source_moves_it() -> None:
    q = DueQueue()
    q.set("a", 10.0)
    q.set("a", 50.0)
    assert q.pop_due(20.0) == []
    assert q.pop_due(50.0) == ["a"]
    q.set("b", 1.0)
    q.remove("b")
    assert q.pop_due(100.0) == []


def test_ten_thousand_sources_and_a_limit() -> None:
    q = DueQueue()
    rng = random.Random(7)
    for i in range(10_000):
        q.set(f"s{i}", rng.uniform(0, 300))
    for _ in range(5):  # many re-sets leave stale entries; the heap is rebuilt
        for i in range(10_000):
            q.set(f"s{i}", rng.uniform(0, 300))
    first = q.pop_due(150.0, limit=100)
    assert len(first) == 100
    rest = q.pop_due(300.0)
    assert len(first) + len(rest) == 10_000 and len(q) == 0
