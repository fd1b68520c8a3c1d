"""``rules silence`` refuses an unknown rule or duration in one line, before any server."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app

runner = CliRunner()
RULES = """\
channels: [{name: log, type: file}]
rules: [{name: cgt-main, channels: [log]}]
"""


@pytest.fixture
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(RULES, "utf-8")
    monkeypatch.setenv("CGTWATCH_PATHS__ALERT_RULES", str(path))
    monkeypatch.setenv("CGTWATCH_ELASTIC__URL", "http://127.0.0.1:9")  # never reached
    return path


def test_an_unknown_rule_names_the_rules(rules_file: Path) -> None:
    result = runner.invoke(app, ["rules", "silence", "nope", "--for", "2h"])
    assert result.exit_code == 2
    assert "no rule named 'nope'" in result.output and "rules: cgt-main" in result.output
    assert "Traceback" not in result.output


def test_a_bad_duration_says_what_is_expected(rules_file: Path) -> None:
    result = runner.invoke(app, ["rules", "silence", "cgt-main", "--for", "two hours"])
    assert result.exit_code == 2 and "--for: 'two hours' is not a duration" in result.output


def test_elasticsearch_away_is_one_line(rules_file: Path) -> None:
    result = runner.invoke(app, ["rules", "unsilence", "cgt-main"])
    assert result.exit_code == 69 and "does not answer" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
