"""What the live view of ``cgtwatch up`` shows, read from what the pipeline already keeps.

Input: ``Settings``, an Elasticsearch client and the services' health ports. Output: a
``Snapshot``: per source group (source kind) the health of its sources and its last crawl
with the cause; the crawls of the last hour (``<prefix>-crawl-health``, one document per
crawl); jobs queued and running (the scheduler's and crawler's ``/metrics``); articles
published, classified, indexed and alerted; dead letters (``/metrics`` of every stage, and the
size of ``articles.deadletter``); consumer lag per group; the state of every alert channel and
the last alerts (``<prefix>-alerts``). Every read is best effort: a missing index, a service
without metrics or a field another version does not write gives an empty value, never an error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from elasticsearch import Elasticsearch
from prometheus_client.parser import text_string_to_metric_families

from config.settings import Settings

Samples = dict[str, list[tuple[dict[str, str], float]]]


@dataclass(frozen=True)
class Crawl:
    job_id: str
    source_id: str
    kind: str
    ok: bool
    cause: str
    finished_at: datetime | None
    published: int = 0


@dataclass(frozen=True)
class SourceGroup:
    kind: str
    sources: int
    healthy: int
    unhealthy: int
    never: int
    last: Crawl | None
    problems: list[tuple[str, str]]  # (source id, reason) of unhealthy sources


@dataclass(frozen=True)
class Alert:
    key: str
    at: datetime | None
    title: str
    labels: list[str]
    channel: str
    rule: str
    status: str
    error: str = ""


@dataclass
class Snapshot:
    groups: list[SourceGroup] = field(default_factory=list)
    crawls: list[Crawl] = field(default_factory=list)  # last hour, newest first
    queued: int = 0
    running: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    lag: dict[str, int] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)  # newest first

    @property
    def crawls_failed(self) -> int:
        return sum(not c.ok for c in self.crawls)


def when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def cause_of(doc: dict[str, Any]) -> str:
    """Why a crawl ended as it did: the crawler's cause or error, else what it found."""
    for key in ("cause", "reason", "error"):
        if doc.get(key):
            return str(doc[key]).splitlines()[0]
    return (f"{doc.get('links_found', 0)} links, {doc.get('articles_published', 0)} new, "
            f"{doc.get('articles_unchanged', 0)} unchanged")


def crawl_from(doc: dict[str, Any], kinds: dict[str, str]) -> Crawl:
    sid = str(doc.get("source_id", "?"))
    return Crawl(str(doc.get("job_id", "")), sid, str(doc.get("source_kind") or kinds.get(sid, "")),
                 bool(doc.get("ok")), cause_of(doc), when(doc.get("finished_at")),
                 int(doc.get("articles_published") or 0))


def alert_from(doc: dict[str, Any]) -> Alert:
    article = doc.get("article") if isinstance(doc.get("article"), dict) else {}
    labels = (article or {}).get("labels") or doc.get("labels") or []
    return Alert(str(doc.get("key") or doc.get("_id", "")),
                 when(doc.get("sent_at") or doc.get("updated_at")),
                 str(doc.get("title") or doc.get("window") or doc.get("url") or ""),
                 [str(x) for x in labels], str(doc.get("channel", "")), str(doc.get("rule", "")),
                 str(doc.get("status", "")), str(doc.get("error") or ""))


def channel_state(records: list[dict[str, Any]]) -> str:
    """ok, retrying or failing from a channel's latest records (newest first): failing when
    the newest delivery failed for good, retrying while any delivery waits for another try
    (``retrying``, or queued or sending again after a try); silenced matches never reach a
    channel and do not count."""
    live = [record for record in records if record.get("status") != "silenced"]
    if not live:
        return "idle"
    if live[0].get("status") == "failed":
        return "failing"
    if any(_waits_for_a_retry(record) for record in live):
        return "retrying"
    return "ok"


def _waits_for_a_retry(record: dict[str, Any]) -> bool:
    status = record.get("status")
    return status == "retrying" or (status in ("queued", "sending")
                                    and bool(record.get("attempts")))


def group_sources(kinds: dict[str, str], health: dict[str, dict[str, Any]],
                  crawls: list[Crawl]) -> list[SourceGroup]:
    members: dict[str, list[str]] = defaultdict(list)
    for sid, kind in kinds.items():
        members[kind].append(sid)
    groups = []
    for kind, ids in sorted(members.items()):
        states = [health.get(sid, {}).get("health") for sid in ids]
        problems = [(sid, str(health[sid].get("reason") or health[sid].get("last_error") or ""))
                    for sid in ids if health.get(sid, {}).get("health") == "unhealthy"]
        last = next((c for c in crawls if kinds.get(c.source_id) == kind), None)
        groups.append(SourceGroup(kind, len(ids), states.count("healthy"), len(problems),
                                  sum(s is None for s in states), last, problems))
    return groups


