"""Security settings reach the real clients: TLS with CA verification for kafka-python and for
Faust's aiokafka, HTTPS with CA verification and API-key or basic auth for Elasticsearch.

The local servers cannot do TLS, so each client is pointed at a local TLS peer made here
(a self-signed CA) and we observe the handshake and the headers on the wire. A client given
the wrong CA must refuse the server.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from elasticsearch import Elasticsearch

from config.clients import elastic, faust_credentials
from config.settings import Settings
from tests.integration.tls import Certs, FakeElasticsearch, TlsListener, make_certs

pytestmark = pytest.mark.integration


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    return make_certs(tmp_path)


@pytest.fixture
def listener(certs: Certs) -> Iterator[TlsListener]:
    peer = TlsListener(certs)
    yield peer
    peer.close()


def _kafka_settings(port: int, cafile: Path) -> Settings:
    return Settings(kafka={"bootstrap_servers": f"127.0.0.1:{port}", "security_protocol": "SSL",
                           "ssl_cafile": cafile})


PRODUCE = """
from kafka.errors import KafkaError
from config.clients import kafka_producer
from config.settings import Settings
from kafka import KafkaProducer
try:
    KafkaProducer(**kafka_producer(Settings(), "tls-test"), bootstrap_timeout_ms=3000,
                  request_timeout_ms=3000)
except KafkaError as exc:
    print(type(exc).__name__)
"""


def _produce_in_child(port: int, cafile: Path) -> str:
    """Build a producer from environment settings in a child process (kafka-python leaks its
    wake-up sockets when a client fails to start; a child keeps that out of the test run)."""
    env = {**os.environ, "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
           "CGTWATCH_KAFKA__SECURITY_PROTOCOL": "SSL", "CGTWATCH_KAFKA__SSL_CAFILE": str(cafile)}
    done = subprocess.run([sys.executable, "-c", PRODUCE], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    return done.stdout.strip()


def test_kafka_python_uses_tls_with_the_configured_ca(listener: TlsListener,
                                                      certs: Certs) -> None:
    assert _produce_in_child(listener.port, certs.ca)  # no Kafka behind the TLS handshake
    assert listener.handshakes >= 1
    assert listener.received, "a Kafka request was sent inside the TLS session"


def test_kafka_python_refuses_a_server_its_ca_did_not_sign(listener: TlsListener,
                                                           tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = make_certs(tmp_path / "other")
    assert _produce_in_child(listener.port, other.ca)
    assert listener.handshakes == 0


def test_faust_credentials_make_aiokafka_use_tls(listener: TlsListener, certs: Certs) -> None:
    settings = _kafka_settings(listener.port, certs.ca)
    credentials = faust_credentials(settings)
    assert credentials is not None

    async def connect() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{listener.port}",
                                    security_protocol="SSL",
                                    ssl_context=credentials.context, request_timeout_ms=3000)
        try:
            await asyncio.wait_for(producer.start(), timeout=10)
        except Exception:
            pass
        finally:
            await producer.stop()

    asyncio.run(connect())
    deadline = time.monotonic() + 3
    while not listener.handshakes and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.handshakes >= 1


@pytest.mark.parametrize("auth", ["api_key", "basic"])
def test_elasticsearch_https_with_ca_and_auth(certs: Certs, auth: str) -> None:
    server = FakeElasticsearch(certs)
    try:
        section: dict[str, object] = {"url": server.url, "ca_certs": certs.ca}
        if auth == "api_key":
            section["api_key"] = "c2VjcmV0LWtleQ=="
        else:
            section.update(username="cgtwatch", password="s3cret")
        settings = Settings(elastic=section)
        client = Elasticsearch(**elastic(settings))
        assert client.info()["version"]["number"] == "8.15.3"
        client.close()
    finally:
        server.close()
    header = server.requests[0]["authorization"]
    if auth == "api_key":
        assert header == "ApiKey c2VjcmV0LWtleQ=="
    else:
        assert header == "Basic " + base64.b64encode(b"cgtwatch:s3cret").decode()


def test_elasticsearch_refuses_a_server_its_ca_did_not_sign(certs: Certs,
                                                            tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = make_certs(tmp_path / "other")
    server = FakeElasticsearch(certs)
    try:
        settings = Settings(elastic={"url": server.url, "ca_certs": other.ca})
        client = Elasticsearch(**elastic(settings), max_retries=0)
        with pytest.raises(Exception, match=r"(?i)certificate|ssl|tls"):
            client.info()
        client.close()
    finally:
        server.close()
    assert server.requests == []


def test_secrets_never_appear_in_settings_output(certs: Certs) -> None:
    settings = Settings(elastic={"url": "https://es:9200", "api_key": "top-secret-key"},
                        kafka={"sasl_password": "kafka-secret", "sasl_mechanism": "PLAIN",
                               "security_protocol": "SASL_SSL", "sasl_username": "u"})
    text = repr(settings) + str(settings) + settings.model_dump_json()
    assert "top-secret-key" not in text and "kafka-secret" not in text
