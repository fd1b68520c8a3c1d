"""Help that reads well and answers fast: values named in words, sentences whole, every option
explained, ``--version``, and no client library loaded to print it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from cgtwatch.cli.helptext import sentences

runner = CliRunner()
HEAVY = ("elasticsearch", "aiohttp", "kafka", "faust", "scrapy", "pydantic", "streams.classify")


def command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in getattr(root, "commands", {}).items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "cgtwatch")
def test_help_names_values_in_words_not_python_types(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(str|bool|int|float|list\[str\]|Path|int range)>", result.output)


@pytest.mark.parametrize("path", [p for p in command_paths() if p],
                         ids=lambda p: " ".join(p))
def test_every_option_has_help(path: list[str]) -> None:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    for param in command.params:
        if param.param_type_name == "option":
            assert getattr(param, "help", None), f"{' '.join(path)} {param.opts} has no help"


def test_search_names_the_values_of_its_filters() -> None:
    flat = "".join(runner.invoke(app, ["search", "--help"]).output.replace("│", "").split())
    for words in ("--labelLABEL", "cell_therapy,gene_therapy;", "--sourceSOURCE_ID",
                  "--langLANG", "zhoren"):
        assert words in flat


def test_docstrings_wrapped_in_the_source_become_whole_sentences() -> None:
    assert sentences("Measure P/R/F1 per label and\n    language, salience.\n\nMore\n  here.") \
        == "Measure P/R/F1 per label and language, salience.\n\nMore here."
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        assert "\n" not in (command.help or "").split("\n\n")[0], name


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"cgtwatch \d+\.\d+\.\d+\S*\n", result.output)


def test_help_loads_no_client_library() -> None:
    """``cgtwatch --help`` must stay fast: commands import heavy libraries when they run."""
    code = ("import sys, json\nsys.argv = ['cgtwatch', '--help']\n"
            "from cgtwatch.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]
    assert heavy == []
