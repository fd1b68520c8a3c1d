"""One delivery worker per channel: drains the channel's durable queue in order.

Input: the channel's deliveries in the alert history (``alerts.queue``), its ``Sender``.
Output: each delivery sent once in effect, its record ``sent``/``retrying``/``failed``/
``unknown`` with attempts and next attempt time; reports via ``alerts.delivery.Reporter``.

- Order: oldest first. While a channel fails, its oldest delivery holds the channel (a
  retryable failure pauses the channel with capped exponential backoff, or the server's
  ``Retry-After``). Where the channel answered with an error, one later delivery probes
  whether the failure is the channel's or the message's; where it could not be reached at all
  (``unreachable``) there is nothing to probe, so no later delivery can overtake the oldest
  when the channel comes back. Other channels have their own worker and never wait.
- Pace: ``min_interval_s`` between messages; a paced channel with more than ``spill_after``
  due alerts sends the excess of one rule as one digest (a "spill"), never drops them.
- Window: pace, claim (``sending``), request, record — nothing else in between. A delivery
  left ``sending`` by a crash is resolved by ``Sender.delivered`` (found: ``sent``; not found:
  sent again) or, where the channel cannot tell, its ``on_interrupted`` policy (``resend``, or
  ``unknown`` for ``skip``); ``resolution`` in the record says which.
- Age: a delivery is retried until ``max_age_s`` old; permanent errors stop at once. Both
  raise an operator alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from alerts import metrics
from alerts.channels.base import Delivery, Sender
from alerts.delivery import LOG_STAGE, STAGE, Reporter, backoff
from alerts.queue import DeliveryQueue, Hit, Owner
from config.contracts.articles import ClassifiedArticle
from config.contracts.ops import dead_letter_for
from config.contracts.wire import utcnow
from config.rules import Rule
from config.sections import AlertSettings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def about(hit: Hit) -> dict[str, str]:
    """``extra=`` for log lines about one delivery's article (fields of the JSON log format)."""
    article = hit.doc.get("article") or {}
    return {"article_id": str(hit.doc.get("article_id") or ""),
            "source": str(article.get("source_id") or ""), "stage": LOG_STAGE}


