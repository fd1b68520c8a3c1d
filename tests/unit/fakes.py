"""Recording stand-ins for Faust messages, events and topics (unit tests only).

Used by the tests of the classifier and indexer agents (``streams.agents``, ``indexer.agent``)
and of the maps every streams worker holds (``streams.shared_maps``): a ``FakeEvent`` carries a
``FakeMessage`` with the value, key and origin (topic, partition, offset) an agent reads, and a
``RecordingTopic`` records what is sent to it and acknowledges it at once (or fails the ack).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class FakeMessage:
    """A Faust message as the agents read it: value, key and where it was read from."""

    value: bytes | None
    topic: str = "articles.raw"
    partition: int = 0
    offset: int = 0
    key: bytes | None = None


@dataclass
class FakeEvent:
    """A Faust event: only its message is read."""

    message: FakeMessage


def fake_event(value: bytes | None, *, key: bytes | None = None, topic: str = "articles.raw",
               partition: int = 0, offset: int = 0) -> FakeEvent:
    """An event whose message holds ``value`` and ``key``, read at topic/partition/offset."""
    return FakeEvent(FakeMessage(value=value, topic=topic, partition=partition, offset=offset,
                                 key=key))


@dataclass
class RecordingTopic:
    """A topic whose ``send`` records ``(key, value)`` and returns an acknowledged future; with
    ``fail`` the broker is down: nothing is recorded and the future fails with ConnectionError."""

    sent: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    fail: bool = False

    async def send(self, key: bytes | None = None, value: bytes = b"") -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            done.set_exception(ConnectionError("broker down"))
        else:
            self.sent.append((key, value))
            done.set_result(None)
        return done

    @property
    def values(self) -> list[bytes]:
        """The values sent, in order, without their keys."""
        return [value for _, value in self.sent]


@dataclass
class FakeTopics:
    """The ``StreamTopics`` of an agent, each a ``RecordingTopic``."""

    raw: RecordingTopic = field(default_factory=RecordingTopic)
    classified: RecordingTopic = field(default_factory=RecordingTopic)
    deadletter: RecordingTopic = field(default_factory=RecordingTopic)
    ops: RecordingTopic = field(default_factory=RecordingTopic)
