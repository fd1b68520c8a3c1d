"""What the demo expects, and how far the running pipeline has got.

Input: the demo manifest, the running ``Stack`` and the Slack and SMTP inboxes. Output: the
counts the demo reports (pages fetched, articles published/classified/indexed, alerts, labels)
and a list of problems (articles missing from the index, expected alerts not delivered).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from cgtwatch.demo.receivers import SlackInbox, SmtpInbox
from cgtwatch.devstack.stack import Stack
from config.clients import kafka_common
from config.contracts.crawl import CrawlStats
from config.contracts.ids import article_id
from config.contracts.topics import Topics
from config.contracts.wire import decode
from config.settings import Settings
from indexer.documents import articles_alias


@dataclass(frozen=True)
class DemoExpectations:
    urls: dict[str, str]  # article_id -> url
    alerting: dict[str, str]  # article_id -> url of articles expected to alert

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], site_url: str) -> DemoExpectations:
        urls = {article_id(f"{site_url}/{a['path']}"): f"{site_url}/{a['path']}"
                for a in manifest["articles"]}
        alerting = {article_id(f"{site_url}/{a['path']}"): f"{site_url}/{a['path']}"
                    for a in manifest["articles"] if a.get("expected_labels")}
        return cls(urls, alerting)

    @property
    def article_count(self) -> int:
        return len(self.urls)

    @property
    def alert_count(self) -> int:
        return 2 * len(self.alerting)  # one Slack post and one email each


def read_topic(settings: Settings, topic: str) -> list[tuple[bytes | None, bytes]]:
    """Every (key, value) on a topic, read without a consumer group."""
    consumer = KafkaConsumer(**kafka_common(settings, "cgtwatch-demo-reader"),
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        out: list[tuple[bytes | None, bytes]] = []
        while any(consumer.position(p) < end[p] for p in parts):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend((r.key, r.value) for r in records)
        return out
    finally:
        consumer.close()


def _indexed(stack: Stack) -> tuple[set[str], dict[str, int]]:
    alias = articles_alias(stack.settings.elastic.index_prefix)
    try:
        stack.es.indices.refresh(index=alias)
        found = stack.es.search(index=alias, size=1000, source=False,
                                aggs={"labels": {"terms": {"field": "labels"}}})
    except Exception:
        return set(), {}
    ids = {hit["_id"] for hit in found["hits"]["hits"]}
    labels = {b["key"]: b["doc_count"] for b in found["aggregations"]["labels"]["buckets"]}
    return ids, labels


def _text(message: Any) -> str:
    """The decoded text of every part of an e-mail (links stay whole, whatever the encoding)."""
    parts = message.walk() if hasattr(message, "walk") else [message]
    out = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            out.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(out)


def _delivered(expect: DemoExpectations, slack: SlackInbox, smtp: SmtpInbox
               ) -> tuple[int, list[str]]:
    posts = [json.dumps(p) for p in slack.posts]
    mails = [_text(m) for m in smtp.messages]
    delivered, missing = 0, []
    for url in expect.alerting.values():
        in_slack = any(url in p for p in posts)
        in_mail = any(url in m for m in mails)
        delivered += int(in_slack) + int(in_mail)
        if not (in_slack and in_mail):
            missing.append(f"alert for {url} not delivered (slack={in_slack}, email={in_mail})")
    return delivered, missing


def measure(stack: Stack, expect: DemoExpectations, slack: SlackInbox, smtp: SmtpInbox,
            with_topics: bool) -> dict[str, Any]:
    ids, labels = _indexed(stack)
    delivered, problems = _delivered(expect, slack, smtp)
    problems += [f"article {url} not in the index"
                 for aid, url in expect.urls.items() if aid not in ids]
    summary: dict[str, Any] = {"pages_fetched": 0, "articles_published": 0,
                               "articles_classified": 0, "articles_indexed": len(ids),
                               "alerts_sent": len(slack.posts) + len(smtp.messages),
                               "alerts_delivered": delivered, "by_label": labels}
    if with_topics:
        settings = stack.settings
        stats = [decode(CrawlStats, v) for _, v in read_topic(settings, Topics.CRAWL_STATS)]
        summary["pages_fetched"] = sum(s.pages_fetched for s in stats)
        summary["articles_published"] = len({k for k, _ in read_topic(settings, Topics.RAW)})
        summary["articles_classified"] = len(
            {k for k, _ in read_topic(settings, Topics.CLASSIFIED)})
    summary["ok"] = not problems
    summary["problems"] = problems
    return summary
