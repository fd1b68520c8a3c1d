"""The demo's operator files and expectations, built from the bundled demo site's manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cgtwatch.demo.check import DemoExpectations
from cgtwatch.demo.run import DEMO_SITE, demo_env, summary_table, write_operator_files
from config.contracts.ids import article_id
from config.rules import FileChannel, SlackChannel, load_alert_rules
from config.sources import load_sources

SITE_URL = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEMO_SITE / "manifest.yaml").read_text("utf-8"))
    return loaded


def test_operator_files_load_with_the_real_loaders(tmp_path: Path,
                                                   manifest: dict[str, Any]) -> None:
    sources_path, rules_path = write_operator_files(tmp_path, manifest, SITE_URL)
    sources = load_sources(sources_path)
    assert [s.id for s in sources.sources] == [s["id"] for s in manifest["sources"]]
    for source, spec in zip(sources.sources, manifest["sources"], strict=True):
        assert [str(u) for u in source.list_urls] == [f"{SITE_URL}/{spec['list']}"]
        assert source.kind == spec["kind"] and source.language == spec["language"]
        assert source.name == spec["name"]  # Chinese names survive the YAML round trip
        assert source.schedule.jitter_s == 0
    rules = load_alert_rules(rules_path)
    (rule,) = rules.rules
    assert rule.channels == ["demo-slack", "demo-email", "demo-file"]
    slack = rules.channel("demo-slack")
    assert isinstance(slack, SlackChannel) and slack.webhook == "demo"
    assert isinstance(rules.channel("demo-file"), FileChannel)


def test_expectations_count_the_manifest(manifest: dict[str, Any]) -> None:
    expect = DemoExpectations.from_manifest(manifest, SITE_URL)
    articles = manifest["articles"]
    alerting = [a for a in articles if a.get("expected_labels")]
    assert 0 < len(alerting) < len(articles)  # the demo has both relevant and irrelevant news
    assert expect.article_count == len(articles)
    assert len(expect.alerting) == len(alerting)
    assert expect.alert_count == 2 * len(alerting)  # one Slack post and one email each
    first = f"{SITE_URL}/{articles[0]['path']}"
    assert expect.urls[article_id(first)] == first
    assert set(expect.alerting) <= set(expect.urls)


def test_every_manifest_page_exists(manifest: dict[str, Any]) -> None:
    for page in [s["list"] for s in manifest["sources"]] + [a["path"] for a in
                                                            manifest["articles"]]:
        assert (DEMO_SITE / page).is_file(), page


class _Receiver:
    url = "http://127.0.0.1:1/services/demo"
    port = 2525


def test_demo_env_points_the_services_at_the_demo(tmp_path: Path) -> None:
    env = demo_env(tmp_path, tmp_path / "s.yaml", tmp_path / "r.yaml", _Receiver(),  # type: ignore
                   _Receiver())  # type: ignore[arg-type]
    assert env["CGTWATCH_PATHS__SOURCES"] == str(tmp_path / "s.yaml")
    assert json.loads(env["CGTWATCH_SLACK__WEBHOOKS"]) == {"demo": _Receiver.url}
    assert env["CGTWATCH_SMTP__PORT"] == "2525"
    assert env["CGTWATCH_LOCAL__KAFKA_PORT"] != env["CGTWATCH_LOCAL__ELASTIC_PORT"]
    assert all(key.startswith("CGTWATCH_") for key in env)


def test_summary_table_lists_measures() -> None:
    table = summary_table({"articles_indexed": 17, "by_label": {"cell_therapy": 6}}, 42.0)
    assert table.title == "cgtwatch demo (42s)"
    assert table.row_count == 2


def test_sample_alert_shows_the_slack_message_text() -> None:
    from cgtwatch.demo.run import sample_alert

    assert sample_alert([]) == ""
    posts: list[dict[str, Any]] = [{"text": "[cgtwatch] Title", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*<http://x|CAR-T 细胞治疗>*"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "cell_therapy: primary"}]}]}]
    assert sample_alert(posts) == "*<http://x|CAR-T 细胞治疗>*\ncell_therapy: primary"


def test_keep_prints_the_settings_and_commands_to_use_the_kept_stack(tmp_path: Path) -> None:
    from cgtwatch.demo.run import keep_commands

    env = {"CGTWATCH_PATHS__DATA_DIR": "/d", "CGTWATCH_PATHS__SOURCES": "/s.yaml",
           "CGTWATCH_PATHS__ALERT_RULES": "/r.yaml", "CGTWATCH_LOCAL__KAFKA_PORT": "1",
           "CGTWATCH_LOCAL__ELASTIC_PORT": "2", "CGTWATCH_SMTP__PORT": "3"}
    lines = keep_commands(env)
    assert lines[0] == ("export CGTWATCH_PATHS__DATA_DIR=/d CGTWATCH_PATHS__SOURCES=/s.yaml "
                        "CGTWATCH_PATHS__ALERT_RULES=/r.yaml CGTWATCH_LOCAL__KAFKA_PORT=1 "
                        "CGTWATCH_LOCAL__ELASTIC_PORT=2")
    assert "cgtwatch search 细胞治疗" in lines and "cgtwatch alerts history" in lines
