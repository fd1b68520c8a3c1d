"""In-memory stand-ins for the alert history and the senders, and a harness that runs the
alerter and its channel workers step by step on a fake clock (unit tests only)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alerts.agent import Alerter
from alerts.channels import Delivery, Interrupted, Payload
from alerts.delivery import Reporter
from alerts.health import ChannelHealth
from alerts.history import RejectedError
from alerts.queue import DELIVERY_KINDS, WAITING, Hit, Owner
from alerts.render import StoryRef
from alerts.worker import ChannelWorker
from config.contracts.articles import ClassifiedArticle
from config.contracts.ops import DeadLetter, OpsEvent
from config.rules import AlertRulesFile, Rule
from config.sections import AlertSettings
from streams.topics import Retry

T0 = datetime(2026, 11, 18, 4, 10, tzinfo=UTC)  # 12:10 in Shanghai
BLOCKED = str({"type": "cluster_block_exception",
               "reason": "index [cgtwatch-alerts] blocked by: [FORBIDDEN/8/index write (api)];"})


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class MemoryQueue:
    """The ``Ledger`` and ``DeliveryQueue`` APIs over a dict, with versions for claims.
    ``blocked``: how many more ``create_many`` calls find the index write-blocked (a refusal
    that passes, as Elasticsearch reports it)."""

    clock: Clock = field(default_factory=Clock)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    order: itertools.count[int] = field(default_factory=itertools.count)
    blocked: int = 0
    calls: list[str] = field(default_factory=list)

    async def create_many(self, docs: list[dict[str, Any]]) -> list[str]:
        if self.blocked > 0:
            self.blocked -= 1
            keys = {doc["key"] for doc in docs}
            raise RejectedError({k: BLOCKED for k in keys}, [], keys)
        created = []
        for doc in docs:
            if doc["key"] not in self.records:
                self.records[doc["key"]] = {"attempts": 0, "seq": next(self.order),
                                            "created_at": self.clock().isoformat(), **doc}
                self.versions[doc["key"]] = 0
                created.append(doc["key"])
        return created

    async def update(self, key: str, fields: dict[str, Any]) -> None:
        self.records[key].update(fields)
        self.versions[key] += 1

    async def update_many(self, keys: list[str], fields: dict[str, Any]) -> None:
        for key in keys:
            await self.update(key, fields)

    async def mark(self, keys: list[str], fields: dict[str, Any]) -> None:
        await self.update_many(keys, fields)

    async def get(self, key: str) -> dict[str, Any]:
        return dict(self.records[key])

    def _recent(self, rule: str, channel: str, since: datetime) -> list[datetime]:
        return [datetime.fromisoformat(r["created_at"]) for r in self.records.values()
                if r.get("kind") == "immediate" and r["rule"] == rule
                and r["channel"] == channel and datetime.fromisoformat(r["created_at"]) >= since]

    async def count_recent(self, rule: str, channel: str, since: datetime) -> int:
        self.calls.append("count_recent")
        return len(self._recent(rule, channel, since))

    async def oldest_recent(self, rule: str, channel: str, since: datetime) -> datetime | None:
        self.calls.append("oldest_recent")
        return min(self._recent(rule, channel, since), default=None)

    async def due(self, now: datetime, limit: int = 5000) -> list[dict[str, Any]]:
        return [dict(r) for r in self.records.values() if r["status"] == "queued"
                and r.get("kind") == "item" and datetime.fromisoformat(r["due_at"]) <= now]

    def _hits(self, keep: Any) -> list[Hit]:
        rows = sorted((r for r in self.records.values() if keep(r)),
                      key=lambda r: (r["seq"], r["created_at"]))  # as DeliveryQueue sorts
        return [Hit(dict(r), self.versions[r["key"]], 1) for r in rows]

    async def waiting(self, channel: str, limit: int) -> list[Hit]:
        return self._hits(lambda r: r["channel"] == channel and r["status"] in WAITING
                          and r.get("kind") in DELIVERY_KINDS)[:limit]

    async def interrupted(self, channel: str, owner: Owner, before: datetime,
                          limit: int = 100) -> list[Hit]:
        def dead(r: dict[str, Any]) -> bool:
            return (r["channel"] == channel and r["status"] == "sending"
                    and ((r["instance"] == owner.instance and r["boot"] != owner.boot)
                         or datetime.fromisoformat(r["claimed_at"]) <= before))
        return self._hits(dead)[:limit]

    async def take(self, hits: list[Hit], owner: Owner, unit: str) -> list[Hit]:
        taken = [h for h in hits if self.versions[h.key] == h.seq_no]
        for h in taken:
            await self.update(h.key, {"status": "sending", "unit": unit, "boot": owner.boot,
                                      "instance": owner.instance,
                                      "claimed_at": self.clock().isoformat(),
                                      "attempts": h.doc.get("attempts", 0) + 1})
        return taken

    def with_status(self, status: str) -> list[str]:
        return sorted(k for k, r in self.records.items() if r["status"] == status)


@dataclass
class ScriptedSender:
    """Answers deliveries with the scripted outcomes, then succeeds; records what it sent.
    ``arrived`` holds the keys ``delivered`` finds; ``can_check=False``: it cannot tell."""

    script: list[Delivery] = field(default_factory=list)
    sent: list[tuple[str, Payload]] = field(default_factory=list)
    arrived: set[str] = field(default_factory=set)
    can_check: bool = True
    on_interrupted: Interrupted = "resend"
    min_interval_s: float = 0.0
    broken_titles: set[str] = field(default_factory=set)

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload:
        if article.title in self.broken_titles:
            raise ValueError(f"cannot render {article.title!r}")
        return {"rule": rule.name, "article_id": article.article_id,
                "others": [o.url for o in others or []]}

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload:
        return {"rule": rule.name, "digest": title, "ids": [a.article_id for a in articles]}

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        self.sent.append((key, payload))
        outcome = self.script.pop(0) if self.script else Delivery(True)
        if outcome.ok or outcome.ambiguous:
            self.arrived.add(key)
        return outcome

    async def delivered(self, key: str, since: datetime) -> bool | None:
        return key in self.arrived if self.can_check else None

    @property
    def articles(self) -> list[str]:
        return [p["article_id"] for _, p in self.sent if "article_id" in p]

    @property
    def digests(self) -> list[Payload]:
        return [p for _, p in self.sent if "digest" in p]


@dataclass
class Harness:
    """An alerter, its queue and one worker per channel, driven by hand. ``letters_down``:
    how many more dead letters the topic refuses (Kafka away)."""

    rules: AlertRulesFile
    senders: dict[str, ScriptedSender]
    settings: AlertSettings = field(default_factory=lambda: AlertSettings(backoff_s=1.0))
    clock: Clock = field(default_factory=Clock)
    ops: list[OpsEvent] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    boot: str = "boot-1"
    retry: Retry = field(default_factory=lambda: Retry(attempts=3, backoff_s=0.001))
    letters_down: int = 0

    def __post_init__(self) -> None:
        self.queue = MemoryQueue(self.clock)

        async def ops(event: OpsEvent) -> None:
            self.ops.append(event)

        async def letters(letter: DeadLetter) -> None:
            if self.letters_down > 0:
                self.letters_down -= 1
                raise ConnectionError("dead-letter topic unreachable")
            self.letters.append(letter)

        self.reporter = Reporter(ops, letters, ChannelHealth(self.settings.failing_after))
        self.alerter = Alerter(self.rules, self.senders, self.queue,  # type: ignore[arg-type]
                               reporter=self.reporter, clock=self.clock, retry=self.retry)
        self.restart(self.boot)

    def restart(self, boot: str) -> None:
        """A new process: new workers (nothing in memory), the same queue."""
        owner = Owner("host-1", boot)
        rules = {r.name: r for r in self.rules.rules}
        self.workers = {name: ChannelWorker(name, sender, self.queue,  # type: ignore[arg-type]
                                            self.settings, owner, rules, self.reporter,
                                            self.clock)
                        for name, sender in self.senders.items()}

    async def drain(self, rounds: int = 50) -> None:
        """Run every worker until none has anything due now."""
        for _ in range(rounds):
            busy = [await w.step() for w in self.workers.values()]
            if not any(busy):
                return

    async def handle(self, *articles: ClassifiedArticle) -> int:
        queued = await self.alerter.handle_batch([(a.encode(), {}) for a in articles])
        await self.drain()
        return queued
