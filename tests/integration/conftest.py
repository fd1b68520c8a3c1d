"""Fixtures for integration tests: real local servers on loopback, started per test.

Each test gets its own noida-db (Kafka + Elasticsearch wire protocols) on fresh ports with a
fresh data directory, so topics and indices never leak between tests; tests marked
``both_kafka_backends`` run a second time with Kafka being a real Apache Kafka broker
(``kafka_broker``, jars from ``make kafka``) and noida-db serving Elasticsearch only. Services
run as real child processes under the project's supervisor. Nothing here mocks Kafka, Elasticsearch,
SMTP or Slack: SMTP is aiosmtpd and Slack is a local HTTP receiver.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from cgtwatch.devstack.localstack import LocalStack, free_port
from cgtwatch.devstack.supervisor import Supervisor
from cgtwatch.runtime.bootstrap import setup_all
from config.clients import elastic, kafka_producer
from config.contracts.articles import RawArticle
from config.contracts.ids import article_id, content_hash
from config.contracts.topics import Topics
from config.settings import Settings
from indexer.documents import articles_alias
from tests.integration import kafka_broker
from tests.receivers.slack import SlackReceiver
from tests.receivers.smtp import SmtpReceiver

pytestmark = pytest.mark.integration


def http_get(port: int, path: str) -> tuple[int, str]:
    """Status and body of a local endpoint; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Env:
    """A running local stack for one test, plus helpers to drive and observe it."""

    settings: Settings
    env: dict[str, str]
    data_dir: Path
    slack: SlackReceiver
    smtp: SmtpReceiver
    supervisors: list[Supervisor] = field(default_factory=list)
    local: LocalStack | None = None
    _es: Elasticsearch | None = None

    @property
    def es(self) -> Elasticsearch:
        if self._es is None:
            self._es = Elasticsearch(**elastic(self.settings))
        return self._es

    def start(self, *services: str, logs: str = "logs", **overrides: str) -> Supervisor:
        supervisor = Supervisor(list(services), {**self.env, **overrides}, self.data_dir / logs)
        supervisor.start_all()
        self.supervisors.append(supervisor)
        return supervisor

    def publish(self, articles: list[RawArticle] | list[bytes], topic: str = Topics.RAW) -> None:
        producer = KafkaProducer(**kafka_producer(self.settings, "test-publisher"))
        for item in articles:
            if isinstance(item, RawArticle):
                producer.send(topic, key=item.article_id.encode(), value=item.encode())
            else:
                producer.send(topic, key=b"bad", value=item)
        producer.flush(timeout=30)
        producer.close()

    def indexed_ids(self) -> set[str]:
        alias = articles_alias(self.settings.elastic.index_prefix)
        self.es.indices.refresh(index=alias)
        hits = self.es.search(index=alias, size=10_000, source=False)["hits"]["hits"]
        return {hit["_id"] for hit in hits}

    def logs(self) -> str:
        parts = []
        for path in sorted((self.data_dir / "logs").glob("*.log")):
            parts.append(f"===== {path.name}\n" + path.read_text("utf-8", "replace")[-3000:])
        return "\n".join(parts)


def write_rules(path: Path) -> Path:
    rules = {
        "channels": [
            {"name": "slack", "type": "slack", "webhook": "team"},
            {"name": "email", "type": "email", "to": ["team@example.org"]},
            {"name": "file", "type": "file", "path": "alerts.jsonl"},
        ],
        "rules": [{"name": "cgt", "labels": ["cell_therapy", "gene_therapy"],
                   "min_salience": "secondary", "channels": ["slack", "email", "file"]}],
    }
    path.write_text(yaml.safe_dump(rules), "utf-8")
    return path


BACKENDS = ("noida", "kafka")
#: mark a module or test to run once per Kafka backend: noida-db, and a real Apache Kafka
both_kafka_backends = pytest.mark.parametrize("kafka_backend", BACKENDS, indirect=True)
#: mark a test that only real Kafka can run (a dead group member evicted, rebalances)
real_kafka_only = pytest.mark.parametrize("kafka_backend", ["kafka"], indirect=True)


