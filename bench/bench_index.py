"""Index and search figures on the local search server (noida-db): bulk docs/s through the
indexer's async bulk path, and search latency (p50/p95) of ``cgtwatch search`` queries.

Input: nothing (starts its own noida-db on free ports in a temporary directory). Output: a
table on stdout, and with ``--json`` one JSON object as the last line. Run with
``python bench/bench_index.py [documents] [searches] [--json]`` (defaults 1000 and 20).
noida-db scans every document per full-text query, so search latency grows with the index
size; it says nothing about real Elasticsearch's search speed (see standins.md).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elasticsearch import AsyncElasticsearch, Elasticsearch  # noqa: E402

from bench.summary import print_summary, split_json_flag  # noqa: E402
from cgtwatch.devstack.localstack import LocalStack, free_port  # noqa: E402
from config.clients import elastic  # noqa: E402
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult  # noqa: E402
from config.contracts.ids import article_id  # noqa: E402
from config.settings import Settings  # noqa: E402
from indexer.actions import bulk_action  # noqa: E402
from indexer.agent import bulk_until_done  # noqa: E402
from indexer.documents import articles_alias  # noqa: E402
from indexer.queries import Filters, search_body  # noqa: E402
from indexer.schema import setup_articles  # noqa: E402

TEXT = ("大连自贸片区管委会与大连医科大学签署协议，共建基因细胞治疗先行示范区。双方将围绕CAR-T细胞"
        "治疗、干细胞临床研究和细胞治疗产品产业化开展合作，建设细胞制备中心。") * 8
QUERIES = [("细胞治疗", Filters()), ("CAR-T", Filters(labels=("cell_therapy",))),
           ("gene therapy", Filters(languages=("en",))), ("示范区", Filters(since="30d"))]


def article(n: int) -> ClassifiedArticle:
    url = f"https://bench.example.gov.cn/news/{n}.html"
    label = ("cell_therapy", "gene_therapy")[n % 2]
    return ClassifiedArticle(
        article_id=article_id(url), url=url, source_id=f"src-{n % 20}", source_kind="ftz",
        title=f"细胞治疗示范区建设第{n}期 gene therapy news {n}", text=TEXT,
        language=("zh", "en")[n % 3 == 0], published="2026-11-18",
        classification=Classification(labels=[label], results={
            label: LabelResult(score=0.9, salience="primary")}))


async def bulk_rate(settings: Settings, docs: int, batch: int = 500) -> float:
    es = AsyncElasticsearch(**elastic(settings))
    alias = articles_alias(settings.elastic.index_prefix)
    actions = [bulk_action(article(n), alias) for n in range(docs)]
    started = time.perf_counter()
    for i in range(0, docs, batch):
        failed = await bulk_until_done(es, actions[i:i + batch])
        assert not failed, failed[:1]
    elapsed = time.perf_counter() - started
    await es.close()
    return docs / elapsed


def search_latency(settings: Settings, searches: int) -> list[float]:
    es = Elasticsearch(**elastic(settings))
    alias = articles_alias(settings.elastic.index_prefix)
    es.indices.refresh(index=alias)
    times = []
    for n in range(searches):
        query, filters = QUERIES[n % len(QUERIES)]
        started = time.perf_counter()
        es.search(index=alias, **search_body(query, filters, 20))
        times.append((time.perf_counter() - started) * 1000)
    es.close()
    return times


def main(docs: int, searches: int, as_json: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({"CGTWATCH_PATHS__DATA_DIR": tmp,
                           "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
                           "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port())})
        os.environ.pop("CGTWATCH_ELASTIC__URL", None)
        settings = Settings()
        local = LocalStack(settings)
        local.start()
        try:
            with Elasticsearch(**elastic(settings)) as es:
                setup_articles(es, settings)
            rate = asyncio.run(bulk_rate(settings, docs))
            times = sorted(search_latency(settings, searches))
        finally:
            local.stop()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{'documents':>24}: {docs} (~{len(TEXT) + 40} chars each)")
    print(f"{'bulk (indexer path)':>24}: {rate:,.0f} docs/s")
    print(f"{'search p50':>24}: {statistics.median(times):.0f} ms ({searches} queries, "
          f"multi_match + filters + highlight)")
    print(f"{'search p95':>24}: {p95:.0f} ms")
    print_summary({"documents": docs, "bulk_docs_per_s": round(rate),
                   "search_p50_ms": round(statistics.median(times)),
                   "search_p95_ms": round(p95)}, as_json)


if __name__ == "__main__":
    ARGS, AS_JSON = split_json_flag(sys.argv[1:])
    main(int(ARGS[0]) if ARGS else 1000, int(ARGS[1]) if len(ARGS) > 1 else 20, AS_JSON)
