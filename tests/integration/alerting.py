"""Helpers of the alert-delivery integration tests: the alerter started on the channels under
test (one immediate rule, fast retry settings, optionally after a warm-up alert), classified
articles published straight to ``articles.classified``, and counts of what each receiver got
per article."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from kafka import KafkaProducer

from alerts.history import alerts_index
from cgtwatch.devstack.supervisor import Supervisor
from config.clients import kafka_producer
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult
from config.contracts.ids import article_id
from config.contracts.topics import Topics
from tests.integration.conftest import Env, wait_for

#: Retry and poll settings that keep the tests short (production defaults are in Settings).
FAST = {"CGTWATCH_ALERTS__BACKOFF_S": "0.5", "CGTWATCH_ALERTS__BACKOFF_MAX_S": "3",
        "CGTWATCH_ALERTS__POLL_S": "0.5", "CGTWATCH_ALERTS__FLUSH_INTERVAL_S": "1",
        "CGTWATCH_WORKER__BATCH_WITHIN_S": "0.2"}
#: Slack (incoming webhook), email and a file: the channels most tests alert on
CHANNELS: list[dict[str, Any]] = [
    {"name": "slack", "type": "slack", "webhook": "team"},
    {"name": "email", "type": "email", "to": ["team@example.org"]},
    {"name": "file", "type": "file", "path": "alerts.jsonl"},
]


def classified(n: int, **fields: Any) -> ClassifiedArticle:
    url = f"http://news.example.gov.cn/xwdt/202405/t20240520_{n:06d}.html"
    values: dict[str, Any] = {
        "article_id": article_id(url), "url": url, "source_id": "itest", "source_kind": "ftz",
        "title": f"细胞治疗先行示范区建设推进会（第{n}期）", "text": "CAR-T 细胞治疗临床研究",
        "language": "zh", "published": "2024-05-20",
        "classification": Classification(labels=["cell_therapy"], results={
            "cell_therapy": LabelResult(score=0.9, salience="primary")})}
    values.update(fields)
    return ClassifiedArticle(**values)


def publish_classified(stack: Env, items: list[ClassifiedArticle] | list[bytes]) -> float:
    """Publish to ``articles.classified``; return when (epoch seconds)."""
    producer = KafkaProducer(**kafka_producer(stack.settings, "test-classified"))
    for item in items:
        if isinstance(item, ClassifiedArticle):
            producer.send(Topics.CLASSIFIED, key=item.article_id.encode(), value=item.encode())
        else:
            producer.send(Topics.CLASSIFIED, key=b"poison", value=item)
    producer.flush(timeout=30)
    producer.close()
    return time.time()


def write_channels(path: Path, channels: list[dict[str, Any]]) -> str:
    """A rules file: one immediate rule feeding ``channels``."""
    path.write_text(yaml.safe_dump({
        "channels": channels,
        "rules": [{"name": "cgt", "labels": ["cell_therapy"], "min_salience": "secondary",
                   "channels": [c["name"] for c in channels]}]}), "utf-8")
    return str(path)


def start_alerter(stack: Env, tmp_path: Path, channels: list[dict[str, Any]],
                  env: dict[str, str] | None = None, *, warm_up: bool = False) -> Supervisor:
    """Start the alerter with one immediate rule feeding ``channels`` (``FAST`` retries, then
    ``env``; Slack's first answer not refused). With ``warm_up``, return once it alerted a
    first article (999) on every channel and Slack's pace allows the next message, so that
    figures measure delivery, not the worker's start."""
    stack.slack.fail_first = 0
    rules = write_channels(tmp_path / "rules.yaml", channels)
    supervisor = stack.start("alerter", CGTWATCH_PATHS__ALERT_RULES=rules,
                             **{**FAST, **(env or {})})
    if warm_up:
        url = classified(999).url
        publish_classified(stack, [classified(999)])
        wait_for(lambda: [r["status"] for r in ledger(stack) if r["url"] == url]
                 == ["sent"] * len(channels), 60, f"the warm-up alert\n{stack.logs()}")
        time.sleep(1.0)  # Slack's pace: one message per second
    return supervisor


def ledger(stack: Env) -> list[dict[str, Any]]:
    index = alerts_index(stack.settings)
    if not stack.es.indices.exists(index=index):
        return []
    stack.es.indices.refresh(index=index)
    return [h["_source"] for h in stack.es.search(index=index, size=2000,
                                                  source_excludes=["article", "payload"])
            ["hits"]["hits"]]


def per_url(texts: list[str], urls: list[str]) -> Counter[str]:
    """How many of ``texts`` mention each URL (a digest mentions several)."""
    return Counter({url: sum(1 for text in texts if url in text) for url in urls})


def slack_texts(stack: Env, path: str | None = None) -> list[str]:
    return [json.dumps(post, ensure_ascii=False) for post, at in
            zip(stack.slack.posts, stack.slack.paths, strict=True)
            if path is None or at == path]


def mail_texts(stack: Env) -> list[str]:
    texts = []
    for message in stack.smtp.messages:
        parts = [p.get_payload(decode=True) for p in message.walk()
                 if p.get_content_type() == "text/plain"]
        texts.append(b"".join(p for p in parts if isinstance(p, bytes)).decode("utf-8"))
    return texts


def file_lines(stack: Env, name: str = "alerts.jsonl") -> list[str]:
    path = stack.data_dir / name
    return path.read_text("utf-8").splitlines() if path.exists() else []


def file_time(stack: Env, name: str = "alerts.jsonl") -> float:
    """When the file channel last wrote (epoch seconds)."""
    return (stack.data_dir / name).stat().st_mtime
