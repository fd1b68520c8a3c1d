"""The sections of ``Settings`` for alert delivery (SMTP, Slack, chat and webhook targets,
durable delivery, feeds, translation of alert titles) and the base every section shares:
frozen, unknown fields refused.

Input: values from ``Settings`` (environment, secret files). Output: validated sections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from config.checks import email_address, http_url


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SmtpSettings(Section):
    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: Annotated[str, AfterValidator(email_address)] = "cgtwatch@localhost"
    timeout_s: float = Field(default=20.0, gt=0)
    ca_certs: Path | None = Field(default=None, description="CA bundle to verify the server")


def _webhook_url(value: SecretStr) -> SecretStr:
    http_url(value.get_secret_value())
    return value


class SlackSettings(Section):
    """Named Slack incoming webhooks; alert channels refer to them by name."""

    webhooks: dict[str, Annotated[SecretStr, AfterValidator(_webhook_url)]] = Field(
        default_factory=dict)
    bot_token: SecretStr | None = None
    timeout_s: float = Field(default=10.0, gt=0)
    api_url: str = Field(default="https://slack.com/api/", description="Web API base URL")


class HookTarget(Section):
    """A chat robot or webhook URL (it holds the vendor's key or token: a secret) and the
    signing secret where the vendor has one (DingTalk, Feishu, the generic webhook)."""

    url: Annotated[SecretStr, AfterValidator(_webhook_url)]
    secret: SecretStr | None = None
    timeout_s: float = Field(default=10.0, gt=0)


class TranslateSettings(Section):
    """Machine translation of alert titles into English (none: English names of known labels,
    institutions and regions only); ``config.translate`` asks the provider."""

    provider: Literal["none", "libretranslate", "deepl"] = "none"
    url: str = Field(default="", description="LibreTranslate base URL, or DeepL's "
                     "(https://api-free.deepl.com or https://api.deepl.com)")
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=2.0, gt=0, description="an alert waits this long at most "
                             "for its translation, then goes without")
    min_interval_s: float = Field(default=0.2, ge=0, description="least seconds between two "
                                  "requests (rate limit)")
    cache_size: int = Field(default=10000, ge=0, description="translations kept by text hash")
    pause_s: float = Field(default=30.0, ge=0, description="after a failed request, texts go "
                           "untranslated this long before the provider is asked again")


class AlertSettings(Section):
    """Durable delivery of the alerter: retries, pace, crash recovery, digests, ops alerts."""

    backoff_s: float = Field(default=1.0, gt=0, description="first retry delay of a channel, "
                             "doubling (with jitter) up to backoff_max_s")
    backoff_max_s: float = Field(default=300.0, gt=0, description="longest retry delay")
    max_age_s: float = Field(default=86400.0, gt=0, description="a delivery is retried until it "
                             "is this old, then failed with an operator alert")
    poll_s: float = Field(default=5.0, gt=0, description="how often an idle channel worker "
                          "looks for due deliveries queued by another alerter (its own wake "
                          "it at once; retries wake it when due)")
    lease_s: float = Field(default=120.0, gt=0, description="a delivery claimed this long ago "
                           "by another alerter that never finished it is resolved as "
                           "interrupted")
    spill_after: int = Field(default=10, ge=1, description="a paced channel (Slack) with more "
                             "due alerts than this sends the rest as one digest per rule")
    spill_max: int = Field(default=50, ge=2, description="alerts per spilled digest at most")
    batch_within_s: float = Field(default=0.1, gt=0, description="the alerter takes classified "
                                  "articles in batches of worker.batch_size or this long")
    flush_interval_s: float = Field(default=10.0, gt=0, description="how often due digests "
                                    "and held alerts are looked for")
    failing_after: int = Field(default=3, ge=1, description="failed attempts in a row before "
                               "a channel raises an operator alert")
    watch_interval_s: float = Field(default=60.0, gt=0, description="how often flatline and "
                                    "spike rules are evaluated")
    feeds_port: int = Field(default=0, ge=0, le=65535, description="port of the Atom and JSON "
                            "feeds (/feeds/all.atom, /feeds/rules/<rule>.json ...); 0: off")
    feeds_host: str = Field(default="0.0.0.0", description="address the feeds listen on")
    feed_items: int = Field(default=50, ge=1, le=1000, description="entries per feed")
