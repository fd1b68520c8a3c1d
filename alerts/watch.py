"""Flatline and spike rules, evaluated periodically over the articles index.

Input: rules with ``flatline`` or ``spike`` (``config.rule_types``), counts from Elasticsearch
(a count, and ``terms`` aggregations over two consecutive windows) of the articles the rule's
labels, sources, source kinds and languages select (salience, keywords and places are not
part of the count), at ``now``. Output: at most one operator notice per rule, kind, group and
window: an ops event and, for each of the rule's channels, a delivery in the alert history
(``kind=digest`` without items, its title the notice), created only if new (``_id`` =
``watch:<kind>:<rule>:<window start>[:<group>]:<channel>``), so ticks within one window, a
restart or a second alerter do not repeat it. Windows trail ``now``; the dedupe window is the
epoch-aligned one holding ``now``. A silenced rule's notice is recorded ``status=silenced``
with the reason and never queued for a channel; its ops event is still published (operators).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from alerts.channels.base import Sender
from alerts.delivery import Reporter
from alerts.history import Ledger
from alerts.silence import silenced_fields, silenced_until
from config.contracts.ops import OpsEvent
from config.contracts.wire import utcnow
from config.rules import Rule

log = logging.getLogger(__name__)
SPIKE_FIELDS = {"label": "labels", "region": "regions"}


@dataclass(frozen=True)
class Notice:
    kind: str  # flatline or spike
    rule: str
    window: str  # start of the aligned window, UTC, for the dedupe key
    message: str
    group: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return ":".join(p for p in ("watch", self.kind, self.rule, self.window, self.group) if p)


def aligned(now: datetime, window_s: float) -> str:
    start = int(now.timestamp() // window_s * window_s)
    return datetime.fromtimestamp(start, UTC).strftime("%Y%m%dT%H%M%SZ")


def rule_filters(rule: Rule, source: str | None = None) -> list[dict[str, Any]]:
    """The article filters of a rule's counts (or of one source's)."""
    if source is not None:
        return [{"term": {"source_id": source}}]
    filters: list[dict[str, Any]] = [{"terms": {"labels": rule.labels}}]
    for name, values in (("source_id", rule.sources), ("source_kind", rule.source_kinds),
                         ("language", rule.languages)):
        if values:
            filters.append({"terms": {name: values}})
    return filters


def in_window(start: datetime, end: datetime) -> dict[str, Any]:
    return {"range": {"fetched_at": {"gte": start.isoformat(), "lt": end.isoformat()}}}


def flatline_notice(rule: Rule, count: int, now: datetime) -> Notice | None:
    flat = rule.flatline
    if flat is None or count >= flat.min_items:
        return None
    what = f"source {flat.source!r}" if flat.source else f"rule {rule.name!r}"
    return Notice("flatline", rule.name, aligned(now, flat.window_s),
                  f"Flatline: {what} had {count} article(s) in the last {flat.window} "
                  f"(expected at least {flat.min_items})",
                  details={"count": count, "min_items": flat.min_items, "window": flat.window})


def spike_notices(rule: Rule, current: dict[str, int], previous: dict[str, int],
                  now: datetime) -> list[Notice]:
    spike = rule.spike
    if spike is None:
        return []
    notices = []
    for group, count in sorted(current.items()):
        before = previous.get(group, 0)
        if spike.by == "label" and group not in rule.labels:
            continue
        if count >= spike.min_count and count >= spike.factor * before:
            notices.append(Notice(
                "spike", rule.name, aligned(now, spike.window_s),
                f"Spike: {spike.by} {group!r} had {count} article(s) in the last "
                f"{spike.window}, {before} in the {spike.window} before "
                f"(rule {rule.name!r}: at least {spike.factor:g}×, {spike.min_count} minimum)",
                group=group, details={"count": count, "previous": before}))
    return notices


class Watcher:
    """Evaluates every flatline and spike rule on each tick of the alerter's timer."""

    def __init__(self, es: AsyncElasticsearch, index: str, rules: list[Rule], ledger: Ledger,
                 senders: dict[str, Sender], reporter: Reporter,
                 wake: Callable[[str], None], clock: Callable[[], datetime] = utcnow,
                 silences: Callable[[], Awaitable[dict[str, datetime]]] | None = None) -> None:
        self.es, self.index, self.ledger, self.senders = es, index, ledger, senders
        self.rules = [r for r in rules if r.enabled and (r.flatline or r.spike)]
        self.reporter, self.wake, self.clock = reporter, wake, clock
        self.silences = silences  # the stored silences (``cgtwatch rules silence``), read per tick
        self._stored: dict[str, datetime] = {}

    async def tick(self) -> int:
        """Evaluate every rule; return how many new notices were raised."""
        now, raised = self.clock(), 0
        if self.silences is not None and self.rules:
            self._stored = await self.silences()
        for rule in self.rules:
            notices = []
            if rule.flatline is not None:
                found = await self._count(rule, now - timedelta(seconds=rule.flatline.window_s),
                                          now)
                notices += [n for n in [flatline_notice(rule, found, now)] if n]
            if rule.spike is not None:
                current, previous = await self._groups(rule, now)
                notices += spike_notices(rule, current, previous, now)
            for notice in notices:
                raised += await self.raise_notice(rule, notice, now)
        return raised

    async def _count(self, rule: Rule, start: datetime, end: datetime) -> int:
        assert rule.flatline is not None
        query = {"bool": {"filter": [*rule_filters(rule, rule.flatline.source),
                                     in_window(start, end)]}}
        return int((await self.es.count(index=self.index, query=query))["count"])

    async def _groups(self, rule: Rule, now: datetime) -> tuple[dict[str, int], dict[str, int]]:
        assert rule.spike is not None
        w = timedelta(seconds=rule.spike.window_s)
        terms = {"terms": {"field": SPIKE_FIELDS[rule.spike.by], "size": 200}}
        aggs = {name: {"filter": in_window(start, start + w), "aggs": {"by": terms}}
                for name, start in (("current", now - w), ("previous", now - 2 * w))}
        response = await self.es.search(index=self.index, size=0, aggs=aggs,
                                        query={"bool": {"filter": rule_filters(rule)}})
        found = response["aggregations"]
        return tuple({b["key"]: int(b["doc_count"]) for b in found[name]["by"]["buckets"]}
                     for name in ("current", "previous"))  # type: ignore[return-value]

    async def raise_notice(self, rule: Rule, notice: Notice, now: datetime) -> int:
        """Queue the notice on the rule's channels once per window (recorded ``silenced``
        instead while the rule is silenced); publish an ops event."""
        until = silenced_until(rule, self._stored, now)
        state: dict[str, Any] = {"status": "queued", "next_attempt_at": now.isoformat(),
                                 "reason": notice.kind}
        if until is not None:
            state = silenced_fields(until, notice.kind)
        records: list[dict[str, Any]] = [
            {"key": f"{notice.key}:{channel}", "kind": "digest", "rule": rule.name,
             "channel": channel, "window": notice.window, "title": notice.message,
             "item_keys": [], "item_count": 0, **state,
             "payload": self.senders[channel].render_digest(rule, notice.message, [])}
            for channel in rule.channels if channel in self.senders]
        created = await self.ledger.create_many(records)
        if not created and records:
            return 0
        for channel in {str(r["channel"]) for r in records
                        if r["key"] in created and r["status"] == "queued"}:
            self.wake(channel)
        await self.reporter.publish(OpsEvent(
            kind=f"rule_{notice.kind}", subject=rule.name, severity="warning",
            message=notice.message, details={**notice.details, "group": notice.group,
                                             "window": notice.window}))
        return 1
