"""Process settings: one pydantic-settings ``Settings`` built once per process.

Input: environment variables with prefix ``CGTWATCH_`` (nested sections with ``__``, e.g.
``CGTWATCH_KAFKA__BOOTSTRAP_SERVERS``), an optional ``.env`` file, and files in a secrets
directory (``CGTWATCH_SECRETS_DIR``, for container secrets). Output: a frozen ``Settings``
object that each stage receives and passes down; nothing else reads the environment.
A bad setting raises ``BadSettingsError``: one line per problem naming the variable and the
fix, never the value (a mistyped password variable must not end up in a log).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as _SourceError

from config.checks import http_url, without_credentials
from config.sections import (
    AlertSettings,
    HookTarget,
    Section,
    SlackSettings,
    SmtpSettings,
    TranslateSettings,
)
from config.settings_errors import BadSettingsError, explain, explain_source_error
from config.timezones import DEFAULT_DISPLAY_ZONE, zone

__all__ = ["CONFIG_DIR", "BadSettingsError", "Settings"]

CONFIG_DIR = Path(__file__).resolve().parent


class KafkaSettings(Section):
    """Kafka connection. ``bootstrap_servers`` unset means: start the embedded local broker."""

    bootstrap_servers: str | None = None
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    partitions: int = Field(default=3, ge=1, description="partitions for topics we create")
    replication_factor: int = Field(default=1, ge=1)
    session_timeout_ms: int = Field(default=6000, gt=0)
    static_membership: bool = Field(
        default=True, description="group.instance.id per worker: required by noida-db, whose "
        "coordinator never evicts a dead member; harmless on real Kafka")
    heartbeat_interval_ms: int = Field(default=1000, gt=0)


class ElasticSettings(Section):
    """Elasticsearch connection. ``url`` unset means: start the embedded local server."""

    url: Annotated[str, AfterValidator(http_url)] | None = None
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    index_prefix: str = "cgtwatch"
    request_timeout: float = Field(default=30.0, gt=0)


class LocalStackSettings(Section):
    """Ports of the embedded local servers (used only when no external address is set)."""

    kafka_port: int = Field(default=9092, ge=1, le=65535)
    elastic_port: int = Field(default=9200, ge=1, le=65535)


class PathSettings(Section):
    """Where operator files and runtime data live."""

    data_dir: Path = Path(".cgtwatch")
    sources: Path = CONFIG_DIR / "sources.yaml"
    taxonomy: Path = CONFIG_DIR / "taxonomy.yaml"
    alert_rules: Path = CONFIG_DIR / "alert_rules.yaml"


class CrawlerSettings(Section):
    """Politeness and limits for the Scrapy crawler."""

    user_agent: str = "cgtwatch/0.1 (+https://example.org/cgtwatch; news monitoring bot)"
    obey_robots: bool = True
    concurrent_requests_per_domain: int = Field(default=2, ge=1)
    download_delay: float = Field(
        default=0.25, ge=0, description="seconds between requests to one site (minimum); "
        "keep > 0: Scrapy 2.19 enforces per-domain concurrency only with a delay")
    download_timeout: float = Field(default=20.0, gt=0)
    download_maxsize: int = 20 * 1024 * 1024
    retry_times: int = Field(default=2, ge=0)
    autothrottle: bool = True
    autothrottle_start_delay: float = 1.0
    max_list_pages: int = Field(default=3, ge=1)
    max_articles_per_crawl: int = Field(default=200, ge=1)
    crawl_timeout_s: int = Field(default=600, gt=0)
    first_run_spread_s: float = Field(default=60.0, ge=0, description="spread of first crawls")
    seen_store: Literal["elasticsearch", "sqlite"] = Field(
        default="elasticsearch", description="shared ES index <prefix>-seen, or single-host SQLite")
    retry_backoff_s: float = Field(default=1.0, ge=0, description="first retry delay, doubled")
    retry_backoff_max_s: float = Field(default=30.0, ge=0)
    redirect_max_times: int = Field(default=5, ge=0)
    recheck_ages_s: list[float] = Field(
        default=[3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400], description="re-check each "
        "article on a source's first list page (conditional GET) when it reaches these ages "
        "(seconds after first seen), then never again")
    concurrent_requests: int = Field(default=32, ge=1, description="requests in flight in "
                                     "one crawler worker, over every site")
    max_jobs_in_flight: int = Field(default=200, ge=1, description="crawl jobs one worker "
                                    "runs at once; it stops taking jobs beyond this")
    unhealthy_after_failures: int = Field(
        default=3, ge=1, description="failed crawls in a row before a source is unhealthy")


class WorkerSettings(Section):
    """Identity of this worker process (static group membership needs a stable name), its
    batches, and how long it waits at start for Kafka and Elasticsearch."""

    instance_id: str = Field(default_factory=lambda: socket.gethostname())
    batch_size: int = Field(default=200, ge=1, description="most events a batched agent "
                            "(classifier, indexer) takes at once")
    batch_within_s: float = Field(default=0.25, gt=0, description="how long such an agent "
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


class DisplaySettings(Section):
    """How commands show times to people."""

    timezone: str = Field(default=DEFAULT_DISPLAY_ZONE, description="IANA zone every command "
                          "shows times in and reads --since dates in")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


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

    def __init__(self, *args: Any, **values: Any) -> None:
        try:
            super().__init__(*args, **values)
        except ValidationError as exc:
            raise BadSettingsError(explain(exc, type(self), os.environ)) from None
        except _SourceError as exc:
            raise BadSettingsError(explain_source_error(exc, type(self), os.environ)) from None

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
    hooks: dict[str, HookTarget] = Field(
        default_factory=dict, description="named chat robots and webhooks (wecom, dingtalk, "
        "feishu, teams, webhook channels): CGTWATCH_HOOKS__<NAME>__URL, __SECRET")
    alerts: AlertSettings = AlertSettings()
    display: DisplaySettings = DisplaySettings()
    translate: TranslateSettings = TranslateSettings()
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (time, level, logger, "
        "message, article_id, source, stage)")
    health_port: int | None = Field(default=None, ge=1, le=65535,
                                    description="serve /healthz, /readyz and /metrics")

    def secret_values(self) -> list[str]:
        """Every secret of these settings in clear, for log redaction."""
        out = [v.get_secret_value() for v in (
            self.kafka.sasl_password, self.elastic.api_key, self.elastic.password,
            self.smtp.password, self.slack.bot_token, self.translate.api_key,
            *self.slack.webhooks.values(),
            *(h.url for h in self.hooks.values()),
            *(h.secret for h in self.hooks.values())) if v]
        return [v for v in out if v]

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
        """The URL clients connect to (may hold credentials: show ``elastic_address``)."""
        return self.elastic.url or f"http://127.0.0.1:{self.local.elastic_port}"

    @property
    def elastic_address(self) -> str:
        """``elastic_url`` without user and password, for output and logs."""
        return without_credentials(self.elastic_url)
