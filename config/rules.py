"""Operator file ``alert_rules.yaml``: alert channels and the rules that feed them.

Input: ``alert_rules.yaml``. Output: a validated ``AlertRulesFile``; errors name file, line
and field. Secrets (webhook URLs, SMTP passwords) are not here: channels name them and the
values come from ``Settings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from config.contracts import LABELS
from config.yamlfile import load_yaml_model

SalienceName = Literal["primary", "secondary", "passing"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlackChannel(_Strict):
    type: Literal["slack"]
    name: str
    webhook: str = Field(description="name of a webhook in settings (CGTWATCH_SLACK__WEBHOOKS)")


class EmailChannel(_Strict):
    type: Literal["email"]
    name: str
    to: list[str] = Field(min_length=1)


class FileChannel(_Strict):
    type: Literal["file"]
    name: str
    path: str = Field(default="alerts.jsonl", description="JSON lines, relative to the data dir")


class ConsoleChannel(_Strict):
    type: Literal["console"]
    name: str


Channel = Annotated[SlackChannel | EmailChannel | FileChannel | ConsoleChannel,
                    Field(discriminator="type")]


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
    mode: Literal["immediate"] = "immediate"
    enabled: bool = True

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("channels")
        missing = [name for name in value if known is not None and name not in known]
        if missing:
            raise ValueError(f"unknown channel(s) {missing}; defined: {sorted(known or [])}")
        return value

    @model_validator(mode="after")
    def _known_labels(self) -> Rule:
        unknown = sorted(set(self.labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; known: {list(LABELS)}")
        return self


class AlertRulesFile(_Strict):
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _channels_exist(self) -> AlertRulesFile:
        names = {c.name for c in self.channels}
        for rule in self.rules:
            missing = [c for c in rule.channels if c not in names]
            if missing:
                raise ValueError(f"rule {rule.name!r} names unknown channel(s) {missing}")
        return self

    def channel(self, name: str) -> SlackChannel | EmailChannel | FileChannel | ConsoleChannel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)


def _channel_names(data: Any) -> dict[str, Any]:
    channels = data.get("channels") if isinstance(data, dict) else None
    names = [c.get("name") for c in channels or [] if isinstance(c, dict)]
    return {"channels": [n for n in names if isinstance(n, str)]}


def load_alert_rules(path: Path) -> AlertRulesFile:
    return load_yaml_model(path, AlertRulesFile, context=_channel_names)
