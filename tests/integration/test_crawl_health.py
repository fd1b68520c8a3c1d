"""Source health after real crawls: empty columns and repeated failures turn a source
unhealthy in the ``<prefix>-sources`` index and raise an ``OpsEvent`` on ``ops.events``;
``cgtwatch sources status``, ``cgtwatch crawl`` and ``cgtwatch sources check --online``
work against the same local stack and fixture sites.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.sites.harness import (
    REPO,
    read_topic,
    run_crawl_child,
    site_crawl_env,
)
from bench.sites.server import FixtureServer
from config.contracts.crawl import SourceHealth
from config.contracts.ops import OpsEvent
from config.contracts.topics import Topics
from config.contracts.wire import decode
from crawlers.state.health_store import sources_index
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration


@pytest.fixture
def env(stack: Env, tmp_path: Path) -> Iterator[dict[str, str]]:
    site = FixtureServer().start()
    yield site_crawl_env(stack.env, tmp_path, site.url,
                         CGTWATCH_CRAWLER__UNHEALTHY_AFTER_FAILURES="2")
    site.stop()


def health(stack: Env, source_id: str) -> SourceHealth:
    doc = stack.es.get(index=sources_index(stack.settings), id=source_id)["_source"]
    return SourceHealth.model_validate(doc)


def events(stack: Env) -> list[OpsEvent]:
    return [decode(OpsEvent, v) for _, v in read_topic(stack.settings, Topics.OPS_EVENTS)]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cgtwatch", *args], env={
        **env, "COLUMNS": "200"}, cwd=REPO, capture_output=True, text=True, timeout=120,
        check=False)


def test_empty_column_and_repeated_failures_turn_sources_unhealthy(
        stack: Env, env: dict[str, str]) -> None:
    code, stats, _ = run_crawl_child(env, "empty")
    assert code == 0 and stats is not None and stats.links_found == 0
    empty = health(stack, "empty")
    assert empty.health == "unhealthy" and "no article links" in empty.reason

    code, _, _ = run_crawl_child(env, "down")  # list page 404: the crawl fails
    assert code == 3
    assert health(stack, "down").consecutive_failures == 1
    assert health(stack, "down").health == "unknown"  # one failure is not enough
    run_crawl_child(env, "down")
    down = health(stack, "down")
    assert (down.health, down.consecutive_failures) == ("unhealthy", 2)

    code, _, _ = run_crawl_child(env, "en-cms")
    assert code == 0
    good = health(stack, "en-cms")
    assert good.health == "healthy" and good.last_new_items == 4 and good.last_success

    got = [(e.kind, e.subject) for e in events(stack)]
    assert got == [("source_unhealthy", "empty"), ("source_unhealthy", "down")]
    stats = [v for _, v in read_topic(stack.settings, Topics.CRAWL_STATS)]
    assert len(stats) == 4

    status = cli(env, "sources", "status")
    assert status.returncode == 0, status.stderr
    for needle in ("empty", "unhealthy", "en-cms", "healthy", "never crawled", "4/4"):
        assert needle in status.stdout, status.stdout


def test_crawl_command_and_online_check(stack: Env, env: dict[str, str]) -> None:
    done = cli(env, "crawl", "trs")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "articles_published" in done.stdout and "7" in done.stdout
    assert health(stack, "trs").new_items_total == 7

    unknown = cli(env, "crawl", "nope")
    assert unknown.returncode == 2 and "no source with id 'nope'" in unknown.stderr

    check = cli(env, "sources", "check", "--online", "--source", "hanweb")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "via Hanweb data proxy" in check.stdout and "1 of 1" in check.stdout
    failing = cli(env, "sources", "check", "--online", "--source", "empty")
    assert failing.returncode == 1 and "no article links" in failing.stdout
