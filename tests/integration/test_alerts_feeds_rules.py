"""Feeds update as articles arrive; flatline, spike, silence and templates on the running
alerter (embedded Kafka + Elasticsearch, real services)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from cgtwatch.demo.check import read_topic
from cgtwatch.devstack.localstack import free_port
from config.contracts.ids import article_id
from config.contracts.ops import OpsEvent
from config.contracts.topics import Topics
from config.contracts.wire import decode
from tests.integration.conftest import Env, http_get, make_article, wait_for

pytestmark = pytest.mark.integration


def entries(port: int, path: str) -> list[Any]:
    status, body = http_get(port, path)
    if status != 200:
        return []
    if path.endswith(".json"):
        return list(json.loads(body)["items"])
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    return list(feed.entries)


def test_feeds_validate_and_update_as_articles_arrive(stack: Env) -> None:
    port = free_port()
    supervisor = stack.start("streams", "indexer", "alerter",
                             CGTWATCH_ALERTS__FEEDS_PORT=str(port),
                             CGTWATCH_ALERTS__FEEDS_HOST="127.0.0.1")
    stack.publish([make_article(1, True), make_article(2, True), make_article(3, False)])

    def count(path: str, n: int) -> bool:
        supervisor.poll()
        return len(entries(port, path)) == n

    paths = ("/feeds/all.atom", "/feeds/all.json", "/feeds/rules/cgt.atom",
             "/feeds/rules/cgt.json")
    wait_for(lambda: all(count(p, 2) for p in paths), 90, "2 entries in every feed")
    stack.publish([make_article(4, True)])
    wait_for(lambda: count("/feeds/all.atom", 3), 60, "a third entry")
    wait_for(lambda: count("/feeds/rules/cgt.json", 3), 60, "a third rule entry")
    atom = entries(port, "/feeds/all.atom")
    newest = make_article(4, True)
    assert atom[0].id == f"urn:cgtwatch:article:{newest.article_id}"
    assert atom[0].link == newest.url and atom[0].updated.endswith("Z")
    ids = {e["id"] for e in entries(port, "/feeds/rules/cgt.json")}
    assert ids == {f"urn:cgtwatch:article:{make_article(i, True).article_id}" for i in (1, 2, 4)}
    assert http_get(port, "/feeds/rules/unknown.atom")[0] == 404


RULES = {
    "channels": [{"name": "file", "type": "file", "path": "alerts.jsonl"}],
    "rules": [
        {"name": "templ", "channels": ["file"],
         "template": "CGT: {{ title }} | {{ source }} | {{ rule }}"},
        {"name": "quiet", "channels": ["file"]},
        {"name": "flat", "channels": ["file"], "min_salience": "primary",
         "labels": ["gene_therapy"], "flatline": {"window": "1h", "min_items": 50}},
        {"name": "spiky", "channels": ["file"], "min_salience": "primary",
         "spike": {"by": "label", "window": "1h", "factor": 2, "min_count": 3}},
    ]}


def lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_flatline_spike_silence_and_template_on_the_running_alerter(
        stack: Env, tmp_path: Path) -> None:
    rules = tmp_path / "rules2.yaml"
    rules.write_text(yaml.safe_dump(RULES), "utf-8")
    runner = CliRunner()
    silenced = runner.invoke(app, ["rules", "silence", "quiet", "--for", "2h"],
                             env={"CGTWATCH_PATHS__ALERT_RULES": str(rules)})
    assert silenced.exit_code == 0 and "silenced until" in silenced.output, silenced.output
    listed = runner.invoke(app, ["rules", "list"], env={"CGTWATCH_PATHS__ALERT_RULES": str(rules)})
    assert "quiet" in listed.output and "times in" in listed.output, listed.output
    supervisor = stack.start("streams", "indexer", "alerter",
                             CGTWATCH_PATHS__ALERT_RULES=str(rules),
                             CGTWATCH_ALERTS__WATCH_INTERVAL_S="1",
                             CGTWATCH_ALERTS__FLUSH_INTERVAL_S="1")
    stack.publish([make_article(i, True) for i in range(4)])
    out = stack.data_dir / "alerts.jsonl"

    def settled() -> bool:
        supervisor.poll()
        got = lines(out)
        return (sum(1 for r in got if r.get("rule") == "templ" and "message" in r) == 4
                and any(r.get("digest", "").startswith("Spike") for r in got))

    wait_for(settled, 120, "4 templated alerts and a spike notice")
    got = lines(out)
    templ = [r for r in got if r.get("rule") == "templ"]
    assert templ[0]["message"] == f"CGT: {templ[0]['title']} | itest | templ"
    assert not [r for r in got if r.get("rule") == "quiet"]
    notices = [r["digest"] for r in got if "digest" in r]
    assert sum(n.startswith("Flatline: rule 'flat'") for n in notices) == 1  # once per window
    spikes = [n for n in notices if n.startswith("Spike: label ")]
    assert spikes and len(spikes) == len(set(spikes))  # once per label and window
    assert "cell_therapy' had 4 article(s)" in " ".join(spikes)
    history = runner.invoke(app, ["alerts", "history", "--status", "silenced", "--json"])
    rows = [json.loads(line) for line in history.output.splitlines()]
    assert [r["rule"] for r in rows if r["kind"] == "silence"] == ["quiet"]  # the silence
    rows = [r for r in rows if r["kind"] == "immediate"]
    assert {r["article_id"] for r in rows} == {article_id(make_article(i, True).url)
                                              for i in range(4)}
    assert all(r["reason"].startswith("silenced until ") for r in rows)
    events = [decode(OpsEvent, v) for _, v in read_topic(stack.settings, Topics.OPS_EVENTS)]
    kinds = [e.kind for e in events if e.kind.startswith("rule_")]
    assert kinds.count("rule_flatline") == 1 and kinds.count("rule_spike") == len(spikes)
