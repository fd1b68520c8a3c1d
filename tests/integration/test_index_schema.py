"""Index schema on the local search server: idempotent setup, the recorded analyzer, a schema
migration while writes go on, and crawl stats indexed by the indexer's second agent."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch.helpers import bulk
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from config.contracts.crawl import CrawlStats
from config.contracts.ops import DeadLetter
from config.contracts.topics import Topics
from config.contracts.wire import decode, utcnow
from indexer.documents import articles_alias, crawl_health_index
from indexer.migrate import migrate_articles
from indexer.schema import articles_status
from tests.integration.conftest import Env, wait_for

pytestmark = pytest.mark.integration
ALIAS = articles_alias("cgtwatch")


def doc(n: int, revision: int = 1) -> dict[str, Any]:
    return {"_op_type": "index", "_index": ALIAS, "_id": f"doc-{n}", "version": revision,
            "version_type": "external_gte",
            "_source": {"article_id": f"doc-{n}", "title": f"细胞治疗新闻 {n}",
                        "text": "CAR-T 细胞治疗", "revision": revision, "labels": ["cell_therapy"],
                        "fetched_at": utcnow().isoformat(), "story_id": f"doc-{n}"}}


def test_index_setup_is_idempotent_and_records_the_analyzer(stack: Env) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["index", "setup"])
        assert result.exit_code == 0, result.output
    status = articles_status(stack.es, "cgtwatch")
    assert status.write_index == "cgtwatch-articles-v2" and status.indices == [status.write_index]
    assert status.analyzer == status.template_analyzer == "cjk"  # no smartcn/icu on noida
    mapping = stack.es.indices.get_mapping(index=status.write_index)[status.write_index]
    assert mapping["mappings"]["properties"]["title"]["analyzer"] == "cjk"
    settings = stack.es.indices.get_settings(index=status.write_index)[status.write_index]
    assert "lifecycle" not in settings["settings"]["index"]  # the server has no _ilm
    assert stack.es.indices.exists(index=crawl_health_index("cgtwatch"))
    out = runner.invoke(app, ["index", "status", "--json"])
    assert json.loads(out.stdout)["analyzer"] == "cjk"


def test_migrate_switches_the_alias_while_writes_continue(stack: Env) -> None:
    es = stack.es
    bulk(es, [doc(n) for n in range(300)] + [doc(0, revision=3)], refresh=True)
    written: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        n = 1000
        while not stop.is_set():
            bulk(es, [doc(n)])  # to the alias, as the indexer does
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        done = migrate_articles(es, "cgtwatch", settle_s=0.5)
    finally:
        stop.set()
        thread.join()
    bulk(es, [doc(5, revision=2)], refresh=True)  # after the switch: lands in v3
    assert done.target == "cgtwatch-articles-v3" and done.old_indices == "closed"
    aliases = es.indices.get_alias(name=ALIAS)
    assert list(aliases) == ["cgtwatch-articles-v3"]
    assert aliases["cgtwatch-articles-v3"]["aliases"][ALIAS]["is_write_index"] is True
    es.indices.refresh(index=ALIAS)
    ids = {h["_id"] for h in es.search(index=ALIAS, size=10_000, source=False)["hits"]["hits"]}
    assert written, "the writer wrote during the migration"
    assert {f"doc-{n}" for n in [*range(300), *written]} <= ids
    assert es.get(index=ALIAS, id="doc-0")["_source"]["revision"] == 3
    assert es.get(index=ALIAS, id="doc-5")["_version"] == 2
    assert es.indices.get(index="cgtwatch-articles-v2", expand_wildcards="all")
    result = CliRunner().invoke(app, ["index", "migrate", "--json", "--delete-old"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "cgtwatch-articles-v4"
    assert not es.indices.exists(index="cgtwatch-articles-v3")
    assert es.count(index=ALIAS)["count"] == len(ids)


def test_crawl_stats_are_indexed_into_crawl_health(stack: Env) -> None:
    stack.start("indexer")
    now = utcnow()
    stats = [CrawlStats(job_id=f"job-{n}", source_id="gov-cn-policy", worker="w1",
                        started_at=now - timedelta(seconds=12), finished_at=now, ok=n != 2,
                        error=None if n != 2 else "timeout", pages_fetched=5 + n,
                        http_status={"200": 5, "404": n}) for n in range(3)]
    stack.publish([s.encode() for s in stats], topic=Topics.CRAWL_STATS)
    stack.publish([b"not a crawl stat"], topic=Topics.CRAWL_STATS)
    index = crawl_health_index("cgtwatch")

    def count() -> int:
        stack.es.indices.refresh(index=index)
        return int(stack.es.count(index=index)["count"])

    wait_for(lambda: count() == 3, 60, f"3 crawl-health docs\n{stack.logs()}")
    failed = stack.es.get(index=index, id="job-2")["_source"]
    assert failed["status"] == "failed" and failed["error"] == "timeout"
    assert failed["duration_s"] == pytest.approx(12.0)
    assert failed["source_kind"] == "government"  # from config/sources.yaml
    assert failed["http_status"] == {"200": 5, "404": 2}
    from cgtwatch.demo.check import read_topic

    letters = [decode(DeadLetter, v) for _, v in read_topic(stack.settings, Topics.DEADLETTER)]
    assert [(x.stage, x.topic) for x in letters] == [("indexer", Topics.CRAWL_STATS)]