def scrape(port: int, timeout_s: float = 1.0) -> Samples:
    """The samples of one service's ``/metrics`` by name ({} when it does not answer)."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=timeout_s).text
    except httpx.HTTPError:
        return {}
    found: Samples = defaultdict(list)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name].append((dict(sample.labels), float(sample.value)))
    return found


def total(samples: Samples, name: str, **match: str) -> int:
    return int(sum(v for labels, v in samples.get(name, [])
                   if all(labels.get(k) == x for k, x in match.items())))


class Observer:
    """Reads a ``Snapshot`` of a running stack; one instance per live view."""

    def __init__(self, settings: Settings, es: Elasticsearch, ports: dict[str, int]) -> None:
        self.settings, self.es, self.ports = settings, es, ports
        self.prefix = settings.elastic.index_prefix
        self.kinds = self._kinds()
        self.channel_names = self._channels()

    def _kinds(self) -> dict[str, str]:
        from config.sources import load_sources

        try:
            return {s.id: s.kind for s in load_sources(self.settings.paths.sources).sources}
        except Exception:  # a bad file is reported by the services; the view stays up
            return {}

    def _channels(self) -> list[str]:
        from config.rules import load_alert_rules

        try:
            return [c.name for c in load_alert_rules(self.settings.paths.alert_rules).channels]
        except Exception:
            return []

    def _hits(self, index: str, **query: Any) -> list[dict[str, Any]]:
        try:
            found = self.es.search(index=index, ignore_unavailable=True, **query)
        except Exception:
            return []
        return [{**h["_source"], "_id": h["_id"]} for h in found["hits"]["hits"]]

    def _count(self, index: str, query: dict[str, Any] | None = None) -> int:
        try:
            return int(self.es.count(index=index, ignore_unavailable=True,
                                     query=query)["count"])
        except Exception:
            return 0

    def snapshot(self) -> Snapshot:
        hour = {"range": {"finished_at": {"gte": "now-1h"}}}
        crawls = [crawl_from(d, self.kinds) for d in self._hits(
            f"{self.prefix}-crawl-health", query=hour, size=500,
            sort=[{"finished_at": "desc"}])]
        health = {d["_id"]: d for d in self._hits(f"{self.prefix}-sources", size=10_000)}
        metrics = {name: scrape(port) for name, port in self.ports.items()}
        snap = Snapshot(groups=group_sources(self.kinds, health, crawls), crawls=crawls)
        self._jobs(snap, metrics)
        self._pipeline(snap, metrics)
        self._alerts(snap)
        return snap

    def _jobs(self, snap: Snapshot, metrics: dict[str, Samples]) -> None:
        queued = sum(total(m, "cgtwatch_crawler_jobs_queued_total") for m in metrics.values())
        done = total(metrics.get("crawler", {}), "cgtwatch_crawler_crawls_total")
        outstanding = max(queued - done, 0)
        snap.running = min(outstanding, 1 if "crawler" in metrics else 0)
        snap.queued = outstanding - snap.running

    def _pipeline(self, snap: Snapshot, metrics: dict[str, Samples]) -> None:
        streams, indexer = metrics.get("streams", {}), metrics.get("indexer", {})
        letters = (total(streams, "cgtwatch_streams_articles_total", outcome="deadletter")
                   + total(indexer, "cgtwatch_indexer_dead_lettered_total"))
        snap.counts = {
            "published": total(metrics.get("crawler", {}),
                               "cgtwatch_crawler_articles_published_total"),
            "classified": total(streams, "cgtwatch_streams_articles_total", outcome="classified"),
            "indexed": self._count(f"{self.prefix}-articles"),
            "alerted": self._count(f"{self.prefix}-alerts", {"term": {"status": "sent"}}),
            "dead letters": letters,
        }
        for samples in metrics.values():
            for labels, value in samples.get("cgtwatch_consumer_lag", []):
                group = labels.get("group", "?")
                snap.lag[group] = snap.lag.get(group, 0) + int(value)

    def _alerts(self, snap: Snapshot) -> None:
        records = self._hits(f"{self.prefix}-alerts", size=200, sort=[{"updated_at": "desc"}])
        by_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            by_channel[str(record.get("channel", ""))].append(record)
        names = self.channel_names or sorted(by_channel)
        snap.channels = {name: channel_state(by_channel.get(name, [])) for name in names}
        shown = [r for r in records if r.get("status") in ("sent", "failed")
                 and r.get("kind") != "item"][:4]
        labels = self._labels([str(r.get("article_id", "")) for r in shown])
        snap.alerts = [alert_from({"labels": labels.get(str(r.get("article_id")), []), **r})
                       for r in shown]

    def _labels(self, ids: list[str]) -> dict[str, list[str]]:
        """The labels of these articles (alert records keep the id, the index the labels)."""
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        try:
            found = self.es.mget(index=f"{self.prefix}-articles", ids=wanted,
                                 source_includes=["labels"])
        except Exception:
            return {}
        return {d["_id"]: list(d.get("_source", {}).get("labels") or [])
                for d in found["docs"] if d.get("found")}
