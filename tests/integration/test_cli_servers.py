"""The command line against real local servers in awkward states: noida-db in its own
session (Ctrl-C in the terminal reaches ``cgtwatch up`` only), a second ``up`` on a data
directory in use says why, and commands on an Elasticsearch without indices say "no index
yet" (exit 3) instead of printing a raw 404 or an empty result."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cgtwatch.cli import util
from cgtwatch.cli.app import app
from cgtwatch.devstack.localstack import LocalStack, LocalStackError, free_port
from config.settings import Settings

runner = CliRunner()


def local_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Settings:
    monkeypatch.setenv("CGTWATCH_PATHS__DATA_DIR", str(data_dir))
    monkeypatch.setenv("CGTWATCH_LOCAL__KAFKA_PORT", str(free_port()))
    monkeypatch.setenv("CGTWATCH_LOCAL__ELASTIC_PORT", str(free_port()))
    return Settings()


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    stack = LocalStack(local_env(monkeypatch, tmp_path / "data"))
    stack.start()
    yield stack
    stack.stop()


def test_noida_db_runs_in_its_own_session(local: LocalStack) -> None:
    assert local.process is not None
    assert os.getsid(local.process.pid) != os.getsid(0)  # terminal Ctrl-C does not reach it


def test_a_second_stack_on_the_same_data_dir_says_why(local: LocalStack,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    second = LocalStack(local_env(monkeypatch, local.settings.paths.data_dir))
    with pytest.raises(LocalStackError) as raised:
        second.start(timeout_s=20)
    second.stop()
    message = str(raised.value)
    assert "already running" in message and "CGTWATCH_PATHS__DATA_DIR" in message
    assert "noida-db exited with" in message


@pytest.mark.parametrize("args", [["search", "x"], ["stories"], ["index", "status"],
                                  ["rules", "test", "cgt-main"], ["alerts", "history"]])
def test_no_index_yet_is_one_line_and_exit_3(local: LocalStack, args: list[str]) -> None:
    result = runner.invoke(app, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == util.EXIT_NO_DATA, result.output
    assert len(lines) == 1 and "NotFoundError" not in result.output, result.output
    assert "cgtwatch setup" in lines[0] or "cgtwatch up" in lines[0]


def test_stories_with_none_found_says_so(local: LocalStack) -> None:
    """Like `search` ("no matching articles"), not an empty table."""
    from cgtwatch.runtime.bootstrap import setup_indices

    setup_indices(local.settings)
    result = runner.invoke(app, ["stories", "--since", "1d"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no matching stories (since 1d)"


def test_sources_status_at_80_columns_keeps_ids_whole(local: LocalStack, tmp_path: Path) -> None:
    long_id = "guangzhou-huangpu-science-technology-innovation-bureau-notices"
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - id: {long_id}\n    name: 广州市黄埔区科学技术局 通知公告\n"
                    "    kind: government\n    list_urls: [http://127.0.0.1:9/x/]\n", "utf-8")
    result = runner.invoke(app, ["sources", "status", "--path", str(path)])
    assert result.exit_code == 0, result.output
    first_column = "".join(line.split("│")[1].strip() for line in result.output.splitlines()
                           if line.count("│") > 2)
    assert long_id in first_column and "…" not in result.output  # folded, never cropped
