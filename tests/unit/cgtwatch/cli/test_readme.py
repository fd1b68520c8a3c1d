"""The README's first screen works as written on a fresh clone: every command line of its
"On a fresh machine" section runs (``make`` targets as a dry run, long-running commands such
as ``cgtwatch up`` with ``--help`` appended so that their options are checked)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
LONG_RUNNING = ("cgtwatch up", "cgtwatch demo")


def first_screen_commands() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def runnable(line: str) -> str:
    if line.startswith("make "):
        return f"make -n {line[5:]}"
    if line.startswith(LONG_RUNNING):
        return f"{line} --help"
    return line


def test_the_first_screen_names_install_activate_and_up() -> None:
    commands = first_screen_commands()
    assert commands[:2] == ["make install", ". .venv/bin/activate"]
    assert "cgtwatch up" in commands and "cgtwatch demo --keep" in commands


def test_every_first_screen_command_runs() -> None:
    if not (REPO / ".venv" / "bin" / "activate").is_file():
        pytest.skip("no .venv in this checkout (run `make install`)")
    script = "set -e\n" + "\n".join(runnable(line) for line in first_screen_commands())
    done = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True,
                          check=False, timeout=120, env={"PATH": "/usr/bin:/bin",
                                                         "HOME": str(REPO)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"^cgtwatch \d+\.\d+", done.stdout, re.M)
