"""The channel registry: channel type (``type:`` in ``alert_rules.yaml``) → ``ChannelKind``.

Input: configured channels (``config.rules``) and ``Settings``. Output: one ``Sender`` per
channel name, and the configuration problems of each channel for ``cgtwatch doctor``. A new
channel is one module exporting a ``ChannelKind`` plus one entry here (and its model in
``config.rules``).
"""

from __future__ import annotations

from typing import Any

from alerts.channels.base import ChannelKind, Payload, Sender
from alerts.channels.dingtalk import DINGTALK
from alerts.channels.feishu import FEISHU
from alerts.channels.local import CONSOLE, FILE
from alerts.channels.mail import EMAIL
from alerts.channels.slack import SLACK
from alerts.channels.teams import TEAMS
from alerts.channels.webhook import WEBHOOK
from alerts.channels.wecom import WECOM
from alerts.render import StoryRef
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.settings import Settings

REGISTRY: dict[str, ChannelKind] = {
    "slack": SLACK,
    "email": EMAIL,
    "file": FILE,
    "console": CONSOLE,
    "webhook": WEBHOOK,
    "wecom": WECOM,
    "dingtalk": DINGTALK,
    "feishu": FEISHU,
    "teams": TEAMS,
}


def kind_of(channel: Any) -> ChannelKind:
    kind = REGISTRY.get(channel.type)
    if kind is None:
        raise ValueError(f"channel {channel.name!r}: unknown type {channel.type!r}; known: "
                         f"{', '.join(sorted(REGISTRY))}")
    return kind


def build_sender(channel: Any, settings: Settings) -> Sender:
    """Construct the sender for one configured channel."""
    return kind_of(channel).build(channel, settings)


def build_senders(channels: list[Any], settings: Settings) -> dict[str, Sender]:
    return {c.name: build_sender(c, settings) for c in channels}


def check_channels(channels: list[Any], settings: Settings) -> dict[str, list[str]]:
    """Configuration problems per channel name (empty lists: fine). For ``cgtwatch doctor``."""
    return {c.name: kind_of(c).check(c, settings) for c in channels}


def render_as(channel_type: str, rule: Rule, article: ClassifiedArticle,
              others: list[StoryRef] | None = None) -> Payload:
    """What a channel of this type would send for ``article`` (a dry run: no settings)."""
    kind = REGISTRY[channel_type]
    if kind.render is None:
        raise ValueError(f"channel type {channel_type!r} cannot render without settings")
    return kind.render(rule, article, others)
