"""Operator file ``alert_rules.yaml``: alert channels and the rules that feed them.

Input: ``alert_rules.yaml``. Output: a validated ``AlertRulesFile``; errors name file, line
and field. Secrets (webhook URLs, bot token, SMTP passwords) are not here: channels name them
and the values come from ``Settings``. A rule sends immediately or in digests (a cron schedule
in a time zone), may have quiet hours and a rate limit (see ``alerts.schedule``).
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.checks import email_address
from config.contracts.articles import LABELS
from config.rule_types import AwareTime, Flatline, MessageTemplate, Spike
from config.yamlfile import load_yaml_model

SalienceName = Literal["primary", "secondary", "passing"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ChannelBase(_Strict):
    """What every channel may set: its name, its pace and its interrupted-send policy."""

    name: str
    on_interrupted: Literal["resend", "skip"] | None = Field(
        default=None, description="a send cut short by a crash, where the channel cannot be "
        "asked whether it arrived: send it again (a possible duplicate) or mark it unknown "
        "(a possible loss); default per channel type (README)")
    min_interval_s: float | None = Field(
        default=None, ge=0, description="least seconds between two messages (rate limit); "
        "default per channel type (README: Slack 1.0, WeCom and DingTalk 3.0, ...)")


class SlackChannel(_ChannelBase):
    """An incoming webhook (``webhook``) or a conversation posted to with the bot token."""

    type: Literal["slack"]
    webhook: str | None = Field(
        default=None, description="name of a webhook in settings (CGTWATCH_SLACK__WEBHOOKS)")
    slack_channel: str | None = Field(
        default=None, description="channel id or #name for chat.postMessage with the bot token")

    @model_validator(mode="after")
    def _one_target(self) -> SlackChannel:
        if (self.webhook is None) == (self.slack_channel is None):
            raise ValueError("give exactly one of webhook (incoming webhook) or slack_channel "
                             "(bot token, CGTWATCH_SLACK__BOT_TOKEN)")
        return self


class EmailChannel(_ChannelBase):
    type: Literal["email"]
    to: list[Annotated[str, AfterValidator(email_address)]] = Field(min_length=1)


class FileChannel(_ChannelBase):
    type: Literal["file"]
    path: str = Field(default="alerts.jsonl", description="JSON lines, relative to the data dir")


class ConsoleChannel(_ChannelBase):
    type: Literal["console"]


class _HookChannel(_ChannelBase):
    """A chat robot or webhook: its URL and signing secret are a named target in settings."""

    hook: str = Field(description="name of a target in settings: CGTWATCH_HOOKS__<NAME>__URL "
                      "and __SECRET (the signing secret, where the vendor has one)")


class WebhookChannel(_HookChannel):
    """Generic JSON webhook (schema ``cgtwatch.alert/1``), HMAC-SHA256 signed."""

    type: Literal["webhook"]


class WeComChannel(_HookChannel):
    """WeCom (企业微信) group robot, markdown messages."""

    type: Literal["wecom"]


class DingTalkChannel(_HookChannel):
    """DingTalk (钉钉) custom robot with a signing secret, markdown messages."""

    type: Literal["dingtalk"]


class FeishuChannel(_HookChannel):
    """Feishu / Lark custom bot with signature verification, interactive cards."""

    type: Literal["feishu"]


class TeamsChannel(_HookChannel):
    """Microsoft Teams Workflows webhook, Adaptive Cards."""

    type: Literal["teams"]


HOOK_CHANNELS = (WebhookChannel, WeComChannel, DingTalkChannel, FeishuChannel, TeamsChannel)
AnyChannel = (SlackChannel | EmailChannel | FileChannel | ConsoleChannel | WebhookChannel
              | WeComChannel | DingTalkChannel | FeishuChannel | TeamsChannel)
Channel = Annotated[AnyChannel, Field(discriminator="type")]


DEFAULT_TIMEZONE = "Asia/Shanghai"
PRESETS = {"hourly": "0 * * * *", "daily": "0 8 * * *", "weekly": "0 8 * * mon"}


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                         f"{DEFAULT_TIMEZONE!r})") from exc
    return value


Zone = Annotated[str, AfterValidator(_zone)]


class Schedule(_Strict):
    """When digests go out: a preset (hourly, daily 08:00, weekly Monday 08:00) or a
    five-field crontab, in a time zone."""

    cron: str = "daily"
    timezone: Zone = DEFAULT_TIMEZONE

    @property
    def crontab(self) -> str:
        return PRESETS.get(self.cron, self.cron)

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.crontab, timezone=self.timezone)

    @model_validator(mode="after")
    def _valid_cron(self) -> Schedule:
        try:
            self.trigger()
        except ValueError as exc:
            raise ValueError(f"cron {self.cron!r}: {exc}; presets: {sorted(PRESETS)}") from exc
        return self


# A preset's schedule, built once: building one checks its crontab (slow per decision).
_preset = cache(lambda cron: Schedule(cron=cron))
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class QuietHours(_Strict):
    """Local times between which immediate alerts are held (may span midnight)."""

    start: str
    end: str
    timezone: Zone = DEFAULT_TIMEZONE

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, value: Any) -> Any:
        if isinstance(value, int):  # YAML reads 22:00 unquoted as sexagesimal minutes
            value = f"{value // 60:02d}:{value % 60:02d}"
        if not isinstance(value, str) or not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a time HH:MM")
        return value

    def times(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class RateLimit(_Strict):
    """At most ``max`` immediate alerts per ``per`` and channel; the excess is queued for the
    rule's next digest."""

    max: int = Field(ge=1)
    per: Literal["minute", "hour", "day"] = "hour"

    @property
    def seconds(self) -> int:
        return {"minute": 60, "hour": 3600, "day": 86400}[self.per]


