"""Reconcile: bring back articles that were published but never reached the index.

Input: ``Settings``, an Elasticsearch client and the crawlers' seen-store. Output: a
``ReconcileResult``. A server that loses its last acknowledged writes (noida-db killed with
SIGKILL) can leave articles that the seen-store recorded as published, but that are missing
from the topics and the index; the crawler would never fetch them again. Reconcile finds them
and every classified article the index lacks, then, keyed by ``article_id`` (so running it
again, or while the pipeline runs, changes nothing twice):

1. an article still in ``articles.classified`` is indexed from there (revision-aware, as the
   indexer writes);
2. one still in ``articles.raw`` only is classified here and published to
   ``articles.classified`` (indexed and alerted by the running pipeline; alerts are deduped by
   the alert ledger). Not to ``articles.raw``: a classifier that kept running through the
   outage still remembers it and would drop it as a duplicate. Its story is its own;
3. one in neither is fetched again: its seen record and the list pages' validators are
   forgotten, and a crawl job is queued for its source(s).

After an unclean stop the seen-store itself may have lost records of articles the index also
lacks; ``all_sources`` then forgets the list pages' validators and queues a crawl of every
enabled source, so the crawler reads every list in full once and fetches what it does not know.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from config.clients import elastic, kafka_producer
from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.crawl import CrawlJob
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from config.sources import SourcesFile, load_sources
from crawlers.state.seen import SeenRecord, SeenStore
from crawlers.state.seen_es import open_seen_store
from indexer.actions import bulk_action
from indexer.bulkwrite import write_actions
from indexer.documents import articles_alias
from indexer.topicscan import scan_topic

BATCH = 500


@dataclass
class ReconcileResult:
    published: int = 0
    missing: int = 0
    indexed_from_topic: int = 0
    republished: int = 0
    refetched: int = 0
    crawl_jobs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sources_for(urls: Iterable[str], sources: SourcesFile) -> list[str]:
    """Ids of the enabled sources whose entry points are on the hosts of ``urls``; every
    enabled source when a host belongs to none."""
    hosts: dict[str, set[str]] = {}
    for source in sources.enabled:
        for entry in (*source.list_urls, *source.feeds, *source.sitemaps):
            hosts.setdefault((entry.host or "").lower(), set()).add(source.id)
    wanted: set[str] = set()
    for url in urls:
        matched = hosts.get((urlsplit(url).hostname or "").lower())
        if not matched:
            return [s.id for s in sources.enabled]
        wanted |= matched
    return sorted(wanted)


def latest_by_id(values: Iterable[tuple[bytes | None, bytes]], wanted: set[str] | None
                 ) -> dict[str, bytes]:
    """The last message of each article id (the record key) in ``wanted`` (None: all)."""
    out: dict[str, bytes] = {}
    for key, value in values:
        if key is not None and (wanted is None or key.decode("utf-8", "replace") in wanted):
            out[key.decode("utf-8", "replace")] = value
    return out


def indexed_among(es: Elasticsearch, alias: str, ids: list[str]) -> set[str]:
    es.indices.refresh(index=alias)
    found: set[str] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        hits = es.search(index=alias, query={"ids": {"values": chunk}}, size=len(chunk),
                         source=False)["hits"]["hits"]
        found |= {hit["_id"] for hit in hits}
    return found


def _topic(settings: Settings, topic: str) -> list[tuple[bytes | None, bytes]]:
    return [(r.key, r.value) for r in scan_topic(settings, topic, client_id="cgtwatch-reconcile",
                                                   idle_s=5.0)]


def _decodes(model: type[RawArticle] | type[ClassifiedArticle], value: bytes) -> bool:
    try:
        decode(model, value)
    except ValueError:
        return False
    return True


def index_classified(es: Elasticsearch, alias: str, values: Iterable[bytes],
                     result: ReconcileResult) -> None:
    actions = [bulk_action(decode(ClassifiedArticle, v), alias) for v in values
               if _decodes(ClassifiedArticle, v)]
    if not actions:
        return
    written = write_actions(es, actions)
    result.failed += written.failed
    result.indexed_from_topic += written.indexed
    es.indices.refresh(index=alias)


Publish = Callable[..., Any]


def refetch(seen: SeenStore, records: list[SeenRecord], sources: SourcesFile,
            publish: Publish, all_sources: bool = False) -> list[str]:
    """Forget the records and the list pages' validators; queue crawls of their sources (of
    every enabled source with ``all_sources``)."""
    pages = [r.article_id for r in seen.records() if r.article_id.startswith("page-")]
    seen.forget([r.article_id for r in records] + pages)
    ids = ([s.id for s in sources.enabled] if all_sources
           else sources_for([r.url for r in records], sources))
    for source_id in ids:
        job = CrawlJob(job_id=uuid.uuid4().hex, source_id=source_id, reason="manual")
        publish(Topics.CRAWL_REQUESTS, key=source_id.encode(), value=job.encode())
    return ids


Classify = Callable[[RawArticle], ClassifiedArticle]


def reconcile(settings: Settings, es: Elasticsearch, seen: SeenStore, sources: SourcesFile,
              classify: Classify, producer: KafkaProducer | None = None,
              all_sources: bool = False) -> ReconcileResult:
    """Find and bring back what the index lacks; see the module docstring."""
    result, alias = ReconcileResult(), articles_alias(settings.elastic.index_prefix)
    published = {r.article_id: r for r in seen.articles()}
    result.published = len(published)
    classified = latest_by_id(_topic(settings, Topics.CLASSIFIED), None)
    present = indexed_among(es, alias, sorted(set(published) | set(classified)))
    result.missing = len((set(published) | set(classified)) - present)
    index_classified(es, alias, [v for k, v in classified.items() if k not in present], result)
    missing = set(published) - present - set(classified)
    if not missing and not all_sources:
        return result
    raw = {k: v for k, v in latest_by_id(_topic(settings, Topics.RAW), missing).items()
           if _decodes(RawArticle, v)} if missing else {}
    sender = producer or KafkaProducer(**kafka_producer(settings, "cgtwatch-reconcile"))
    try:
        for article_id, value in raw.items():
            article = classify(decode(RawArticle, value))
            sender.send(Topics.CLASSIFIED, key=article_id.encode(), value=article.encode())
        result.republished = len(raw)
        gone = [published[i] for i in sorted(missing - set(raw))]
        if gone or all_sources:
            result.crawl_jobs = refetch(seen, gone, sources, sender.send, all_sources)
        result.refetched = len(gone)
        sender.flush(timeout=30)
    finally:
        if producer is None:
            sender.close()
    return result



def reconcile_configured(settings: Settings, all_sources: bool = False) -> ReconcileResult:
    """``reconcile`` against the configured servers, seen-store and sources file."""
    from streams.classify import default_classifier
    from streams.process import classify_raw

    sources = load_sources(settings.paths.sources)
    classifier = default_classifier(settings.paths.taxonomy.parent)
    es = Elasticsearch(**elastic(settings))
    seen = open_seen_store(settings)
    try:
        return reconcile(settings, es, seen, sources, lambda raw: classify_raw(raw, classifier),
                         all_sources=all_sources)
    finally:
        seen.close()
        es.close()
