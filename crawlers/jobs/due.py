"""Which sources are due: a heap of (due time, source id) for thousands of sources (pure).

Input: the next due time of each source (set after each queueing). Output: the sources due at
a given time, earliest first. One ticking scheduler job reads it every second, instead of one
APScheduler job per source; re-setting a source's time leaves its old heap entry behind, and
such stale entries are skipped when they surface.
"""

from __future__ import annotations

import heapq
import itertools


class DueQueue:
    """Due times by source; ``pop_due`` removes and returns the sources whose time came."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._due: dict[str, float] = {}
        self._order = itertools.count()

    def set(self, source_id: str, when: float) -> None:
        self._due[source_id] = when
        heapq.heappush(self._heap, (when, next(self._order), source_id))
        if len(self._heap) > 4 * len(self._due) + 64:  # too many stale entries: rebuild
            self._heap = [(t, next(self._order), s) for s, t in self._due.items()]
            heapq.heapify(self._heap)

    def remove(self, source_id: str) -> None:
        self._due.pop(source_id, None)

    def when(self, source_id: str) -> float | None:
        return self._due.get(source_id)

    def pop_due(self, now: float, limit: int | None = None) -> list[str]:
        """Sources due at ``now`` (at most ``limit``), earliest first, removed from the queue."""
        out: list[str] = []
        while self._heap and self._heap[0][0] <= now and (limit is None or len(out) < limit):
            when, _, source_id = heapq.heappop(self._heap)
            if self._due.get(source_id) == when:
                del self._due[source_id]
                out.append(source_id)
        return out

    def __len__(self) -> int:
        return len(self._due)
