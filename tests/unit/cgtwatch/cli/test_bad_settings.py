"""A bad ``CGTWATCH_*`` setting stops every command and service at once: one line naming the
variable and the fix, exit 2, no traceback, and never the value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cgtwatch.cli import app as cli
from tests.unit.cgtwatch.cli.test_app import command_paths

ARGS = {"crawl": ["some-source"], "classify": ["--input", "in.jsonl", "--output", "out.jsonl"],
        "eval": ["--input", "in.jsonl"], "search": ["CAR-T"], "rules test": ["a-rule"]}
BAD = {"CGTWATCH_SMTP__PASSWROD": "hunter2-value",
       "CGTWATCH_SLACK__WEBHOOKS": '{"ops": "not-a-url-secret"}'}


@pytest.mark.parametrize("path", [p for p in command_paths() if p != ["demo"]], ids=" ".join)
def test_every_command_stops_with_one_line(path: list[str], clean_env: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in BAD.items():
        clean_env.setenv(name, value)
    clean_env.setattr(sys, "argv", ["cgtwatch", *path, *ARGS.get(" ".join(path), [])])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    out, err = capsys.readouterr()
    assert stopped.value.code == 2
    (line,) = err.strip().splitlines()
    assert "CGTWATCH_SMTP__PASSWROD" in line and "did you mean CGTWATCH_SMTP__PASSWORD" in line
    assert "CGTWATCH_SLACK__WEBHOOKS (entry 'ops'): not a URL" in line
    assert "hunter2" not in out + err and "not-a-url-secret" not in out + err


@pytest.mark.parametrize("argv", [["-m", "cgtwatch", "indexer"], ["-m", "crawlers.jobs.run", "x"]])
def test_service_entry_points(argv: list[str], clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_KAFKA__PARTITIONS", "three-secret")
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: setting CGTWATCH_KAFKA__PARTITIONS: ")
    assert "valid integer" in line and "three-secret" not in done.stdout + done.stderr
