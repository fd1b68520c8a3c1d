"""``alert_rules.yaml``: channels and rules validate, and mistakes are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.rules import (
    AlertRulesFile,
    EmailChannel,
    FileChannel,
    SlackChannel,
    load_alert_rules,
)
from config.yamlfile import OperatorFileError

REPO = Path(__file__).resolve().parents[3]

RULES = """\
channels:
  - name: team-slack
    type: slack
    webhook: team
  - name: team-email
    type: email
    to: [cgt@example.org]
  - name: log
    type: file
rules:
  - name: cgt-main
    labels: [cell_therapy, gene_therapy]
    channels: [team-slack, log]
  - name: gene-only
    labels: [gene_therapy]
    min_salience: primary
    channels: [team-email]
"""


def load(tmp_path: Path, text: str) -> AlertRulesFile:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_alert_rules(path)


def test_bundled_alert_rules_file_is_valid() -> None:
    rules = load_alert_rules(REPO / "config" / "alert_rules.yaml")
    assert rules.rules
    for rule in rules.rules:
        for name in rule.channels:
            assert rules.channel(name).name == name


def test_valid_rules_load_with_defaults(tmp_path: Path) -> None:
    loaded = load(tmp_path, RULES)
    assert isinstance(loaded.channel("team-slack"), SlackChannel)
    assert isinstance(loaded.channel("team-email"), EmailChannel)
    log = loaded.channel("log")
    assert isinstance(log, FileChannel) and log.path == "alerts.jsonl"
    main, gene = loaded.rules
    assert main.min_salience == "secondary" and main.min_score == 0.0 and main.enabled
    assert gene.labels == ["gene_therapy"] and gene.min_salience == "primary"
    with pytest.raises(KeyError):
        loaded.channel("nope")


def test_unknown_label_names_the_rule_and_the_known_labels(tmp_path: Path) -> None:
    text = RULES.replace("labels: [gene_therapy]", "labels: [rna_therapy]")
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, text)
    ((line, field, why),) = caught.value.problems
    assert (line, field) == (14, "rules[1]")
    assert "unknown label(s) ['rna_therapy']" in why
    assert "cell_therapy" in why and "gene_therapy" in why


def test_unknown_channel_names_the_rule_line_and_the_defined_channels(tmp_path: Path) -> None:
    text = RULES.replace("channels: [team-email]", "channels: [team-mail]")
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, text)
    ((line, field, why),) = caught.value.problems
    assert (line, field) == (17, "rules[1].channels")
    assert "unknown channel(s) ['team-mail']" in why
    assert "team-email" in why  # what the operator could have meant


def test_unknown_channel_type_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace("type: file", "type: pager"))
    ((line, field, why),) = caught.value.problems
    assert (line, field) == (8, "channels[2]")  # the channel item that has the bad type
    assert "'pager'" in why and "'slack'" in why and "'email'" in why


def test_bad_channel_field_names_its_exact_line(tmp_path: Path) -> None:
    """Channels are a discriminated union; the error still names the field and its line."""
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace("to: [cgt@example.org]", "to: []"))
    ((line, field, why),) = caught.value.problems
    assert (line, field) == (7, "channels[1].to")
    assert "at least 1 item" in why


def test_missing_channel_field_names_the_channel(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace("    webhook: team\n", ""))
    ((line, field, _),) = caught.value.problems
    assert (line, field) == (2, "channels[0].webhook")


@pytest.mark.parametrize(("old", "new", "field"), [
    ("min_salience: primary", "min_salience: high", "rules[1].min_salience"),
    ("    min_salience: primary\n", "    min_salience: primary\n    min_score: 1.5\n",
     "rules[1].min_score"),
    ("name: gene-only", "name: gene only!", "rules[1].name"),
    ("    channels: [team-email]\n", "", "rules[1].channels"),
    ("    labels: [gene_therapy]\n", "    labels: []\n", "rules[1].labels"),
    ("    min_salience: primary\n", "    min_salience: primary\n    mode: digest\n",
     "rules[1].mode"),
])
def test_bad_rule_fields_are_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace(old, new))
    assert [f for _, f, _ in caught.value.problems] == [field]


def test_empty_file_means_no_rules(tmp_path: Path) -> None:
    loaded = load(tmp_path, "")
    assert loaded.rules == [] and loaded.channels == []
