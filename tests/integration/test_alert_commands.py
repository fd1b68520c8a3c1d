"""``cgtwatch rules test`` and ``cgtwatch alerts history`` against a real local index: after
articles flowed through the pipeline, the dry run shows the matching articles (sending
nothing) and the history lists what was delivered."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from tests.integration.conftest import Env, make_article, wait_for

pytestmark = pytest.mark.integration


def test_rules_test_and_alerts_history(stack: Env) -> None:
    relevant, other = make_article(1, True), make_article(2, False)
    stack.start("streams", "indexer", "alerter")
    stack.publish([relevant, other])
    wait_for(lambda: stack.indexed_ids() >= {relevant.article_id, other.article_id}, 60,
             f"both indexed\n{stack.logs()}")
    wait_for(lambda: len(stack.smtp.messages) >= 1, 60, f"the email alert\n{stack.logs()}")
    # Slack answers the first post 429: its retry must be in before the dry run is judged
    wait_for(lambda: len(stack.slack.posts) >= 1, 60, f"the Slack alert\n{stack.logs()}")
    posts_before = len(stack.slack.posts)

    runner = CliRunner()
    dry = runner.invoke(app, ["rules", "test", "cgt", "--since", "7d", "--json"])
    assert dry.exit_code == 0, dry.output
    previews = [json.loads(line) for line in dry.output.splitlines() if line.startswith("{")]
    assert [p["article_id"] for p in previews] == [relevant.article_id]
    assert previews[0]["slack"]["blocks"]
    assert {c["type"] for c in previews[0]["channels"].values()} == {"slack", "email", "file"}
    every = runner.invoke(app, ["rules", "test", "cgt", "--as", "all", "--json"])
    rendered = json.loads(every.output.splitlines()[0])["channels"]
    assert {c["type"] for c in rendered.values()} == {
        "slack", "email", "file", "console", "webhook", "wecom", "dingtalk", "feishu", "teams"}
    assert all(relevant.url in json.dumps(c["message"]) for c in rendered.values())
    assert len(stack.slack.posts) == posts_before  # a dry run sends nothing

    unknown = runner.invoke(app, ["rules", "test", "no-such-rule"])
    assert unknown.exit_code != 0 and "cgt" in unknown.output

    wait_for(lambda: _sent_rows(runner) >= 3, 30, "history rows for slack, email and file")
    table = runner.invoke(app, ["alerts", "history", "--rule", "cgt"])
    assert table.exit_code == 0 and "sent" in table.output


def _sent_rows(runner: CliRunner) -> int:
    result = runner.invoke(app, ["alerts", "history", "--status", "sent", "--json"])
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return sum(1 for row in rows if row.get("rule") == "cgt")
