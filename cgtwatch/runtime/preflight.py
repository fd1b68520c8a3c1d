"""Check every operator file and the settings the alert channels need, before anything starts.

Input: ``Settings`` (already valid: a bad variable fails when it is built). Output: a list of
problems, one line each (``file:line: field: why`` for operator files, the variable to set for
a channel), empty when all is well. ``cgtwatch up`` (``Stack.start``) refuses to start any
server or service while there is one, so a bad ``alert_rules.yaml`` never leaves the alerter
crash-looping next to a pipeline that runs without it.
"""

from __future__ import annotations

from collections.abc import Callable

from config.rules import (
    HOOK_CHANNELS,
    AlertRulesFile,
    EmailChannel,
    SlackChannel,
    load_alert_rules,
)
from config.settings import Settings
from config.sources import load_sources
from config.taxonomy import load_gazetteers, load_taxonomy
from config.yamlfile import OperatorFileError


class NotConfiguredError(RuntimeError):
    """Operator files or channel settings have problems; the message lists each one."""


def _load(load: Callable[[], object], problems: list[str]) -> object | None:
    try:
        return load()
    except OperatorFileError as exc:
        problems += str(exc).splitlines()[1:]
    return None


def channel_problems(rules: AlertRulesFile, settings: Settings) -> list[str]:
    """Channels that enabled rules use but whose secrets or server are not configured."""
    used = {name for rule in rules.rules if rule.enabled for name in rule.channels}
    out = []
    for channel in rules.channels:
        if channel.name not in used:
            continue
        if isinstance(channel, SlackChannel) and channel.webhook is not None and (
                channel.webhook not in settings.slack.webhooks):
            out.append(f"channel {channel.name!r}: no Slack webhook named {channel.webhook!r}; "
                       f"set CGTWATCH_SLACK__WEBHOOKS__{channel.webhook.upper()}")
        elif isinstance(channel, SlackChannel) and channel.webhook is None and (
                settings.slack.bot_token is None):
            out.append(f"channel {channel.name!r} posts with the bot token; set "
                       "CGTWATCH_SLACK__BOT_TOKEN")
        elif isinstance(channel, EmailChannel) and not settings.smtp.host:
            out.append(f"channel {channel.name!r} sends e-mail; set CGTWATCH_SMTP__HOST")
        elif isinstance(channel, HOOK_CHANNELS):
            from alerts.channels.registry import kind_of  # the channel type's own check

            out += kind_of(channel).check(channel, settings)
    return out


def problems(settings: Settings) -> list[str]:
    """Every problem of the operator files and of the alert channels' settings."""
    found: list[str] = []
    paths = settings.paths
    _load(lambda: load_sources(paths.sources), found)
    _load(lambda: load_taxonomy(paths.taxonomy), found)
    gazetteers = paths.taxonomy.parent / "gazetteers"
    if gazetteers.is_dir():
        _load(lambda: load_gazetteers(gazetteers), found)
    rules = _load(lambda: load_alert_rules(paths.alert_rules), found)
    if isinstance(rules, AlertRulesFile):
        found += channel_problems(rules, settings)
    return [line.strip() for line in found]


def check(settings: Settings) -> None:
    """Raise ``NotConfiguredError`` naming every problem, if there is one."""
    found = problems(settings)
    if found:
        raise NotConfiguredError("not starting: fix the configuration first\n  "
                                 + "\n  ".join(found))