class ChannelWorker:
    def __init__(self, channel: str, sender: Sender, queue: DeliveryQueue,
                 settings: AlertSettings, owner: Owner, rules: dict[str, Rule],
                 reporter: Reporter, clock: Clock = utcnow) -> None:
        self.channel, self.sender, self.queue, self.settings = channel, sender, queue, settings
        self.owner, self.rules, self.reporter, self.clock = owner, rules, reporter, clock
        self.wake = asyncio.Event()
        self.paused_until: datetime | None = None
        self.failures = 0
        self._last_send = 0.0
        self._next_recovery: datetime | None = None
        self._unspillable: set[str] = set()
        self._stopping = False
        self._running: asyncio.Future[None] | None = None

    async def run(self) -> None:
        """Until ``stop``: send what is due, else wait for a wake-up, poll or the pause's end."""
        self._running = asyncio.get_running_loop().create_future()
        try:
            while not self._stopping:
                try:
                    busy = await self.step()
                except asyncio.CancelledError:
                    raise
                except Exception:  # Elasticsearch away, a bug: log, wait, go on
                    log.exception("channel %s: delivery step failed", self.channel)
                    busy = False
                if not busy and not self._stopping:
                    await self._idle()
        finally:
            self._running.set_result(None)

    async def stop(self) -> None:
        """Finish the step under way (a send is never cut in half), then return; the app
        closes the Elasticsearch client only after this."""
        self._stopping = True
        self.wake.set()
        if self._running is not None and not self._running.done():
            await asyncio.shield(self._running)

    async def _idle(self) -> None:
        timeout = self.settings.poll_s
        if self.paused_until is not None:
            left = (self.paused_until - self.clock()).total_seconds()
            timeout = max(0.05, min(timeout, left))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout)
        self.wake.clear()

    async def step(self) -> bool:
        """One round; ``True`` if it sent (or tried) anything."""
        now = self.clock()
        await self.recover(now)
        if self.paused_until is not None and now < self.paused_until:
            return False
        self.paused_until = None
        hits = await self.queue.waiting(self.channel, self.settings.spill_max * 2)
        due = [h for h in hits if (h.at("next_attempt_at") or now) <= now]
        if not hits:
            return False
        if not due or (self.failures and due[0].key != hits[0].key):
            self.paused_until = hits[0].at("next_attempt_at")  # the oldest holds the channel
            return False
        spill = self.sender.min_interval_s > 0 and len(due) > self.settings.spill_after
        if spill and await self.spill(due):
            return True
        failed: list[Hit] = []
        for hit in due[:self.settings.spill_after]:
            outcome = await self.send_one(hit)
            if outcome is None or outcome.ok or not outcome.retryable:
                continue
            failed.append(hit)
            if outcome.retry_after is not None or outcome.unreachable or len(failed) == 2:
                break  # rate limited, unreachable, or down for two: wait for the pause
            # an error answer: is it this message or the channel? one more tells
        if len(failed) == 2 and self.paused_until is not None:  # down: both wait as long,
            await self.queue.mark([h.key for h in failed],  # so they go again in order
                                  {"next_attempt_at": self.paused_until.isoformat()})
        return True

    async def _pace(self) -> None:
        gap = self._last_send + self.sender.min_interval_s - time.monotonic()
        if gap > 0:
            await asyncio.sleep(gap)
        self._last_send = time.monotonic()

    async def send_one(self, hit: Hit) -> Delivery | None:
        await self._pace()
        if not await self.queue.take([hit], self.owner, hit.key):
            return None  # another alerter took it
        try:
            outcome = await self.sender.deliver(hit.key, hit.doc["payload"])
        except Exception as exc:  # a payload the channel cannot carry: the article's fault
            outcome = Delivery(False, f"{type(exc).__name__}: {exc}"[:300], retryable=False)
        await self.settle([hit], hit.key, outcome)
        return outcome

    async def spill(self, due: list[Hit]) -> bool:
        """Send the due alerts of the oldest one's rule as one digest; ``False`` if they
        cannot be (one alert, unknown rule, an article that does not render)."""
        rule = self.rules.get(str(due[0].doc.get("rule")))
        group = [h for h in due if h.doc.get("kind") == "immediate" and rule is not None
                 and h.doc.get("rule") == rule.name
                 and h.key not in self._unspillable][:self.settings.spill_max]
        if rule is None or len(group) < 2:
            return False
        await self._pace()
        unit = "spill:" + hashlib.sha256(" ".join(h.key for h in group).encode()).hexdigest()[:24]
        taken = await self.queue.take(group, self.owner, unit)
        if not taken:
            return True
        try:
            articles = [ClassifiedArticle.model_validate(h.doc["article"]) for h in taken]
            payload = self.sender.render_digest(
                rule, f"{rule.name}: {len(taken)} alerts at once", articles)
        except Exception as exc:
            log.warning("channel %s: spill of %d alerts does not render (%s); sending them one "
                        "by one", self.channel, len(taken), exc)
            self._unspillable.update(h.key for h in taken)
            await self.queue.mark([h.key for h in taken], {"status": "retrying"})
            return False
        try:
            outcome = await self.sender.deliver(unit, payload)
        except Exception as exc:
            outcome = Delivery(False, f"{type(exc).__name__}: {exc}"[:300], retryable=False)
        await self.settle(taken, unit, outcome)
        return True

    async def settle(self, hits: list[Hit], unit: str, outcome: Delivery) -> None:
        """Record the outcome of one request carrying ``hits``."""
        now = self.clock()
        await self.reporter.attempt(self.channel, outcome, len(hits))
        if outcome.ok:
            self.failures = 0
            await self.finish(hits, "sent", unit=unit)
        elif outcome.ambiguous:
            await self.resolve(hits, unit)
        elif outcome.retryable and not self._too_old(hits, now):
            self.failures += 1
            delay = backoff(self.failures, self.settings, outcome.retry_after)
            self.paused_until = now + timedelta(seconds=delay)
            await self.queue.mark([h.key for h in hits], {
                "status": "retrying", "next_attempt_at": self.paused_until.isoformat(),
                "error": outcome.error})
            log.warning("channel %s: %s; next try in %.1fs", self.channel, outcome.error, delay)
        else:
            error = outcome.error if not outcome.retryable else (
                f"still failing after {self.settings.max_age_s:.0f}s: {outcome.error}")
            await self.finish(hits, "failed", error=error, unit=unit)
            await self.reporter.permanent(self.channel, unit, error)
            for hit in hits:
                if hit.doc.get("kind") == "immediate":
                    await self._dead_letter(hit, RuntimeError(f"{self.channel}: {error}"))

    def _too_old(self, hits: list[Hit], now: datetime) -> bool:
        created = hits[0].at("created_at") or now
        return (now - created).total_seconds() >= self.settings.max_age_s

    async def finish(self, hits: list[Hit], status: str, error: str = "", unit: str = "",
                     resolution: str | None = None) -> None:
        fields: dict[str, Any] = {"status": status, "error": error, "unit": unit}
        if resolution is not None:
            fields["resolution"] = resolution
        now = self.clock()
        if status == "sent":
            fields["sent_at"] = now.isoformat()
        await self.queue.mark([h.key for h in hits], fields)
        await self.reporter.final(self.channel, status, len(hits))
        for hit in hits:
            items = hit.doc.get("item_keys") or []
            if hit.doc.get("kind") == "digest" and items:
                await self.queue.update_many(items, {**fields, "digest": hit.key})
            if status == "sent" and hit.doc.get("fetched_at"):
                metrics.record_alert_latency(self.channel,
                                             datetime.fromisoformat(hit.doc["fetched_at"]), now)
        for hit in hits:
            log.info("alert %s %s on channel %s (%s)", hit.key, status, self.channel, unit,
                     extra=about(hit))

    async def recover(self, now: datetime) -> None:
        """Resolve deliveries left ``sending`` by a dead worker: at start, then every quarter
        lease (or poll, if longer)."""
        if self._next_recovery is not None and now < self._next_recovery:
            return
        every = max(self.settings.poll_s, self.settings.lease_s / 4)
        self._next_recovery = now + timedelta(seconds=every)
        before = now - timedelta(seconds=self.settings.lease_s)
        units: dict[str, list[Hit]] = {}
        for hit in await self.queue.interrupted(self.channel, self.owner, before):
            units.setdefault(str(hit.doc.get("unit") or hit.key), []).append(hit)
        for unit, hits in units.items():
            await self.resolve(hits, unit)

    async def resolve(self, hits: list[Hit], unit: str) -> None:
        """A request that may or may not have arrived: ask the channel, else its policy."""
        since = hits[0].at("claimed_at") or self.clock() - timedelta(days=1)
        try:
            found = await self.sender.delivered(unit, since)
        except Exception as exc:  # cannot ask now: stays ``sending``, resolved after the lease
            log.warning("channel %s: cannot check whether %s arrived (%s)", self.channel,
                        unit, exc)
            return
        how = "found" if found else "not_found" if found is False else (
            "resent" if self.sender.on_interrupted == "resend" else "skipped")
        log.warning("channel %s: interrupted delivery %s: %s", self.channel, unit, how)
        if how == "found":
            await self.finish(hits, "sent", unit=unit, resolution=how)
        elif how == "skipped":
            await self.finish(hits, "unknown", unit=unit, resolution=how,
                              error="interrupted; on_interrupted=skip")
        else:
            await self.queue.mark([h.key for h in hits], {
                "status": "retrying", "resolution": how,
                "next_attempt_at": self.clock().isoformat()})

    async def _dead_letter(self, hit: Hit, exc: BaseException) -> None:
        article = hit.doc.get("article")
        payload = json.dumps(article, ensure_ascii=False) if article else json.dumps(hit.doc)
        await self.reporter.dead_letter(dead_letter_for(
            STAGE, exc, payload, article_id=hit.doc.get("article_id"), key=hit.key))
