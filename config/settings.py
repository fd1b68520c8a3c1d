"""Process settings: one pydantic-settings ``Settings`` built once per process.

Input: environment variables with prefix ``CGTWATCH_`` (nested sections with ``__``, e.g.
``CGTWATCH_KAFKA__BOOTSTRAP_SERVERS``), an optional ``.env`` file, and files in a secrets
directory (``CGTWATCH_SECRETS_DIR``, for container secrets). Output: a frozen ``Settings``
object that each stage receives and passes down; nothing else reads the environment.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

CONFIG_DIR = Path(__file__).resolve().parent


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Section):
    """Kafka connection. ``bootstrap_servers`` unset means: start the embedded local broker."""

    bootstrap_servers: str | None = None
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    partitions: int = Field(default=3, ge=1, description="partitions for topics we create")
    replication_factor: int = Field(default=1, ge=1)
    session_timeout_ms: int = 6000
    static_membership: bool = Field(
        default=True, description="group.instance.id per worker: required by noida-db, whose "
        "coordinator never evicts a dead member; harmless on real Kafka")
    heartbeat_interval_ms: int = 1000


class ElasticSettings(_Section):
    """Elasticsearch connection. ``url`` unset means: start the embedded local server."""

    url: str | None = None
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    index_prefix: str = "cgtwatch"
    request_timeout: float = 30.0


class LocalStackSettings(_Section):
    """Ports of the embedded local servers (used only when no external address is set)."""

    kafka_port: int = 9092
    elastic_port: int = 9200


class PathSettings(_Section):
    """Where operator files and runtime data live."""

    data_dir: Path = Path(".cgtwatch")
    sources: Path = CONFIG_DIR / "sources.yaml"
    taxonomy: Path = CONFIG_DIR / "taxonomy.yaml"
    alert_rules: Path = CONFIG_DIR / "alert_rules.yaml"


class CrawlerSettings(_Section):
    """Politeness and limits for the Scrapy crawler."""

    user_agent: str = "cgtwatch/0.1 (+https://example.org/cgtwatch; news monitoring bot)"
    obey_robots: bool = True
    concurrent_requests_per_domain: int = 2
    download_delay: float = Field(
        default=0.25, ge=0, description="seconds between requests to one site (minimum); "
        "keep > 0: Scrapy 2.19 enforces per-domain concurrency only with a delay")
    download_timeout: float = 20.0
    download_maxsize: int = 20 * 1024 * 1024
    retry_times: int = 2
    autothrottle: bool = True
    autothrottle_start_delay: float = 1.0
    max_list_pages: int = 3
    max_articles_per_crawl: int = 200
    crawl_timeout_s: int = 600
    first_run_spread_s: float = Field(default=60.0, ge=0, description="spread of first crawls")
    seen_store: Literal["elasticsearch", "sqlite"] = Field(
        default="elasticsearch", description="shared ES index <prefix>-seen, or single-host SQLite")
    retry_backoff_s: float = Field(default=1.0, ge=0, description="first retry delay, doubled")
    retry_backoff_max_s: float = Field(default=30.0, ge=0)
    redirect_max_times: int = Field(default=5, ge=0)
    recheck_within_days: float = Field(
        default=3.0, ge=0, description="re-check known articles this young (conditional GET)")
    recheck_max_per_crawl: int = Field(default=20, ge=0)
    unhealthy_after_failures: int = Field(
        default=3, ge=1, description="failed crawls in a row before a source is unhealthy")


class WorkerSettings(_Section):
    """Identity of this worker process (static group membership needs a stable name), its
    batches, and how long it waits at start for Kafka and Elasticsearch."""

    instance_id: str = Field(default_factory=lambda: socket.gethostname())
    batch_size: int = Field(default=200, ge=1, description="most events a batched agent "
                            "(classifier, indexer) takes at once")
    batch_within_s: float = Field(default=1.0, gt=0, description="how long such an agent "
                                  "waits to fill a batch before it handles what it has")
    producer_linger_ms: int = Field(default=5, ge=0, description="how long a worker's "
                                    "producer waits to fill a request with more messages")
    handler_attempts: int = Field(
        default=5, ge=1, description="tries of an event or batch whose handler fails (with "
        "backoff) before it goes to the dead-letter topic with the error as reason")
    handler_backoff_s: float = Field(default=0.5, gt=0, description="first wait between "
                                     "those tries, doubled each time (at most 30 s)")
    dependency_timeout_s: float = Field(
        default=300.0, ge=0, description="at start (of a service or of setup), wait this long "
        "for Kafka and Elasticsearch to answer (backoff up to 30 s between tries), then exit "
        "with an error; 0 = forever")


class SmtpSettings(_Section):
    host: str | None = None
    port: int = 587
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "cgtwatch@localhost"
    timeout_s: float = 20.0
    ca_certs: Path | None = Field(default=None, description="CA bundle to verify the server")


class SlackSettings(_Section):
    """Named Slack incoming webhooks; alert channels refer to them by name."""

    webhooks: dict[str, SecretStr] = Field(default_factory=dict)
    bot_token: SecretStr | None = None
    timeout_s: float = 10.0
    api_url: str = Field(default="https://slack.com/api/", description="Web API base URL")


class AlertSettings(_Section):
    """Delivery retries, the digest/held-alert flush and operator alerts of the alerter."""

    attempts: int = Field(default=4, ge=1, description="tries per delivery")
    backoff_s: float = Field(default=1.0, gt=0, description="first retry delay, doubling")
    flush_interval_s: float = Field(default=10.0, gt=0, description="how often due digests "
                                    "and held alerts are looked for")
    failing_after: int = Field(default=3, ge=1, description="failed deliveries in a row before "
                               "a channel raises an operator alert")


class Settings(BaseSettings):
    """All settings of one cgtwatch process."""

    model_config = SettingsConfigDict(
        env_prefix="CGTWATCH_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        frozen=True,
        secrets_dir=os.environ.get("CGTWATCH_SECRETS_DIR") or None,
        secrets_nested_delimiter="__",
        secrets_prefix="",
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment first; secret files named like ``smtp__password`` under
        ``CGTWATCH_SECRETS_DIR`` (container secrets) fill what the environment leaves out."""
        secrets = NestedSecretsSettingsSource(file_secret_settings)
        return init_settings, env_settings, dotenv_settings, secrets

    kafka: KafkaSettings = KafkaSettings()
    elastic: ElasticSettings = ElasticSettings()
    local: LocalStackSettings = LocalStackSettings()
    paths: PathSettings = PathSettings()
    crawler: CrawlerSettings = CrawlerSettings()
    worker: WorkerSettings = WorkerSettings()
    smtp: SmtpSettings = SmtpSettings()
    slack: SlackSettings = SlackSettings()
    alerts: AlertSettings = AlertSettings()
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (time, level, logger, "
        "message, article_id, source, stage)")
    health_port: int | None = Field(default=None, description="serve /healthz, /readyz and "
                                    "/metrics")

    @property
    def embedded_kafka(self) -> bool:
        """True when no Kafka is configured: cgtwatch starts its local broker."""
        return self.kafka.bootstrap_servers is None

    @property
    def embedded_elastic(self) -> bool:
        """True when no Elasticsearch is configured: cgtwatch starts its local server."""
        return self.elastic.url is None

    @property
    def embedded(self) -> bool:
        """True when cgtwatch must start any local server."""
        return self.embedded_kafka or self.embedded_elastic

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap_servers or f"127.0.0.1:{self.local.kafka_port}"

    @property
    def elastic_url(self) -> str:
        return self.elastic.url or f"http://127.0.0.1:{self.local.elastic_port}"
