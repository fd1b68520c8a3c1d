"""Expected failures are one line and a documented exit code, never a traceback; typos in
filter values are errors naming the known values, never a silent empty result."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cgtwatch.cli import util
from cgtwatch.cli.app import app
from cgtwatch.devstack.localstack import free_port

runner = CliRunner()


@pytest.fixture
def nothing_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kafka and Elasticsearch addresses where nothing listens."""
    monkeypatch.setenv("CGTWATCH_ELASTIC__URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and lines[0].startswith("error: "), output
    return lines[0]


@pytest.mark.usefixtures("nothing_running")
@pytest.mark.parametrize("args", [["search", "x"], ["stories"], ["index", "status"],
                                  ["rules", "test", "cgt-main"], ["alerts", "history"],
                                  ["rules", "silence", "cgt-main", "--for", "2h"],
                                  ["reconcile"]])
def test_elasticsearch_down_is_one_line_and_exit_69(args: list[str]) -> None:
    result = runner.invoke(app, args)
    line = one_line_error(result.output)
    assert result.exit_code == util.EXIT_UNAVAILABLE, result.output
    assert "Elasticsearch" in line and "cgtwatch up" in line


@pytest.mark.usefixtures("nothing_running")
def test_deadletter_list_with_kafka_down_fails_at_once() -> None:
    started = time.monotonic()
    result = runner.invoke(app, ["deadletter", "list"])
    line = one_line_error(result.output)
    assert result.exit_code == util.EXIT_UNAVAILABLE
    assert "Kafka" in line and time.monotonic() - started < 10  # not the client's 30 s wait


@pytest.mark.parametrize(("args", "named"), [
    (["search", "x", "--label", "celltherapy"], "cell_therapy"),
    (["stories", "--label", "Cell_Therapy"], "cell_therapy"),
    (["search", "x", "--source", "nosuch"], "--source 'nosuch'"),
    (["search", "x", "--lang", "fr"], "zh"),
    (["deadletter", "list", "--stage", "bogus"], "streams"),
    (["deadletter", "replay", "--stage", "bogus"], "alerter"),
    (["sources", "check", "--online", "--source", "nope"], "--source 'nope'"),
])
def test_unknown_filter_values_are_errors_naming_the_known_ones(args: list[str],
                                                                named: str) -> None:
    result = runner.invoke(app, args)
    line = one_line_error(result.output)
    assert result.exit_code == util.EXIT_USAGE
    assert "is not known" in line and named in line


def test_a_near_miss_label_gets_a_suggestion() -> None:
    result = runner.invoke(app, ["search", "x", "--label", "celltherapy"])
    assert "did you mean cell_therapy?" in result.output


def test_since_help_says_m_is_minutes_and_capital_m_months() -> None:
    for command in (["search"], ["stories"]):
        output = runner.invoke(app, [*command, "--help"]).output
        flat = "".join(output.replace("│", "").split())
        assert "30m(minutes)" in flat and "3M(months)" in flat


def test_explain_maps_client_failures_to_exit_codes() -> None:
    from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
    from elasticsearch import NotFoundError

    meta = ApiResponseMeta(404, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "h", 9200))
    missing = NotFoundError("index_not_found_exception", meta,
                            {"error": {"index": "cgtwatch-articles"}})
    assert util.explain(missing) == (
        "Elasticsearch has no such index yet (cgtwatch-articles): run `cgtwatch setup` (or "
        "`cgtwatch up`) and let a crawl finish", util.EXIT_NO_DATA)
    assert util.explain(ConnectionError("refused"))[1] == util.EXIT_UNAVAILABLE  # type: ignore[index]
    assert util.explain(ValueError("a bug")) is None  # bugs keep their traceback


def test_main_turns_an_expected_failure_into_one_line(tmp_path: Path) -> None:
    """Through the console entry point: a client error escaping a command is one line."""
    code = ("import sys; sys.argv = ['cgtwatch']\n"
            "import typer\nfrom cgtwatch.cli.util import run\n"
            "app = typer.Typer()\n"
            "@app.command()\ndef x() -> None:\n"
            "    from elastic_transport import ConnectionError\n"
            "    raise ConnectionError('refused')\n"
            "run(app)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == util.EXIT_UNAVAILABLE, done.stderr
    one_line_error(done.stderr)
