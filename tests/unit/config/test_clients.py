"""Client options: one mapping from ``Settings`` to kafka-python, Faust and Elasticsearch."""

from __future__ import annotations

from pathlib import Path

import faust
import pytest

from config.clients import (
    elastic,
    faust_app_options,
    faust_credentials,
    kafka_common,
    kafka_consumer,
    kafka_producer,
)
from config.settings import ElasticSettings, KafkaSettings, Settings, WorkerSettings


def make(**sections: object) -> Settings:
    return Settings(worker=WorkerSettings(instance_id="host-1"), **sections)


@pytest.fixture(autouse=True)
def _isolated(clean_env: pytest.MonkeyPatch) -> None:
    """Every test builds its ``Settings`` from arguments only."""


def test_plaintext_kafka_common() -> None:
    opts = kafka_common(make(kafka=KafkaSettings(bootstrap_servers="k1:9092,k2:9093")), "cid")
    assert opts == {"bootstrap_servers": ["k1:9092", "k2:9093"], "client_id": "cid",
                    "security_protocol": "PLAINTEXT"}


def test_embedded_broker_address_is_used_when_none_is_set() -> None:
    assert kafka_common(make(), "cid")["bootstrap_servers"] == ["127.0.0.1:9092"]


def test_sasl_ssl_settings_reach_every_kafka_client() -> None:
    settings = make(kafka=KafkaSettings(
        bootstrap_servers="broker:9094", security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512", sasl_username="svc", sasl_password="s3cret",
        ssl_cafile=Path("/etc/ssl/ca.pem")))
    expected = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_plain_username": "svc", "sasl_plain_password": "s3cret",
                "ssl_cafile": "/etc/ssl/ca.pem"}
    for opts in (kafka_common(settings, "c"), kafka_producer(settings, "c"),
                 kafka_consumer(settings, "group", "c")):
        assert expected.items() <= opts.items()


def test_ssl_without_sasl_has_no_sasl_options() -> None:
    opts = kafka_common(make(kafka=KafkaSettings(security_protocol="SSL",
                                                 ssl_cafile=Path("/ca.pem"))), "c")
    assert opts["security_protocol"] == "SSL" and opts["ssl_cafile"] == "/ca.pem"
    assert not any(key.startswith("sasl") for key in opts)


def test_producer_is_durable() -> None:
    opts = kafka_producer(make(), "c")
    assert opts["acks"] == "all" and opts["enable_idempotence"] is True
    assert opts["max_request_size"] >= 8 * 1024 * 1024


def test_consumer_uses_static_membership_and_manual_commits() -> None:
    opts = kafka_consumer(make(kafka=KafkaSettings(session_timeout_ms=7000)), "crawlers", "c",
                          max_poll_records=1)
    assert opts["group_id"] == "crawlers"
    assert opts["group_instance_id"] == "crawlers-host-1"
    assert opts["session_timeout_ms"] == 7000
    assert opts["enable_auto_commit"] is False
    assert opts["max_poll_records"] == 1


def test_faust_options_carry_static_membership() -> None:
    settings = make(kafka=KafkaSettings(bootstrap_servers="k1:9092,k2:9092", partitions=6,
                                        session_timeout_ms=6000, heartbeat_interval_ms=1500))
    opts = faust_app_options(settings, "cgtwatch-streams")
    assert opts["consumer_group_instance_id"] == "cgtwatch-streams-host-1"
    assert opts["broker"] == "kafka://k1:9092;kafka://k2:9092"
    assert opts["broker_session_timeout"] == 6.0
    assert opts["broker_heartbeat_interval"] == 1.5
    assert opts["topic_partitions"] == 6
    assert opts["web_enabled"] is False
    assert "broker_credentials" not in opts


def test_faust_sasl_plaintext_credentials() -> None:
    settings = make(kafka=KafkaSettings(security_protocol="SASL_PLAINTEXT",
                                        sasl_mechanism="PLAIN", sasl_username="svc",
                                        sasl_password="pw"))
    creds = faust_credentials(settings)
    assert isinstance(creds, faust.SASLCredentials)
    assert (creds.username, creds.password, creds.ssl_context) == ("svc", "pw", None)
    assert isinstance(faust_app_options(settings, "app")["broker_credentials"],
                      faust.SASLCredentials)


def test_faust_sasl_ssl_credentials_have_a_tls_context() -> None:
    creds = faust_credentials(make(kafka=KafkaSettings(
        security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256", sasl_username="svc",
        sasl_password="pw")))
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.ssl_context is not None


def test_faust_ssl_only_credentials() -> None:
    creds = faust_credentials(make(kafka=KafkaSettings(security_protocol="SSL")))
    assert isinstance(creds, faust.SSLCredentials)


def test_elastic_api_key_wins_over_basic_auth() -> None:
    opts = elastic(make(elastic=ElasticSettings(url="https://es:9200", api_key="k3y",
                                                username="u", password="p")))
    assert opts["hosts"] == ["https://es:9200"]
    assert opts["api_key"] == "k3y"
    assert "basic_auth" not in opts


def test_elastic_basic_auth_and_ca_certs() -> None:
    opts = elastic(make(elastic=ElasticSettings(url="https://es:9200", username="elastic",
                                                password="changeme",
                                                ca_certs=Path("/certs/ca.crt"))))
    assert opts["basic_auth"] == ("elastic", "changeme")
    assert opts["ca_certs"] == "/certs/ca.crt"
    assert "verify_certs" not in opts


def test_elastic_defaults_and_disabled_verification() -> None:
    assert elastic(make()) == {"hosts": ["http://127.0.0.1:9200"], "request_timeout": 30.0}
    assert elastic(make(elastic=ElasticSettings(verify_certs=False)))["verify_certs"] is False
