"""In-memory stand-ins for the alerter's ledger and senders (unit tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alerts.channels import Delivery
from alerts.render import StoryRef
from config.contracts import ClassifiedArticle
from config.rules import Rule


@dataclass
class MemoryLedger:
    """The ``Ledger`` API over a dict: ``claim`` creates or returns the earlier status."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def claim(self, key: str, record: dict[str, Any], status: str = "pending"
                    ) -> str | None:
        if key in self.records:
            return str(self.records[key]["status"])
        self.records[key] = {**record, "key": key, "status": status, "attempts": 0,
                             "created_at": record.get("now", "")}
        return None

    async def update(self, key: str, fields: dict[str, Any]) -> None:
        self.records[key].update(fields)

    async def get(self, key: str) -> dict[str, Any]:
        return dict(self.records[key])

    async def finish(self, key: str, status: str, attempts: int, error: str = "") -> None:
        self.records[key].update(status=status, attempts=attempts, error=error)

    async def count_recent(self, rule: str, channel: str, since: datetime) -> int:
        return sum(1 for r in self.records.values()
                   if r.get("kind") == "immediate" and r["rule"] == rule
                   and r["channel"] == channel)

    async def due(self, now: datetime, limit: int = 5000) -> list[dict[str, Any]]:
        return [dict(r) for r in self.records.values() if r["status"] == "queued"
                and datetime.fromisoformat(r["due_at"]) <= now]

    async def update_many(self, keys: list[str], fields: dict[str, Any]) -> None:
        for key in keys:
            self.records[key].update(fields)

    def with_status(self, status: str) -> list[str]:
        return sorted(k for k, r in self.records.items() if r["status"] == status)


@dataclass
class ScriptedSender:
    """Answers sends with the scripted outcomes, then succeeds; records what it was asked."""

    script: list[Delivery] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    digests: list[tuple[str, str, list[str]]] = field(default_factory=list)
    others: list[list[StoryRef]] = field(default_factory=list)

    async def send(self, rule: Rule, article: ClassifiedArticle,
                   others: list[StoryRef] | None = None) -> Delivery:
        self.sent.append((rule.name, article.article_id))
        self.others.append(list(others or []))
        return self.script.pop(0) if self.script else Delivery(True)

    async def send_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                          ) -> Delivery:
        self.digests.append((rule.name, title, [a.article_id for a in articles]))
        return self.script.pop(0) if self.script else Delivery(True)
