"""The two commands a newcomer runs: ``cgtwatch demo --json`` and ``cgtwatch up`` (make run).

Both run as real processes, exactly as from a shell; ``up`` is stopped with SIGINT (Ctrl-C)
and must leave no server behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from cgtwatch.demo.receivers import StaticSite
from cgtwatch.demo.run import DEMO_SITE
from cgtwatch.devstack.localstack import free_port, port_open
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_demo_json(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cgtwatch", "demo", "--json"],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary) >= {"pages_fetched", "articles_published", "articles_classified",
                            "articles_indexed", "alerts_sent", "by_label"}
    assert summary["articles_indexed"] == summary["articles_published"] > 0
    assert summary["alerts_sent"] > 0
    assert summary["by_label"].get("cell_therapy", 0) > 0


def test_up_runs_the_pipeline_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    site = StaticSite(DEMO_SITE).start()
    manifest = yaml.safe_load((DEMO_SITE / "manifest.yaml").read_text("utf-8"))
    source = manifest["sources"][2]
    sources = {"sources": [{"id": source["id"], "name": source["name"], "kind": source["kind"],
                            "language": source["language"],
                            "list_urls": [f"{site.url}/{source['list']}"]}]}
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), "utf-8")
    kafka_port, es_port = free_port(), free_port()
    env = {**os.environ, "CGTWATCH_PATHS__DATA_DIR": str(tmp_path / "data"),
           "CGTWATCH_PATHS__SOURCES": str(tmp_path / "sources.yaml"),
           "CGTWATCH_LOCAL__KAFKA_PORT": str(kafka_port),
           "CGTWATCH_LOCAL__ELASTIC_PORT": str(es_port),
           "CGTWATCH_CRAWLER__FIRST_RUN_SPREAD_S": "0",
           "CGTWATCH_CRAWLER__AUTOTHROTTLE": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "cgtwatch", "up", "--refresh", "0.5"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        def indexed() -> int:
            try:
                url = f"http://127.0.0.1:{es_port}/cgtwatch-articles/_count"
                return int(httpx.get(url, timeout=2).json().get("count", 0))
            except (httpx.HTTPError, ValueError):
                return 0

        wait_for(lambda: indexed() >= 4, 90, "the university list crawled and indexed")
        assert proc.poll() is None, "cgtwatch up exited while it should keep running"
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        site.stop()
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, text[-3000:]
    assert "stopped in" in text
    assert not port_open("127.0.0.1", kafka_port) and not port_open("127.0.0.1", es_port)
