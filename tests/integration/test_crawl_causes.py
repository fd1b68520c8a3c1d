"""Every crawl says why: a DNS failure, a timeout, a 403 and a robots.txt disallow are each
reported with their cause in ``crawl.stats``, the sources index and ``cgtwatch sources
status``; ``cgtwatch sources preview`` shows what a source lists without publishing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.sites.harness import REPO, crawl_env, fixture_sources, read_topic, source, write_sources
from bench.sites.server import FixtureServer
from config.contracts.crawl import CrawlStats, SourceHealth
from config.contracts.topics import Topics
from config.contracts.wire import decode
from crawlers.state.health_store import sources_index
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration
CAUSES = {"dns": "DNS failure", "slow": "timeout", "forbidden": "HTTP 403",
          "robots": "disallowed by robots.txt"}


@pytest.fixture
def env(stack: Env, tmp_path: Path) -> Iterator[dict[str, str]]:
    site = FixtureServer(slow_s=4.0).start()
    url = site.url
    failing = [
        source("dns", list_urls=["http://no-such-host.invalid/news/index.html"]),
        source("slow", list_urls=[f"{url}/nasty/202404/t20240419_9408.html"]),
        source("forbidden", list_urls=[f"{url}/forbidden/index.html"]),
        source("robots", list_urls=[f"{url}/private/202404/t20240419_9403.html"]),
    ]
    sources = write_sources(tmp_path / "sources.yaml", fixture_sources(url) + failing)
    yield crawl_env(stack.env, sources, CGTWATCH_CRAWLER__RETRY_TIMES="0")
    site.stop()


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cgtwatch", *args], env={
        **env, "COLUMNS": "250"}, cwd=REPO, capture_output=True, text=True, timeout=120,
        check=False)


def test_failures_are_reported_with_their_cause(stack: Env, env: dict[str, str]) -> None:
    for source_id, cause in CAUSES.items():
        done = cli(env, "crawl", source_id)
        assert done.returncode == 1, done.stdout + done.stderr[-2000:]
        assert cause in done.stdout, done.stdout
    stats = {s.source_id: s for s in (decode(CrawlStats, v) for _, v in
                                     read_topic(stack.settings, Topics.CRAWL_STATS))}
    assert {sid: (s.ok, s.cause) for sid, s in stats.items()} == {
        sid: (False, cause) for sid, cause in CAUSES.items()}
    for source_id, cause in CAUSES.items():
        doc = stack.es.get(index=sources_index(stack.settings), id=source_id)["_source"]
        health = SourceHealth.model_validate(doc)
        assert health.last_cause == cause and cause in (health.last_error or "")
    status = cli(env, "sources", "status")
    assert status.returncode == 0, status.stderr
    for cause in CAUSES.values():
        assert f"failed: {cause}" in status.stdout, status.stdout


def test_unchanged_polls_say_so(stack: Env, env: dict[str, str]) -> None:
    assert cli(env, "crawl", "en-cms").returncode == 0
    again = cli(env, "crawl", "en-cms")
    assert again.returncode == 0 and "ok: unchanged (304)" in again.stdout, again.stdout


def test_preview_shows_articles_and_publishes_nothing(stack: Env, env: dict[str, str]) -> None:
    done = cli(env, "sources", "preview", "en-cms")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "4 article(s) found on en-cms" in done.stdout and "labels:" in done.stdout
    assert "gene_therapy" in done.stdout or "cell_therapy" in done.stdout
    assert read_topic(stack.settings, Topics.RAW) == []
    assert read_topic(stack.settings, Topics.CRAWL_STATS) == []
    empty = cli(env, "sources", "preview", "empty")
    assert empty.returncode == 1 and "no article links found" in empty.stderr, empty.stderr
    forbidden = cli(env, "sources", "preview", "forbidden")
    assert forbidden.returncode == 1 and "HTTP 403" in forbidden.stderr
