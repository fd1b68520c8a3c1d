"""Which consumed offsets may be committed while many jobs run at once (pure).

Input: for each partition, the offsets of the jobs taken (in the order consumed) and the
offsets of the jobs finished (in any order). Output: per partition, the offset to commit: one
past the longest finished prefix. A job that has not finished holds back the commit of every
later one, so a worker that dies leaves all its unfinished jobs (and some finished ones) to be
redone by the partition's next owner; at-least-once, the seen-store makes redoing cheap.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)


class OffsetTracker(Generic[P]):
    """Offsets in flight per partition and the commit position they allow."""

    def __init__(self) -> None:
        self._open: dict[P, dict[int, bool]] = {}  # offset -> finished, in consumed order
        self._committed: dict[P, int] = {}

    def taken(self, partition: P, offset: int) -> None:
        """A job was consumed at ``offset`` (offsets of a partition arrive in order)."""
        self._open.setdefault(partition, {})[offset] = False

    def finished(self, partition: P, offset: int) -> None:
        """The job at ``offset`` is done (every request and item of it ended)."""
        entries = self._open.get(partition)
        if entries is not None and offset in entries:
            entries[offset] = True

    def committable(self) -> dict[P, int]:
        """Partitions whose finished prefix advanced: the next offset to commit for each."""
        ready: dict[P, int] = {}
        for partition, entries in self._open.items():
            position = None
            for offset, done in list(entries.items()):
                if not done:
                    break
                del entries[offset]
                position = offset + 1
            if position is not None and position != self._committed.get(partition):
                ready[partition] = position
        return ready

    def committed(self, partition: P, position: int) -> None:
        """Remember a successful commit (so it is not offered again)."""
        self._committed[partition] = position

    def drop(self, partitions: Iterable[P]) -> None:
        """Forget revoked partitions: their open jobs belong to the next owner now."""
        for partition in partitions:
            self._open.pop(partition, None)
            self._committed.pop(partition, None)

    def in_flight(self) -> int:
        """Jobs taken and not yet finished, over every partition."""
        return sum(1 for entries in self._open.values() for done in entries.values()
                   if not done)

    def pending(self, partition: P) -> list[int]:
        """Offsets of a partition still held (unfinished, or finished behind one)."""
        return list(self._open.get(partition, {}))
