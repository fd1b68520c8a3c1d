"""Credentials never appear in what commands print: ``doctor`` and the ``up`` banner show
the Elasticsearch URL without user and password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cgtwatch.cli.app import up_banner
from cgtwatch.devstack.localstack import free_port
from config.settings import Settings

PASSWORD = "S3cret-Pa55"


def test_up_banner_hides_credentials(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_ELASTIC__URL", f"https://elastic:{PASSWORD}@es.internal:9200")
    text = up_banner(Settings(), Path("/data/logs"))
    assert PASSWORD not in text and "elastic@" not in text
    assert "Elasticsearch https://es.internal:9200," in text


def test_doctor_hides_credentials(clean_env: pytest.MonkeyPatch) -> None:
    closed = free_port()
    clean_env.setenv("CGTWATCH_ELASTIC__URL", f"http://elastic:{PASSWORD}@127.0.0.1:{closed}")
    clean_env.setenv("CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    clean_env.setenv("CGTWATCH_SLACK__WEBHOOKS", '{"team": "https://hooks.slack.com/services/'
                     'T0/B0/HOOKSECRET"}')
    clean_env.setenv("COLUMNS", "200")
    # a child process: kafka-python's admin client leaks its sockets when it cannot bootstrap
    done = subprocess.run([sys.executable, "-m", "cgtwatch", "doctor"], capture_output=True,
                          text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"http://127.0.0.1:{closed}" in output
    assert PASSWORD not in output and "HOOKSECRET" not in output
