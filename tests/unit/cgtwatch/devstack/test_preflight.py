"""``cgtwatch up`` checks every operator file and the channels' settings before it starts
anything: a bad file means nothing runs, not a pipeline with a crash-looping alerter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from cgtwatch.devstack.stack import Stack
from cgtwatch.runtime import preflight
from config.settings import CONFIG_DIR, Settings

RULES = {"channels": [{"name": "team", "type": "slack", "webhook": "team"},
                      {"name": "mail", "type": "email", "to": ["cgt@example.org"]},
                      {"name": "bot", "type": "slack", "slack_channel": "#cgt"},
                      {"name": "log", "type": "file"}],
         "rules": [{"name": "cgt", "channels": ["team", "mail", "log"]},
                   {"name": "quiet", "channels": ["bot"], "enabled": False}]}


@pytest.fixture
def configured(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    rules = tmp_path / "alert_rules.yaml"
    rules.write_text(yaml.safe_dump(RULES), "utf-8")
    clean_env.setenv("CGTWATCH_PATHS__ALERT_RULES", str(rules))
    clean_env.setenv("CGTWATCH_PATHS__DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("CGTWATCH_SLACK__WEBHOOKS", json.dumps({"team": "https://hooks.example/x"}))
    clean_env.setenv("CGTWATCH_SMTP__HOST", "smtp.example.org")
    return clean_env


def test_bundled_configuration_passes(configured: pytest.MonkeyPatch) -> None:
    assert preflight.problems(Settings()) == []


def test_every_bad_file_and_channel_is_named(configured: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text((CONFIG_DIR / "sources.yaml").read_text("utf-8").replace(
        "every: 6h", "every: 0s", 1), "utf-8")
    configured.setenv("CGTWATCH_PATHS__SOURCES", str(sources))
    configured.setenv("CGTWATCH_SLACK__WEBHOOKS", "{}")
    configured.delenv("CGTWATCH_SMTP__HOST")
    found = preflight.problems(Settings())
    assert len(found) == 3, found
    assert "sources.yaml:" in found[0] and "schedule.every: must be more than zero" in found[0]
    assert found[1] == ("channel 'team': no Slack webhook named 'team'; set "
                        "CGTWATCH_SLACK__WEBHOOKS__TEAM")
    assert found[2] == "channel 'mail' sends e-mail; set CGTWATCH_SMTP__HOST"


def test_up_starts_nothing_with_a_bad_rules_file(configured: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    rules = tmp_path / "alert_rules.yaml"
    rules.write_text(yaml.safe_dump(RULES).replace("name: quiet", "name: cgt"), "utf-8")
    stack = Stack(Settings())
    with pytest.raises(preflight.NotConfiguredError, match=r"alert_rules.yaml:\d+: rules\[1\]"
                       r".name: duplicate name 'cgt'"):
        stack.start()
    assert stack.local is not None and stack.local.process is None  # no server started
    assert all(c.process is None for c in stack.supervisor.children.values())
    result = CliRunner().invoke(app, ["up"])
    assert result.exit_code == 2
    assert "not starting: fix the configuration first" in result.output
    assert "duplicate name 'cgt'" in result.output
