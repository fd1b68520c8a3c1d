"""``cgtwatch setup`` creates the contract's topics and the shared maps' compacted topics."""

from __future__ import annotations

import pytest

from cgtwatch.bootstrap import DAY_MS, wanted_topics
from config.contracts import Topics
from config.settings import Settings
from streams.shared_maps import BANDS_TOPIC, SEEN_TOPIC


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CGTWATCH_KAFKA__PARTITIONS", "6")
    return Settings()


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
