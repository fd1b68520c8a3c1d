"""Commit only the contiguous finished prefix of each partition's jobs."""

from __future__ import annotations

from crawlers.jobs.tracker import OffsetTracker


def test_commit_waits_for_the_oldest_unfinished_job() -> None:
    t: OffsetTracker[str] = OffsetTracker()
    for offset in (10, 11, 12):
        t.taken("p0", offset)
    t.finished("p0", 11)
    t.finished("p0", 12)
    assert t.committable() == {}
    assert t.in_flight() == 1
    t.finished("p0", 10)
    assert t.committable() == {"p0": 13}
    assert t.in_flight() == 0 and t.pending("p0") == []


def test_partitions_are_independent_and_offered_once() -> None:
    t: OffsetTracker[str] = OffsetTracker()
    t.taken("p0", 1)
    t.taken("p1", 7)
    t.taken("p1", 8)
    t.finished("p1", 7)
    assert t.committable() == {"p1": 8}
    t.committed("p1", 8)
    assert t.committable() == {}
    assert t.pending("p1") == [8] and t.pending("p0") == [1]


def test_revoked_partitions_are_forgotten() -> None:
    t: OffsetTracker[str] = OffsetTracker()
    t.taken("p0", 1)
    t.drop(["p0"])
    t.finished("p0", 1)  # a job of a revoked partition ending later changes nothing
    assert t.committable() == {} and t.in_flight() == 0
