"""Alerter: a thin Faust agent that turns classified articles into durable deliveries.

Input: ``articles.classified`` in batches. Output: for every matching rule and channel, one
record in the alert history (``rule:story:channel``, created only if new, so redelivered
articles are not alerted twice): a rendered delivery ``queued`` for the channel's worker
(``alerts.worker``), or, inside quiet hours, over a rate limit or for a digest rule, an item
queued for its window's digest (``alerts.digest``, run by a timer). The agent never waits for a
channel. An article that fails to decode, match or render, or whose records Elasticsearch
refuses, goes to ``articles.deadletter`` (stage ``alerts``) with the reason; the agent goes on.
A refusal that may pass by itself (a write block, an overloaded cluster) is retried first,
with the handler retry's waits (``CGTWATCH_WORKER__HANDLER_ATTEMPTS``), and Elasticsearch away
is waited for. A batch returns (and Faust acks it) only once its records are stored and its
dead letters published.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from elasticsearch import ApiError, TransportError
from elasticsearch import ConnectionError as EsConnectionError

from alerts.channels.base import Sender
from alerts.delivery import LOG_STAGE, STAGE, Reporter
from alerts.digest import DigestFlusher, Wake
from alerts.history import Ledger, RejectedError, passing
from alerts.render import StoryRef, snippet
from alerts.rules import alert_key, matching_rules
from alerts.schedule import Decision, decide
from alerts.silence import SilenceStore, silenced_fields, silenced_until
from alerts.stories import StoryLookup
from config.contracts.articles import ClassifiedArticle
from config.contracts.ops import dead_letter_for
from config.contracts.wire import decode, utcnow
from config.rules import AlertRulesFile, Rule
from config.translate import Translator
from streams.topics import DEFAULT_RETRY, Retry, until_done

T = TypeVar("T")
Clock = Callable[[], datetime]
Origin = dict[str, Any]
Counts = dict[tuple[str, str], int]
Records = list[dict[str, Any]]
log = logging.getLogger(__name__)


ES_AWAY = (EsConnectionError, TransportError)  # Elasticsearch unreachable: wait for it


async def until_es_answers(op: Callable[[], Awaitable[T]], what: str) -> T:
    """``op()`` retried with the default backoff while Elasticsearch cannot be reached."""
    return await until_done(op, what, retry_on=ES_AWAY)


def _about(article: ClassifiedArticle) -> dict[str, str]:
    """``extra=`` for log lines about one article (fields of the JSON log format)."""
    return {"article_id": article.article_id, "source": article.source_id, "stage": LOG_STAGE}


def base_record(rule: Rule, channel: str, article: ClassifiedArticle) -> dict[str, Any]:
    return {"key": alert_key(rule, article, channel), "rule": rule.name, "channel": channel,
            "article_id": article.article_id, "story_id": article.story_id,
            "title": article.title, "url": article.url,
            "fetched_at": article.fetched_at.isoformat(),
            "article": article.model_copy(update={"text": article.text[:2000]}
                                          ).model_dump(mode="json")}


def queued_fields(decision: Decision) -> dict[str, Any]:
    assert decision.due_at is not None
    return {"kind": "item", "status": "queued", "reason": decision.reason,
            "window": decision.window, "due_at": decision.due_at.isoformat()}


class Alerter:
    """Matches rules and enqueues each (rule, story, channel) once."""

    def __init__(self, rules: AlertRulesFile, senders: dict[str, Sender], ledger: Ledger, *,
                 stories: StoryLookup | None = None, reporter: Reporter | None = None,
                 clock: Clock = utcnow, wake: Wake | None = None,
                 silences: SilenceStore | None = None,
                 translator: Translator | None = None,
                 retry: Retry = DEFAULT_RETRY) -> None:
        self.rules, self.senders, self.ledger = rules, senders, ledger
        self.silence_store, self.silences = silences, dict[str, datetime]()
        self._silences_read = False
        self.translator = translator
        self.stories, self.clock, self.retry = stories, clock, retry
        self.reporter = reporter or Reporter()
        self.wake = wake or (lambda channel: None)
        self.digests = DigestFlusher(rules, senders, ledger, clock, self.wake)

    async def handle_batch(self, messages: list[tuple[bytes, Origin]]) -> int:
        """Enqueue the deliveries of a batch of classified messages; return how many
        immediate deliveries were new."""
        planned: list[tuple[ClassifiedArticle, bytes, Origin, list[dict[str, Any]]]] = []
        counts: Counts = {}
        if self.silence_store is not None and not self._silences_read:
            await self.read_silences()
        decoded: list[tuple[ClassifiedArticle, bytes, Origin]] = []
        for value, origin in messages:
            try:
                decoded.append((decode(ClassifiedArticle, value), value, origin))
            except Exception as exc:  # undecodable, or refused by the contract
                await self._reject(exc, value, origin, None)
        others = await self._others([article for article, *_ in decoded])
        for article, value, origin in decoded:
            try:
                records = await self.plan(article, counts, others.get(article.article_id, []))
            except Exception as exc:  # poison: matching or rendering failed for this article
                await self._reject(exc, value, origin, article)
                continue
            if records:
                planned.append((article, value, origin, records))
        created = await self._enqueue(planned)
        for channel in {r["channel"] for r in created
                        if r["kind"] == "immediate" and r["status"] == "queued"}:
            self.wake(channel)
        return sum(1 for r in created if r["kind"] == "immediate" and r["status"] == "queued")

    async def handle(self, article: ClassifiedArticle) -> int:
        """One article (tests, replays): as a batch of one."""
        return await self.handle_batch([(article.encode(), {})])

    async def _others(self, articles: list[ClassifiedArticle]) -> dict[str, list[StoryRef]]:
        """The other articles of each matching article's story: one lookup for the batch."""
        if self.stories is None:
            return {}
        return await self.stories.others_of([a for a in articles if self._matches(a)])

    def _matches(self, article: ClassifiedArticle) -> bool:
        try:
            return bool(matching_rules(self.rules.rules, article))
        except Exception:  # poison: ``plan`` raises it again and the article is rejected
            return False

    async def plan(self, article: ClassifiedArticle, counts: Counts,
                   others: list[StoryRef] | None = None) -> list[dict[str, Any]]:
        """The records ``article`` produces: rendered deliveries or digest items;
        ``others``: the other articles of its story (default: looked up)."""
        records: list[dict[str, Any]] = []
        rules = matching_rules(self.rules.rules, article)
        english = await self.english(article) if rules else {}
        shown = article.model_copy(update=english) if english else article
        for rule in rules:
            for channel in rule.channels:
                if others is None:
                    others = await self.stories.others(article) if self.stories else []
                record = base_record(rule, channel, article)
                record.update(english)
                record["article"].update(english)
                until = silenced_until(rule, self.silences, self.clock())
                if until is not None:  # recorded, never sent
                    record.update(kind="immediate", **silenced_fields(until))
                    records.append(record)
                    continue
                decision = await self._decide(rule, channel, counts)
                if decision.now:
                    payload = self.senders[channel].render(rule, shown, others)
                    record.update(kind="immediate", status="queued", payload=payload,
                                  next_attempt_at=self.clock().isoformat())
                else:
                    record.update(queued_fields(decision))
                json.dumps(record, ensure_ascii=False).encode("utf-8")  # storable, or poison
                records.append(record)
        return records

    async def english(self, article: ClassifiedArticle) -> dict[str, str]:
        """``title_en`` and ``snippet_en`` where the provider answered in time (none without
        a provider, for English articles, or when it fails: the alert goes without)."""
        if self.translator is None or article.language == "en":
            return {}
        found = await self.translator.english_many([article.title, snippet(article)],
                                                   article.language)
        return {name: text for name, text in zip(("title_en", "snippet_en"), found,
                                                 strict=True) if text}

    async def _decide(self, rule: Rule, channel: str, counts: Counts) -> Decision:
        now = self.clock()
        if rule.rate_limit is None:
            return decide(rule, now)
        if (rule.name, channel) not in counts:
            since = now - timedelta(seconds=rule.rate_limit.seconds)
            counts[(rule.name, channel)] = await until_es_answers(
                lambda: self.ledger.count_recent(rule.name, channel, since), "count")
        decision = decide(rule, now, counts[(rule.name, channel)])
        if decision.now:
            counts[(rule.name, channel)] += 1
        return decision

    async def _enqueue(self, planned: list[tuple[ClassifiedArticle, bytes, Origin, Records]]
                       ) -> Records:
        """Store all records in one bulk request (see ``_create``); an article whose records
        Elasticsearch refuses is dead-lettered."""
        records = [r for *_, rs in planned for r in rs]
        try:
            keys, refused = await self._create(records)
        except Exception as exc:  # the whole request refused (too large...): one by one
            log.warning("enqueueing %d records failed (%s); one article at a time",
                        len(records), exc)
            keys, refused = set(), {}
            for article, value, origin, rs in planned:
                try:
                    done, no = await self._create(rs)
                except Exception as one:
                    await self._reject(one, value, origin, article)
                    continue
                keys, refused = keys | done, {**refused, **no}
        for article, value, origin, rs in planned:
            reasons = [refused[r["key"]] for r in rs if r["key"] in refused]
            if reasons:
                await self._reject(ValueError(f"alert history refused it: {reasons[0]}"),
                                   value, origin, article)
        return [r for r in records if r["key"] in keys]

    async def _create(self, records: Records) -> tuple[set[str], dict[str, str]]:
        """Create ``records``; retry those refused for a reason that may pass, with
        ``self.retry``'s waits. Return the keys created and key → reason of those refused
        for good or still after the last try."""
        created: set[str] = set()
        refused: dict[str, str] = {}
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            try:
                created.update(await self._try_create(records))
                return created, refused
            except RejectedError as exc:
                created.update(exc.created)
                last = attempt == len(delays)
                refused.update({k: v for k, v in exc.rejected.items()
                                if last or k not in exc.passing})
                records = [r for r in records if r["key"] in exc.passing
                           and r["key"] not in refused]
                if not records:
                    return created, refused
                log.warning("alert history refused %d record(s) (%s); retrying in %.1fs",
                            len(records), exc.rejected[records[0]["key"]], delays[attempt])
                await asyncio.sleep(delays[attempt])
        raise AssertionError("unreachable: the last attempt returns")

    async def _try_create(self, records: Records) -> list[str]:
        """One try (waiting while Elasticsearch is away). A whole request refused for a
        reason that may pass (429, a cluster-wide block) counts as each record refused so."""
        try:
            return await until_es_answers(self._creator(records), "enqueue")
        except ApiError as exc:
            if not passing(exc.meta.status, exc.message):
                raise
            keys = [r["key"] for r in records]
            raise RejectedError({k: str(exc)[:300] for k in keys}, [], set(keys)) from exc

    def _creator(self, records: Records) -> Callable[[], Awaitable[list[str]]]:
        return lambda: self.ledger.create_many(records)

    async def _reject(self, exc: BaseException, value: bytes, origin: Origin,
                      article: ClassifiedArticle | None) -> None:
        article_id = article.article_id if article is not None else None
        log.warning("dead-lettered classified message %s: %s", origin or article_id, exc,
                    extra=_about(article) if article is not None else None)
        await self.reporter.dead_letter(dead_letter_for(STAGE, exc, value, article_id=article_id,
                                                        **origin), until=self.retry)

    async def flush(self) -> int:
        """Re-read stored silences, then queue every due digest and held batch; return how
        many digests were queued."""
        await self.read_silences()
        return await self.digests.flush()

    async def current_silences(self) -> dict[str, datetime]:
        """The stored silences, read again now (the flatline/spike timer's view)."""
        await self.read_silences()
        return self.silences

    async def read_silences(self) -> None:
        """Read the stored silences (``cgtwatch rules silence``): at the first batch, then on
        every timer tick."""
        if self.silence_store is not None:
            self.silences = await until_es_answers(self.silence_store.load, "read silences")
            self._silences_read = True
