"""Flatline, spike, silence_until and templates in ``alert_rules.yaml``: validated at load,
mistakes named with file, line and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.rules import load_alert_rules
from config.yamlfile import OperatorFileError

HEAD = """\
channels:
  - name: log
    type: file
rules:
  - name: watched
    channels: [log]
"""


def load(tmp_path: Path, extra: str) -> str:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(HEAD + extra, "utf-8")
    with pytest.raises(OperatorFileError) as caught:
        load_alert_rules(path)
    return str(caught.value)


def test_the_new_rule_parts_load(tmp_path: Path) -> None:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(HEAD + """\
    silence_until: 2026-12-05T08:00:00+08:00
    template: "{{ link }} ({{ source }}, {{ region }})\\n> {{ snippet }}"
    flatline: {window: 24h, min_items: 3}
    spike: {by: region, window: 1h, factor: 4, min_count: 6}
""", "utf-8")
    rule = load_alert_rules(path).rules[0]
    assert rule.silence_until == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    assert rule.flatline is not None and rule.flatline.window_s == 86400
    assert rule.spike is not None and (rule.spike.by, rule.spike.factor) == ("region", 4.0)
    assert rule.template is not None and "{{ link }}" in rule.template


def test_a_silence_without_zone_names_line_and_field(tmp_path: Path) -> None:
    error = load(tmp_path, "    silence_until: 2026-12-05T08:00:00\n")
    assert "alert_rules.yaml:7: rules[0].silence_until" in error
    assert "with its zone" in error


def test_a_template_syntax_error_names_line_and_field(tmp_path: Path) -> None:
    error = load(tmp_path, '    template: "{{ title "\n')
    assert "alert_rules.yaml:7: rules[0].template" in error
    assert "template line 1" in error


def test_a_template_naming_an_unknown_value_is_a_load_error(tmp_path: Path) -> None:
    error = load(tmp_path, '    template: "{{ titel }}"\n')
    assert "alert_rules.yaml:7: rules[0].template" in error
    assert "'titel' is undefined" in error and "names: " in error


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    error = load(tmp_path, '    template: "{{ title.__class__.__mro__ }}"\n')
    assert "rules[0].template" in error


@pytest.mark.parametrize(("extra", "field"), [
    ("    flatline: {window: soon}\n", "rules[0].flatline.window"),
    ("    flatline: {min_items: 0}\n", "rules[0].flatline.min_items"),
    ("    spike: {by: source}\n", "rules[0].spike.by"),
    ("    spike: {factor: 1}\n", "rules[0].spike.factor"),
])
def test_flatline_and_spike_mistakes_name_their_field(tmp_path: Path, extra: str,
                                                      field: str) -> None:
    error = load(tmp_path, extra)
    assert f"alert_rules.yaml:7: {field}" in error
