"""Digest delivery: queued alerts go out once per (rule, window, channel).

Input: the ledger's queued items whose window is due (digest rules, held quiet-hours alerts,
the overflow of rate limits). Output: one digest message per (rule, window, channel), claimed
in the ledger as ``digest:rule:window:channel`` before sending and finished ``sent`` or
``failed`` after; its items are then marked ``sent`` (or stay ``queued`` and are retried after
``retry_s``). Everything is read from the alert-history index, so an alerter restarted between
windows, or several alerters, send each digest once. Items that reach a window whose digest
already went (a slow write racing the flush) go out in a follow-up digest, never nowhere.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from alerts.delivery import Deliverer
from alerts.history import Ledger
from alerts.schedule import window_stamp, window_title
from config.contracts import ClassifiedArticle
from config.rules import AlertRulesFile, Rule

log = logging.getLogger(__name__)
Group = tuple[str, str, str]


def digest_key(rule: str, window: str, channel: str) -> str:
    return f"digest:{rule}:{window}:{channel}"


def group_items(items: list[dict[str, Any]]) -> dict[Group, list[dict[str, Any]]]:
    groups: dict[Group, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[(item["rule"], item["window"], item["channel"])].append(item)
    return dict(groups)


class DigestFlusher:
    def __init__(self, rules: AlertRulesFile, deliverer: Deliverer, ledger: Ledger,
                 clock: Callable[[], datetime], retry_s: float = 60.0) -> None:
        self.rules = {rule.name: rule for rule in rules.rules}
        self.deliverer, self.ledger, self.clock = deliverer, ledger, clock
        self.retry_s = retry_s

    async def flush(self) -> int:
        """Send every due digest; return how many were sent."""
        now = self.clock()
        sent = 0
        for (rule_name, window, channel), items in group_items(await self.ledger.due(now)).items():
            rule = self.rules.get(rule_name)
            keys = [item["key"] for item in items]
            if rule is None or channel not in self.deliverer.senders:
                await self.ledger.update_many(keys, {"status": "failed", "error": (
                    f"rule {rule_name!r} or channel {channel!r} is no longer configured")})
                continue
            sent += await self._flush_one(rule, window, channel, items, now)
        return sent

    async def _flush_one(self, rule: Rule, window: str, channel: str,
                         items: list[dict[str, Any]], now: datetime) -> int:
        key = digest_key(rule.name, window, channel)
        keys = [item["key"] for item in items]
        title = window_title(rule, window)
        record = {"kind": "digest", "rule": rule.name, "channel": channel, "window": window,
                  "title": title, "item_keys": keys, "item_count": len(keys)}
        earlier = await self.ledger.claim(key, record)
        if earlier == "sent":
            await self._after_sent(key, rule, window, items, now)
            return 0
        if earlier is not None:  # pending (crashed mid-send) or failed: send what is due now
            await self.ledger.update(key, {"item_keys": keys, "item_count": len(keys)})
        articles = [ClassifiedArticle.model_validate(item["article"]) for item in items]
        outcome, attempts = await self.deliverer.send(
            channel, lambda sender: sender.send_digest(rule, title, articles))
        await self.ledger.finish(key, "sent" if outcome.ok else "failed", attempts,
                                 outcome.error)
        if outcome.ok:
            await self.ledger.update_many(keys, {"status": "sent", "digest": key,
                                                 "sent_at": now.isoformat()})
            return 1
        retry = now + timedelta(seconds=self.retry_s)
        await self.ledger.update_many(keys, {"due_at": retry.isoformat(),
                                             "error": outcome.error})
        log.error("digest %s failed after %d attempts: %s", key, attempts, outcome.error)
        return 0

    async def _after_sent(self, key: str, rule: Rule, window: str,
                          items: list[dict[str, Any]], now: datetime) -> None:
        """The digest went out: finish its own items (a crash may have left them queued)
        and move late arrivals to a follow-up window due now."""
        carried = set((await self.ledger.get(key)).get("item_keys") or [])
        done = [i["key"] for i in items if i["key"] in carried]
        late = [i["key"] for i in items if i["key"] not in carried]
        if done:
            await self.ledger.update_many(done, {"status": "sent", "digest": key})
        if late:
            follow_up = f"{window}+{window_stamp(now)}"
            log.info("%d late item(s) of %s move to %s", len(late), key, follow_up)
            await self.ledger.update_many(late, {"window": follow_up,
                                                 "due_at": now.isoformat()})
