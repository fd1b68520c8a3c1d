"""Settings and deploy/: the environment compose gives a container validates as ``Settings``,
and every setting is passed through by compose and documented in deploy/.env.example.

Input: deploy/compose.yaml, deploy/.env.example and config.settings.Settings, read through
``tests.unit.deploy.deploy_support``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from config.settings import Settings
from tests.unit.deploy.deploy_support import (
    _VAR_NAMES,
    COMPOSE_FILE,
    DATA_DIR,
    ENV_EXAMPLE,
    NOT_PASSED,
    _env,
    _services,
    _settings_env_names,
)


def test_compose_defaults_are_valid_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The environment compose gives a container (no .env) validates as ``Settings``."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("CGTWATCH_"):
            monkeypatch.delenv(key)
    env = {k: v for k, v in _env(_services()["streams"]).items() if v is not None}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()  # cwd is tmp_path: no .env file is read
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert settings.elastic.url == "http://elasticsearch:9200"
    assert str(settings.paths.data_dir) == DATA_DIR
    assert not settings.embedded


def test_every_setting_is_passed_through_and_documented() -> None:
    """A setting compose cannot pass is a setting operators cannot set: keep them in step."""
    compose_env = set(_env(_services()["streams"]))
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b", example))
    settings = _settings_env_names()
    missing_in_compose = settings - compose_env - NOT_PASSED
    assert not missing_in_compose, (
        f"add to x-cgtwatch-env in deploy/compose.yaml: {sorted(missing_in_compose)}"
    )
    undocumented = (settings | compose_env) - documented
    assert not undocumented, f"document in deploy/.env.example: {sorted(undocumented)}"
    used = set(_VAR_NAMES.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    unexplained = sorted(used - documented)
    assert not unexplained, f"document in deploy/.env.example: {unexplained}"
