"""Pinned server versions: what production runs is what the tests run.

``deploy/compose.yaml`` runs apache/kafka at the version of ``tests/kafka/pom.xml`` (the broker
the integration tests start), in KRaft mode, on the 4.3 line; Elasticsearch (its Dockerfile and
build arg) and Kibana on one 8.19 version; the Kubernetes README and the README name them.
"""

from __future__ import annotations

import re

from tests.unit.deploy.deploy_support import (
    DEPLOY,
    ES_DOCKERFILE,
    ES_VERSION,
    KAFKA_VERSION,
    ROOT,
    _env,
    _services,
)

POM = ROOT / "tests" / "kafka" / "pom.xml"


def pom_property(name: str) -> str:
    found = re.search(rf"<{name}>([^<]+)</{name}>", POM.read_text("utf-8"))
    assert found is not None, f"no <{name}> in {POM}"
    return found.group(1)


def test_production_kafka_is_the_tested_broker_on_the_4_3_line_in_kraft_mode() -> None:
    kafka = _services()["kafka"]
    assert kafka["image"] == f"apache/kafka:{pom_property('kafka.version')}"
    assert pom_property("kafka.version") == KAFKA_VERSION
    assert re.fullmatch(r"4\.3\.\d+", KAFKA_VERSION)
    env = _env(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert not any("ZOOKEEPER" in key for key in env)


def test_elasticsearch_and_kibana_run_one_8_19_version() -> None:
    services = _services()
    assert re.fullmatch(r"8\.19\.\d+", ES_VERSION)
    assert services["elasticsearch"]["build"]["args"]["ES_VERSION"] == ES_VERSION
    assert f"ARG ES_VERSION={ES_VERSION}" in ES_DOCKERFILE.read_text("utf-8")
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{ES_VERSION}"


def test_the_readmes_name_the_pinned_versions() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    k8s = (DEPLOY / "k8s" / "README.md").read_text("utf-8")
    compose = (DEPLOY / "README.md").read_text("utf-8")
    for text in (readme, k8s, compose):
        assert f"Kafka {KAFKA_VERSION}" in text
        assert ES_VERSION in text
    assert "Kafka 4.3 in KRaft mode" in k8s