class Rule(_Strict):
    """Which classified articles to alert on, and where."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    labels: list[str] = Field(default_factory=lambda: list(LABELS), min_length=1)
    min_salience: SalienceName = "secondary"
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    tags: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    source_kinds: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)
    channels: list[str] = Field(min_length=1)
    mode: Literal["immediate", "digest"] = "immediate"
    digest: Schedule | None = Field(
        default=None, description="digest schedule; default daily (digest rules) or hourly "
        "(the overflow of an immediate rule's rate limit)")
    quiet_hours: QuietHours | None = None
    rate_limit: RateLimit | None = None
    enabled: bool = True
    silence_until: AwareTime | None = Field(
        default=None, description="matches until then are recorded, not sent")
    template: MessageTemplate | None = Field(
        default=None, description="Jinja2 message body (sandboxed); values escaped per channel")
    flatline: Flatline | None = None
    spike: Spike | None = None

    @property
    def schedule(self) -> Schedule:
        """The digest schedule in effect (explicit, else daily or hourly by mode)."""
        return self.digest if self.digest is not None else _preset(
            "daily" if self.mode == "digest" else "hourly")

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("channels")
        missing = [name for name in value if known is not None and name not in known]
        if missing:
            raise ValueError(f"unknown channel(s) {missing}; defined: {sorted(known or [])}")
        return value

    @model_validator(mode="after")
    def _known_labels(self, info: ValidationInfo) -> Rule:
        known = (info.context or {}).get("labels") or LABELS
        unknown = sorted(set(self.labels) - set(known))
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; known (taxonomy.yaml): {list(known)}")
        return self


class AlertRulesFile(_Strict):
    unique_fields: ClassVar[tuple[tuple[str, str], ...]] = (("channels", "name"),
                                                            ("rules", "name"))
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> AlertRulesFile:
        for kind, names in (("channel", [c.name for c in self.channels]),
                            ("rule", [r.name for r in self.rules])):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} name(s) {dupes}")
        return self

    @model_validator(mode="after")
    def _channels_exist(self) -> AlertRulesFile:
        names = {c.name for c in self.channels}
        for rule in self.rules:
            missing = [c for c in rule.channels if c not in names]
            if missing:
                raise ValueError(f"rule {rule.name!r} names unknown channel(s) {missing}")
        return self

    def channel(self, name: str) -> AnyChannel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)


def _channel_names(data: Any) -> dict[str, Any]:
    channels = data.get("channels") if isinstance(data, dict) else None
    names = [c.get("name") for c in channels or [] if isinstance(c, dict)]
    return {"channels": [n for n in names if isinstance(n, str)]}


def load_alert_rules(path: Path, labels: tuple[str, ...] = LABELS) -> AlertRulesFile:
    """Load and validate ``alert_rules.yaml``; rules may name the ``labels`` of the taxonomy."""
    return load_yaml_model(path, AlertRulesFile,
                           context=lambda data: {**_channel_names(data), "labels": labels})
