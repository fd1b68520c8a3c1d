"""Digests: queued alerts become one delivery per (rule, window, channel).

Input: the ledger's queued items whose window is due (digest rules, held quiet-hours alerts,
the overflow of rate limits). Output: one ``kind=digest`` delivery per (rule, window, channel)
in the alert history (``digest:rule:window:channel``, rendered, with its items' keys), queued
for the channel's worker (``alerts.worker``), which sends, retries and records it like any
delivery and then marks its items. The items turn ``digesting``. Everything is read from the
alert-history index, so an alerter restarted between windows, or several alerters, make each
digest once. Items that reach a window whose digest already exists (a slow write racing the
flush) go to a follow-up window, never nowhere.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from alerts.channels.base import Sender
from alerts.history import Ledger
from alerts.schedule import window_stamp, window_title
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile, Rule

log = logging.getLogger(__name__)
Group = tuple[str, str, str]
Wake = Callable[[str], None]


def digest_key(rule: str, window: str, channel: str) -> str:
    return f"digest:{rule}:{window}:{channel}"


def group_items(items: list[dict[str, Any]]) -> dict[Group, list[dict[str, Any]]]:
    groups: dict[Group, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[(item["rule"], item["window"], item["channel"])].append(item)
    return dict(groups)


class DigestFlusher:
    def __init__(self, rules: AlertRulesFile, senders: dict[str, Sender], ledger: Ledger,
                 clock: Callable[[], datetime], wake: Wake | None = None) -> None:
        self.rules = {rule.name: rule for rule in rules.rules}
        self.senders, self.ledger, self.clock = senders, ledger, clock
        self.wake = wake or (lambda channel: None)

    async def flush(self) -> int:
        """Queue every due digest; return how many were queued."""
        now = self.clock()
        made = 0
        for (rule_name, window, channel), items in group_items(await self.ledger.due(now)).items():
            rule = self.rules.get(rule_name)
            keys = [item["key"] for item in items]
            if rule is None or channel not in self.senders:
                await self.ledger.update_many(keys, {"status": "failed", "error": (
                    f"rule {rule_name!r} or channel {channel!r} is no longer configured")})
                continue
            made += await self._queue_one(rule, window, channel, items, now)
        return made

    async def _queue_one(self, rule: Rule, window: str, channel: str,
                         items: list[dict[str, Any]], now: datetime) -> int:
        key = digest_key(rule.name, window, channel)
        keys = [item["key"] for item in items]
        title = window_title(rule, window)
        try:
            articles = [ClassifiedArticle.model_validate(item["article"]) for item in items]
            payload = self.senders[channel].render_digest(rule, title, articles)
        except Exception as exc:  # stored articles that no longer render: say so, go on
            log.error("digest %s does not render: %s", key, exc)
            await self.ledger.update_many(keys, {"status": "failed", "error": str(exc)[:300]})
            return 0
        record = {"key": key, "kind": "digest", "rule": rule.name, "channel": channel,
                  "window": window, "title": title, "item_keys": keys, "item_count": len(keys),
                  "status": "queued", "next_attempt_at": now.isoformat(), "payload": payload}
        if await self.ledger.create_many([record]):
            await self.ledger.update_many(keys, {"status": "digesting", "digest": key})
            self.wake(channel)
            return 1
        await self._exists(key, window, items, now)
        return 0

    async def _exists(self, key: str, window: str, items: list[dict[str, Any]],
                      now: datetime) -> None:
        """The digest was made before (a crash, or a late item): its own items follow it,
        late arrivals move to a follow-up window due now."""
        digest = await self.ledger.get(key)
        carried = set(digest.get("item_keys") or [])
        done = [i["key"] for i in items if i["key"] in carried]
        late = [i["key"] for i in items if i["key"] not in carried]
        status = digest.get("status")
        if done:
            final = status if status in ("sent", "failed", "unknown") else "digesting"
            await self.ledger.update_many(done, {"status": final, "digest": key})
        if late:
            follow_up = f"{window}+{window_stamp(now)}"
            log.info("%d late item(s) of %s move to %s", len(late), key, follow_up)
            await self.ledger.update_many(late, {"window": follow_up,
                                                 "due_at": now.isoformat()})
