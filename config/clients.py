"""Map ``Settings`` to keyword arguments of the Kafka and Elasticsearch clients.

Input: a ``Settings``. Output: plain dicts for kafka-python, aiokafka/Faust and
elasticsearch-py constructors. This is the one place where connection and security settings
become client options, so every producer, consumer and worker is configured alike. Secrets
are unwrapped here only, and never logged.
"""

from __future__ import annotations

from typing import Any

from config.settings import Settings


def kafka_common(settings: Settings, client_id: str) -> dict[str, Any]:
    """Options shared by every kafka-python client (producer, consumer, admin)."""
    k = settings.kafka
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "client_id": client_id,
        "security_protocol": k.security_protocol,
    }
    if k.ssl_cafile:
        opts["ssl_cafile"] = str(k.ssl_cafile)
    if k.sasl_mechanism:
        opts["sasl_mechanism"] = k.sasl_mechanism
        opts["sasl_plain_username"] = k.sasl_username
        password = k.sasl_password.get_secret_value() if k.sasl_password else None
        opts["sasl_plain_password"] = password
    return opts


# Bytes a stream worker's producer gathers per partition before it sends (aiokafka's default
# is 16 KB, ~6 articles: a batch's outputs went out as hundreds of small produce requests,
# each a gzip stream and a request for the broker and every consumer to handle). The
# crawler's kafka-python producer keeps its 16 KB: it publishes one page at a time, and its
# buffer pool keeps freed batches, so 512 KB there cost a worker ~27 MB resident.
PRODUCER_BATCH_BYTES = 512 * 1024


def kafka_producer(settings: Settings, client_id: str) -> dict[str, Any]:
    """A durable producer: all replicas ack, idempotent, compressed, large pages allowed."""
    return {
        **kafka_common(settings, client_id),
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": "gzip",
        "linger_ms": 20,
        "max_request_size": 8 * 1024 * 1024,
        "retries": 10,
    }


def kafka_consumer(settings: Settings, group_id: str, client_id: str,
                   **extra: Any) -> dict[str, Any]:
    """A group consumer with static membership and short session timeouts (see standins.md)."""
    static = settings.kafka.static_membership
    return {
        **kafka_common(settings, client_id),
        "group_id": group_id,
        "group_instance_id": f"{group_id}-{settings.worker.instance_id}" if static else None,
        "session_timeout_ms": settings.kafka.session_timeout_ms,
        "heartbeat_interval_ms": settings.kafka.heartbeat_interval_ms,
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        **extra,
    }


def faust_app_options(settings: Settings, app_id: str) -> dict[str, Any]:
    """Options for ``faust.App`` (aiokafka underneath)."""
    k = settings.kafka
    opts: dict[str, Any] = {
        "broker": ";".join(f"kafka://{hp}" for hp in settings.kafka_bootstrap.split(",")),
        "consumer_group_instance_id": (f"{app_id}-{settings.worker.instance_id}"
                                       if k.static_membership else None),
        "broker_session_timeout": k.session_timeout_ms / 1000,
        "broker_heartbeat_interval": k.heartbeat_interval_ms / 1000,
        "consumer_auto_offset_reset": "earliest",
        "topic_partitions": k.partitions,
        "topic_replication_factor": k.replication_factor,
        "topic_allow_declare": True,
        "producer_acks": -1,
        "producer_max_request_size": 8 * 1024 * 1024,
        "producer_max_batch_size": PRODUCER_BATCH_BYTES,
        "producer_linger_ms": settings.worker.producer_linger_ms,
        "producer_compression_type": "gzip",
        "web_enabled": False,
        "store": "memory://",
    }
    credentials = faust_credentials(settings)
    if credentials is not None:
        opts["broker_credentials"] = credentials
    return opts


def faust_credentials(settings: Settings) -> Any:
    """Faust credentials object for SSL/SASL, or None for plaintext."""
    k = settings.kafka
    if k.security_protocol == "PLAINTEXT":
        return None
    import ssl

    import faust

    context = ssl.create_default_context(cafile=str(k.ssl_cafile) if k.ssl_cafile else None)
    if k.sasl_mechanism:
        password = k.sasl_password.get_secret_value() if k.sasl_password else ""
        ssl_ctx = context if k.security_protocol == "SASL_SSL" else None
        return faust.SASLCredentials(username=k.sasl_username, password=password,
                                     mechanism=k.sasl_mechanism, ssl_context=ssl_ctx)
    return faust.SSLCredentials(context)


def elastic(settings: Settings) -> dict[str, Any]:
    """Options for ``Elasticsearch``/``AsyncElasticsearch``."""
    e = settings.elastic
    opts: dict[str, Any] = {"hosts": [settings.elastic_url],
                            "request_timeout": e.request_timeout}
    if e.api_key:
        opts["api_key"] = e.api_key.get_secret_value()
    elif e.username:
        opts["basic_auth"] = (e.username, e.password.get_secret_value() if e.password else "")
    if e.ca_certs:
        opts["ca_certs"] = str(e.ca_certs)
    if not e.verify_certs:
        opts["verify_certs"] = False
    return opts
