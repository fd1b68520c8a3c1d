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


def test_slack_channel_needs_a_webhook_or_a_slack_channel(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace("    webhook: team\n", ""))
    ((line, field, why),) = caught.value.problems
    assert (line, field) == (2, "channels[0]")
    assert "exactly one of webhook" in why and "CGTWATCH_SLACK__BOT_TOKEN" in why


@pytest.mark.parametrize(("old", "new", "field"), [
    ("min_salience: primary", "min_salience: high", "rules[1].min_salience"),
    ("    min_salience: primary\n", "    min_salience: primary\n    min_score: 1.5\n",
     "rules[1].min_score"),
    ("name: gene-only", "name: gene only!", "rules[1].name"),
    ("    channels: [team-email]\n", "", "rules[1].channels"),
    ("    labels: [gene_therapy]\n", "    labels: []\n", "rules[1].labels"),
    ("    min_salience: primary\n", "    min_salience: primary\n    mode: batch\n",
     "rules[1].mode"),
])
def test_bad_rule_fields_are_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, RULES.replace(old, new))
    assert [f for _, f, _ in caught.value.problems] == [field]


def test_empty_file_means_no_rules(tmp_path: Path) -> None:
    loaded = load(tmp_path, "")
    assert loaded.rules == [] and loaded.channels == []


@pytest.mark.parametrize(("extra", "field", "why"), [
    ("    digest: {cron: fortnightly}\n", "rules[1].digest", "Wrong number of fields"),
    ("    digest: {cron: '61 * * * *'}\n", "rules[1].digest", "higher than the maximum"),
    ("    digest: {cron: daily, timezone: Mars/Base}\n", "rules[1].digest.timezone",
     "unknown time zone 'Mars/Base'"),
    ("    quiet_hours: {start: '25:00', end: '07:00'}\n", "rules[1].quiet_hours.start",
     "not a time HH:MM"),
    ("    rate_limit: {max: 0}\n", "rules[1].rate_limit.max", "greater than or equal to 1"),
    ("    rate_limit: {max: 5, per: week}\n", "rules[1].rate_limit.per", "'hour'"),
])
def test_delivery_options_are_validated_with_line_and_field(
        tmp_path: Path, extra: str, field: str, why: str) -> None:
    text = RULES.replace("    min_salience: primary\n", "    min_salience: primary\n" + extra)
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, text)
    ((line, got_field, got_why),) = caught.value.problems
    assert (line, got_field) == (17, field)
    assert why in got_why


def test_digest_quiet_hours_and_rate_limit_load(tmp_path: Path) -> None:
    text = RULES.replace("    min_salience: primary\n", (
        "    min_salience: primary\n    mode: digest\n    digest: {cron: weekly}\n"
        "    quiet_hours: {start: 22:00, end: 07:00}\n    rate_limit: {max: 5}\n"))
    rule = load(tmp_path, text).rules[1]
    assert rule.schedule.crontab == "0 8 * * mon" and rule.schedule.timezone == "Asia/Shanghai"
    assert rule.quiet_hours is not None and rule.quiet_hours.start == "22:00"
    assert rule.rate_limit is not None and rule.rate_limit.seconds == 3600
    main = load(tmp_path, RULES).rules[0]
    assert main.mode == "immediate" and main.schedule.crontab == "0 * * * *"


def test_slack_channel_by_bot_token(tmp_path: Path) -> None:
    text = RULES.replace("    webhook: team\n", "    slack_channel: '#cgt'\n")
    channel = load(tmp_path, text).channel("team-slack")
    assert isinstance(channel, SlackChannel) and channel.slack_channel == "#cgt"


def messages(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(OperatorFileError) as caught:
        load(tmp_path, text)
    return str(caught.value).splitlines()[1:]


def test_duplicate_rule_and_channel_names_name_the_second_line(tmp_path: Path) -> None:
    text = RULES.replace("name: gene-only", "name: cgt-main").replace("name: log",
                                                                         "name: team-slack")
    found = messages(tmp_path, text)
    assert [m.split(": ", 1)[0].strip().rsplit("/", 1)[1] for m in found] == [
        "alert_rules.yaml:8", "alert_rules.yaml:14"]
    assert "channels[2].name: duplicate name 'team-slack' (also channels[0].name, line 2)" \
        in found[0]
    assert "rules[1].name: duplicate name 'cgt-main' (also rules[0].name, line 11)" in found[1]


def test_duplicate_yaml_keys_are_rejected_not_overwritten(tmp_path: Path) -> None:
    text = RULES.replace("    min_salience: primary\n",
                         "    min_salience: primary\n    labels: [cell_therapy]\n")
    (found,) = messages(tmp_path, text)
    assert "alert_rules.yaml:17: rules[1].labels: duplicate key 'labels' (first on line 15)" \
        in found
    (top,) = messages(tmp_path, RULES + "channels: []\n")
    assert "alert_rules.yaml:18: channels: duplicate key 'channels' (first on line 1)" in top


@pytest.mark.parametrize("address", [
    "not-an-address", "cgt@", "@example.org", "a b@example.org", "cgt@example..org",
    "cgt@example.org\\r\\nBcc: all@example.org", "cgt@example.org, ops@example.org",
    "cgt@example.org\\n", ""])
def test_invalid_email_addresses_are_rejected(tmp_path: Path, address: str) -> None:
    text = RULES.replace("to: [cgt@example.org]", f'to: ["ok@example.org", "{address}"]')
    (found,) = messages(tmp_path, text)
    assert "alert_rules.yaml:7: channels[1].to[1]: " in found
    assert "e-mail address" in found


def test_valid_email_addresses_pass(tmp_path: Path) -> None:
    text = RULES.replace("to: [cgt@example.org]",
                         "to: [cgt@example.org, ops+cgt@mail.example.gov.cn, 监测@例子.中国]")
    channel = load(tmp_path, text).channel("team-email")
    assert isinstance(channel, EmailChannel) and len(channel.to) == 3
