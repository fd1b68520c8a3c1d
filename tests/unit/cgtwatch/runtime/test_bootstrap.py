"""``cgtwatch setup`` creates the contract's topics and the shared maps' compacted topics, once
Kafka and Elasticsearch answer: it waits for them as the services do
(``cgtwatch.runtime.waits``), up to ``CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S``, and then fails
naming the server that did not.

No servers: the probes are replaced by fakes and the wait gets a fake clock, so nothing sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from kafka.admin import NewTopic
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from cgtwatch.runtime import bootstrap, probes
from cgtwatch.runtime.bootstrap import DAY_MS, wanted_topics
from cgtwatch.runtime.waits import Clock, DependencyTimeoutError, ProbeError
from config.contracts.topics import Topics
from config.settings import Settings
from streams.shared_maps import BANDS_TOPIC, SEEN_TOPIC


@pytest.fixture
def settings(clean_env: pytest.MonkeyPatch) -> Settings:
    clean_env.setenv("CGTWATCH_KAFKA__PARTITIONS", "6")
    clean_env.setenv("CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", "kafka.example:9092")
    clean_env.setenv("CGTWATCH_ELASTIC__URL", "http://es.example:9200")
    clean_env.setenv("CGTWATCH_WORKER__DEPENDENCY_TIMEOUT_S", "10")
    return Settings()


@dataclass
class FakeAdmin:
    """``KafkaAdminClient`` as setup uses it: list, create, close."""

    existing: list[str]
    created: list[str] = field(default_factory=list)
    closed: bool = False

    def list_topics(self) -> list[str]:
        return self.existing

    def create_topics(self, topics: list[NewTopic]) -> None:
        self.created.extend(t.name for t in topics)

    def close(self) -> None:
        self.closed = True


def fake_clock() -> tuple[Clock, list[float]]:
    """A clock that moves only when the wait sleeps, with no jitter; and its sleeps."""
    now, sleeps = [0.0], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    return Clock(now=lambda: now[0], sleep=sleep, draw=lambda: 0.0), sleeps


def refused(settings: Settings, timeout_s: float) -> None:
    raise ProbeError("Connection refused")


def never_built(**options: Any) -> Any:
    raise AssertionError("no client before the server answered")


def test_every_contract_topic_is_created_with_the_configured_partitions(
        settings: Settings) -> None:
    topics = {t.name: t for t in wanted_topics(settings)}
    assert set(Topics.all()) <= set(topics)
    assert {t.num_partitions for t in topics.values()} == {6}


def test_shared_map_topics_are_compacted_and_expire_with_their_window(
        settings: Settings) -> None:
    topics = {t.name: t for t in wanted_topics(settings)}
    for name, days in ((BANDS_TOPIC, 90), (SEEN_TOPIC, 365)):
        configs = dict(topics[name].topic_configs)
        assert configs == {"cleanup.policy": "compact,delete", "retention.ms": str(days * DAY_MS)}


def test_topics_are_created_once_kafka_answers_after_the_backoff(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[float] = []

    def flaky(s: Settings, timeout_s: float) -> None:
        attempts.append(timeout_s)
        if len(attempts) < 3:
            raise ProbeError("Connection refused")

    admin = FakeAdmin(existing=[Topics.RAW])
    monkeypatch.setattr(probes, "probe_kafka", flaky)
    monkeypatch.setattr(bootstrap, "KafkaAdminClient", lambda **options: admin)
    clock, sleeps = fake_clock()
    created = bootstrap.create_topics(settings, clock)
    assert len(attempts) == 3 and sleeps == [1.0, 2.0]  # the project's backoff schedule
    assert set(created) == {t.name for t in wanted_topics(settings)} - {Topics.RAW}
    assert admin.created == created and admin.closed


def test_setup_gives_up_at_the_deadline_naming_the_server(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "probe_elastic", refused)
    monkeypatch.setattr(bootstrap, "Elasticsearch", never_built)
    clock, sleeps = fake_clock()
    with pytest.raises(RuntimeError, match=(
            r"gave up waiting for Elasticsearch at http://es\.example:9200 after \d+ attempts .*"
            r"Connection refused\. Check CGTWATCH_ELASTIC__URL")):
        bootstrap.setup_indices(settings, clock)
    assert sum(sleeps) == pytest.approx(10.0)


def test_setup_all_stops_at_kafka_before_touching_elasticsearch(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "probe_kafka", refused)
    monkeypatch.setattr(bootstrap, "KafkaAdminClient", never_built)
    monkeypatch.setattr(bootstrap, "setup_indices", never_built)
    clock, _ = fake_clock()
    with pytest.raises(DependencyTimeoutError, match=r"Kafka at kafka\.example:9092"):
        bootstrap.setup_all(settings, clock)


def test_the_setup_command_prints_the_wait_error_as_it_is(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def timed_out(s: Settings) -> dict[str, list[str]]:
        raise DependencyTimeoutError("gave up waiting for Kafka at kafka.example:9092. Check X.")

    monkeypatch.setattr(bootstrap, "setup_all", timed_out)
    result = CliRunner().invoke(app, ["setup"])
    assert result.exit_code == 2
    assert "gave up waiting for Kafka at kafka.example:9092. Check X." in result.output
    assert "CGTWATCH_ELASTIC__URL" not in result.output  # no generic hint on top of its own
