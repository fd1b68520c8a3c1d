"""The ``cgtwatch`` command line: help for every command, and operator-file checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cgtwatch.cli.app import app

runner = CliRunner()

VALID = """\
sources:
  - id: gd-sci
    name: 广东省科学技术厅 通知公告
    kind: government
    list_urls: [https://gdstc.gd.gov.cn/tzgg/]
  - id: fda
    name: FDA press announcements
    kind: regulator
    language: en
    feeds: [https://www.fda.gov/rss.xml]
"""


def command_paths() -> list[list[str]]:
    """Every command and subcommand, as argument lists."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = []
    for name, command in getattr(root, "commands", {}).items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


def flat(output: str) -> str:
    """Output without whitespace, so line-wrapping of long paths does not matter."""
    return "".join(output.split())


def test_top_level_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("up", "demo", "setup", "scheduler", "crawler", "streams", "indexer",
                 "alerter", "sources"):
        assert name in result.output


def test_every_command_is_known() -> None:
    names = {" ".join(p) for p in command_paths()}
    assert {"up", "demo", "setup", "scheduler", "crawler", "streams", "indexer", "alerter",
            "sources", "sources check"} <= names


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_help_works_for_every_command(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage:" in result.output


def test_sources_check_accepts_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(VALID, encoding="utf-8")
    result = runner.invoke(app, ["sources", "check", "--path", str(path)])
    assert result.exit_code == 0, result.output
    assert flat("2 sources valid (government 1, regulator 1)") in flat(result.output)


def test_sources_check_on_a_broken_file_exits_2_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(VALID.replace("kind: regulator", "kind: agency"), encoding="utf-8")
    result = runner.invoke(app, ["sources", "check", "--path", str(path)])
    assert result.exit_code == 2
    assert flat(f"{path}:8: sources[1].kind:") in flat(result.output)
    assert "error:" in result.output


def test_sources_check_on_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    result = runner.invoke(app, ["sources", "check", "--path", str(path)])
    assert result.exit_code == 2
    assert "cannot read file" in result.output
