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
from datetime import datetime
from typing import Any, TypeVar

from elasticsearch import ApiError, TransportError
from elasticsearch import ConnectionError as EsConnectionError

from alerts.channels.base import Sender
from alerts.delivery import LOG_STAGE, STAGE, Reporter
from alerts.digest import DigestFlusher, Wake
from alerts.drafts import Draft, Records, base_record, queued_fields
from alerts.history import Ledger, RejectedError, passing
from alerts.ratelimit import RateCounts
from alerts.render import StoryRef, snippet
from alerts.rules import matching_rules
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
log = logging.getLogger(__name__)


ES_AWAY = (EsConnectionError, TransportError)  # Elasticsearch unreachable: wait for it


async def until_es_answers(op: Callable[[], Awaitable[T]], what: str) -> T:
    """``op()`` retried with the default backoff while Elasticsearch cannot be reached."""
    return await until_done(op, what, retry_on=ES_AWAY)


def _about(article: ClassifiedArticle) -> dict[str, str]:
    """``extra=`` for log lines about one article (fields of the JSON log format)."""
    return {"article_id": article.article_id, "source": article.source_id, "stage": LOG_STAGE}


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
        self.rate_counts = RateCounts(ledger, until_es_answers)

    async def handle_batch(self, messages: list[tuple[bytes, Origin]]) -> int:
        """Enqueue the deliveries of a batch of classified messages; return how many
        immediate deliveries were new."""
        counts: Counts = {}
        if self.silence_store is not None and not self._silences_read:
            await self.read_silences()
        drafts: list[tuple[Draft, bytes, Origin]] = []
        for value, origin in messages:
            article: ClassifiedArticle | None = None
            try:
                article = decode(ClassifiedArticle, value)
                drafts.append((await self.draft(article, counts), value, origin))
            except Exception as exc:  # undecodable, refused by the contract, or poison
                await self._reject(exc, value, origin, article)
        others = await self._others([d.article for d, *_ in drafts if d.renders])
        planned: list[tuple[ClassifiedArticle, bytes, Origin, Records]] = []
        for draft, value, origin in drafts:
            try:
                records = self.finish(draft, others.get(draft.article.article_id, []))
            except Exception as exc:  # poison: rendering failed for this article
                await self._reject(exc, value, origin, draft.article)
                continue
            if records:
                planned.append((draft.article, value, origin, records))
        created = await self._enqueue(planned)
        for channel in {r["channel"] for r in created
                        if r["kind"] == "immediate" and r["status"] == "queued"}:
            self.wake(channel)
        return sum(1 for r in created if r["kind"] == "immediate" and r["status"] == "queued")

    async def handle(self, article: ClassifiedArticle) -> int:
        """One article (tests, replays): as a batch of one."""
        return await self.handle_batch([(article.encode(), {})])

    async def _others(self, articles: list[ClassifiedArticle]) -> dict[str, list[StoryRef]]:
        """The other articles of the stories of the articles rendered now (digest items and
        silenced matches show none): one lookup for the batch."""
        if self.stories is None or not articles:
            return {}
        return await self.stories.others_of(articles)

    async def plan(self, article: ClassifiedArticle, counts: Counts,
                   others: list[StoryRef] | None = None) -> list[dict[str, Any]]:
        """The records ``article`` produces: rendered deliveries or digest items;
        ``others``: the other articles of its story (default: looked up if needed)."""
        draft = await self.draft(article, counts)
        if others is None:
            others = (await self._others([article] if draft.renders else [])).get(
                article.article_id, [])
        return self.finish(draft, others)

    async def draft(self, article: ClassifiedArticle, counts: Counts) -> Draft:
        """The records ``article`` produces, decided (silenced, queued for a window, or due
        now) but not yet rendered."""
        rules = matching_rules(self.rules.rules, article)
        english = await self.english(article) if rules else {}
        draft = Draft(article, article.model_copy(update=english) if english else article)
        for rule in rules:
            for channel in rule.channels:
                record = base_record(rule, channel, article)
                record.update(english)
                record["article"].update(english)
                draft.records.append(record)
                until = silenced_until(rule, self.silences, self.clock())
                if until is not None:  # recorded, never sent
                    record.update(kind="immediate", **silenced_fields(until))
                    continue
                decision = await self._decide(rule, channel, counts)
                if decision.now:
                    record.update(kind="immediate", status="queued",
                                  next_attempt_at=self.clock().isoformat())
                    draft.renders.append((record, rule))
                else:
                    record.update(queued_fields(decision))
        return draft

    def finish(self, draft: Draft, others: list[StoryRef]) -> Records:
        """``draft``'s records with the deliveries due now rendered; raises if one cannot be
        rendered or stored (poison)."""
        for record, rule in draft.renders:
            record["payload"] = self.senders[record["channel"]].render(rule, draft.shown,
                                                                       others)
        for record in draft.records:
            json.dumps(record, ensure_ascii=False).encode("utf-8")  # storable, or poison
        return draft.records

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
            counts[(rule.name, channel)] = await self.rate_counts.sent_recently(
                rule, channel, now)
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