@pytest.fixture
def kafka_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """The Kafka under test: ``None`` for noida-db (the embedded default, started by the
    stack), or the address of a fresh real Apache Kafka broker (KRaft, one node) for this test.
    A fresh broker per test keeps topics and groups apart (start: ~2.5 s on an idle 2-core
    machine, 10-18 s when it is loaded; a class-data archive saves ~40%)."""
    if getattr(request, "param", "noida") == "noida":
        yield None
        return
    reason = kafka_broker.missing()
    if reason is not None:
        if os.environ.get("CGTWATCH_TEST_REQUIRE_KAFKA"):
            pytest.fail(f"real Kafka required here but {reason}")
        pytest.skip(f"real Kafka not available: {reason}")
    broker = kafka_broker.KafkaBroker(tmp_path / "kafka").start()
    try:
        yield broker.address
    finally:
        broker.stop()


def kafka_env(address: str | None, port: int) -> dict[str, str]:
    """Environment selecting the backend: a real broker's address, or noida-db's port."""
    if address is None:
        return {"CGTWATCH_LOCAL__KAFKA_PORT": str(port)}
    return {"CGTWATCH_KAFKA__BOOTSTRAP_SERVERS": address}


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          kafka_backend: str | None) -> Iterator[Env]:
    """The pipeline's servers for one test: Kafka is noida-db, or real Kafka when the test is
    parametrized with ``kafka_backend``; Elasticsearch is always noida-db (``--only
    elasticsearch`` then)."""
    yield from _stack(tmp_path, monkeypatch, kafka_env(kafka_backend, free_port()))


def _stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]
           ) -> Iterator[Env]:
    slack, smtp = SlackReceiver(fail_first=1, fail_status=429).start(), SmtpReceiver(free_port())
    smtp.start()
    env = {
        "CGTWATCH_PATHS__DATA_DIR": str(tmp_path / "data"),
        "CGTWATCH_PATHS__ALERT_RULES": str(write_rules(tmp_path / "alert_rules.yaml")),
        "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
        "CGTWATCH_SLACK__WEBHOOKS": json.dumps({"team": slack.url}),
        "CGTWATCH_SMTP__HOST": "127.0.0.1",
        "CGTWATCH_SMTP__PORT": str(smtp.port),
        "CGTWATCH_SMTP__SECURITY": "none",
        "CGTWATCH_WORKER__INSTANCE_ID": "itest",
        "CGTWATCH_WORKER__BATCH_WITHIN_S": "0.3",
        **extra,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    local = LocalStack(settings) if settings.embedded else None
    if local is not None:
        local.start()
    setup_all(settings)
    running = Env(settings, env, tmp_path / "data", slack, smtp, local=local)
    try:
        yield running
    finally:
        for supervisor in running.supervisors:
            supervisor.stop_all(grace_s=10)
        if running._es is not None:
            running._es.close()
        if running.local is not None:
            running.local.stop()
        slack.stop()
        smtp.stop()


CELL_TEXT = ("大连自贸片区管委会与大连医科大学签署协议，共建基因细胞治疗先行示范区。双方将围绕"
             "CAR-T细胞治疗、干细胞临床研究和细胞治疗产品产业化开展合作，建设细胞制备中心，"
             "支持企业开展细胞治疗临床试验。")
OTHER_TEXT = "我区第十届职工运动会开幕，来自各部门的运动员参加了田径、篮球等项目比赛。"


def make_article(n: int, relevant: bool, **fields: Any) -> RawArticle:
    url = f"http://news.example.gov.cn/xwdt/202405/t20240520_{n:06d}.html"
    title = (f"大连自贸片区细胞治疗先行示范区建设推进会（第{n}期）" if relevant
             else f"我区举办职工运动会（第{n}期）")
    text = CELL_TEXT if relevant else OTHER_TEXT
    values: dict[str, Any] = {
        "article_id": article_id(url), "url": url, "source_id": "itest", "source_kind": "ftz",
        "title": title, "text": text, "language": "zh", "published": "2024-05-20",
        "content_hash": content_hash(title, text), "html": f"<html><h1>{title}</h1></html>"}
    values.update(fields)
    return RawArticle(**values)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
