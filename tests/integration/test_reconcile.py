"""Nothing lost on the embedded default: noida-db killed with SIGKILL right after a crawl loses
the writes of its last second or so (articles gone from the topics and the index, some seen
records too). The next start finds the marker a clean stop removes, and ``cgtwatch reconcile
--all-sources`` (what ``cgtwatch up`` runs then) brings every article of the site back into
the index; a second reconcile finds nothing to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bench.sites.harness import REPO, site_crawl_env
from bench.sites.pages import all_sites, generated_site
from bench.sites.server import FixtureServer
from config.contracts.ids import article_id
from config.settings import Settings
from crawlers.state.seen_es import open_seen_store
from indexer.documents import articles_alias
from tests.integration.conftest import Env, wait_for

T = TypeVar("T")

pytestmark = pytest.mark.integration

LIST_PAGES = 6  # 20 articles each


def reconcile(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "cgtwatch", "reconcile", "--all-sources",
                           "--json"], env=env, capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def published(settings: Settings) -> set[str]:
    seen = open_seen_store(settings)
    try:
        return {r.article_id for r in seen.articles()}
    finally:
        seen.close()


def wait_quiet(stack: Env, read: Callable[[], T], ready: Callable[[T], bool], quiet_s: float,
               timeout_s: float, what: str) -> None:
    """Until what ``read`` returns has not changed for ``quiet_s`` and ``ready`` holds for it."""
    last: object = object()
    since = time.monotonic()
    deadline = since + timeout_s
    while time.monotonic() < deadline:
        value = read()
        if value != last:
            last, since = value, time.monotonic()
        elif ready(value) and time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}\n{stack.logs()}")


def wait_drained(stack: Env, settings: Settings, timeout_s: float, quiet_s: float = 5.0
                 ) -> None:
    """Until every article the seen-store recorded as published is indexed, and nothing new
    was published for ``quiet_s``."""
    wait_quiet(stack, lambda: published(settings), lambda known: known <= stack.indexed_ids(),
               quiet_s, timeout_s, "published articles not all indexed")


def settle(stack: Env, quiet_s: float = 12.0) -> None:
    """Wait until the index stops growing: what is missing then stays missing."""
    wait_quiet(stack, lambda: len(stack.indexed_ids()), lambda count: count > 0, quiet_s, 120,
               "the index did not settle")


def test_sigkill_then_reconcile_indexes_every_article(stack: Env, tmp_path: Path) -> None:
    assert stack.local is not None
    site = FixtureServer(pages={**all_sites(), **generated_site(LIST_PAGES)}).start()
    try:
        env = site_crawl_env(stack.env, tmp_path, site.url,
                             CGTWATCH_CRAWLER__MAX_LIST_PAGES=str(LIST_PAGES + 2),
                             CGTWATCH_CRAWLER__SEEN_STORE="sqlite",
                             CGTWATCH_CRAWLER__RECHECK_AGES_S="[]")  # no re-checks
        expected = {article_id(f"{site.url}{path}") for path in site.pages
                    if path.startswith("/gen/2024")}
        running = stack.start("streams", "indexer", **env)
        sqlite = stack.settings.model_copy(update={
            "crawler": stack.settings.crawler.model_copy(update={"seen_store": "sqlite"})})
        # what a loss leaves behind, for sure (the kill below loses a varying amount): the
        # seen-store says three articles were published that no topic and no index holds
        gone = sorted(p for p in site.pages if p.startswith("/gen/2024"))[:3]
        store = open_seen_store(sqlite)
        for path in gone:
            store.record(article_id(site.url + path), site.url + path, "lost", 1)
        store.close()
        crawl = subprocess.Popen([sys.executable, "-m", "crawlers.jobs.run", "gen"], env=env,
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # kill the server in the middle of the crawl: the last second of acknowledged writes
        # is lost, but the seen-store (SQLite in the data dir) keeps what was acknowledged
        wait_for(lambda: len(published(sqlite)) >= len(expected) // 2, 120, "half published")
        stack.local.process.kill()  # type: ignore[union-attr]
        stack.local.process.wait()  # type: ignore[union-attr]
        running.stop_all(grace_s=5)  # then, as `cgtwatch up` after a crash: the server first,
        stack.local.start()  # then the services
        assert stack.local.unclean  # the marker of the killed server was left behind
        crawl.communicate(timeout=240)
        stack.start("streams", "indexer", logs="logs-2", **env)
        settle(stack)
        alias = articles_alias(stack.settings.elastic.index_prefix)
        dropped = sorted(stack.indexed_ids() - {article_id(site.url + p) for p in gone})[:4]
        for doc_id in dropped:  # and four classified articles the index lost
            stack.es.delete(index=alias, id=doc_id, refresh=True)
        stack.start("crawler", logs="crawler-logs", **env)
        lost, known = expected - stack.indexed_ids(), published(sqlite)
        print(f"before reconcile: {len(lost)} of {len(expected)} articles missing from the "
              f"index, {len(lost & known)} of them recorded as published in the seen-store")
        first = reconcile(env)
        print(f"reconcile: {first}")
        assert int(str(first["refetched"])) >= len(gone) and "gen" in str(first["crawl_jobs"])
        wait_for(lambda: stack.indexed_ids() >= expected, 180,
                 f"every article indexed after reconcile\n{stack.logs()}")
        # reconcile queued a crawl of every source: let what those crawls publish reach
        # the index too, or the second run counts it as in flight ("missing")
        wait_drained(stack, sqlite, 180)
        again = reconcile({**env})
        assert again["missing"] == 0 and again["republished"] == again["refetched"] == 0
    finally:
        site.stop()


def test_a_clean_stop_leaves_no_marker(stack: Env) -> None:
    assert stack.local is not None
    stack.local.stop()
    assert not stack.local.marker.exists()
    stack.local.start()
    assert not stack.local.unclean and stack.local.marker.exists()
