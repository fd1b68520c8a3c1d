"""Crawl throughput: pages per second of a real crawl of a generated local site.

Input: a generated TRS-style column on loopback (``bench/sites``; N list pages of 20
articles each) and the embedded local stack (noida-db: Kafka and Elasticsearch) in a temporary
directory. Output: a table on stdout: for each crawler configuration, the pages fetched, the
articles published to ``articles.raw``, the crawl's seconds and pages/s, for a first crawl and
for a second (incremental) crawl, which the list page's 304 ends at once. Run with
``python bench/bench_crawl.py [list-pages] [--json]`` (default 15: 300 articles; ``--json``:
one JSON object as the last line).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sites.harness import (  # noqa: E402
    crawl_env,
    fixture_sources,
    run_crawl_child,
    write_sources,
)
from bench.sites.pages import generated_site  # noqa: E402
from bench.sites.server import FixtureServer  # noqa: E402
from bench.summary import print_summary, split_json_flag  # noqa: E402
from cgtwatch.devstack.localstack import LocalStack, free_port  # noqa: E402
from cgtwatch.runtime.bootstrap import setup_all  # noqa: E402
from config.settings import Settings  # noqa: E402

CONFIGS = {  # name → crawler settings (environment overrides)
    "polite default (delay 0.25 s, 2/domain)": {"CGTWATCH_CRAWLER__DOWNLOAD_DELAY": "0.25"},
    "delay 0.02 s, 2/domain": {"CGTWATCH_CRAWLER__DOWNLOAD_DELAY": "0.02"},
    "delay 0.01 s, 8/domain": {"CGTWATCH_CRAWLER__DOWNLOAD_DELAY": "0.01",
                               "CGTWATCH_CRAWLER__CONCURRENT_REQUESTS_PER_DOMAIN": "8"},
}


def main(list_pages: int, as_json: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    site = FixtureServer(pages=generated_site(list_pages)).start()
    base = {"CGTWATCH_PATHS__DATA_DIR": str(work / "data"), "CGTWATCH_LOG_LEVEL": "WARNING",
            "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
            "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
            "CGTWATCH_CRAWLER__MAX_ARTICLES_PER_CRAWL": "10000"}
    os.environ.update(base)
    settings = Settings()
    stack = LocalStack(settings)
    stack.start()
    setup_all(settings)
    sources = write_sources(work / "sources.yaml", fixture_sources(site.url))
    print(f"{list_pages} list pages, {list_pages * 20} articles on {site.url}\n")
    results = []
    print(f"{'configuration':42} {'run':6} {'pages':>6} {'published':>9} {'s':>7} {'pages/s':>8}")
    try:
        for i, (name, overrides) in enumerate(CONFIGS.items()):
            env = crawl_env(base, sources, **overrides, CGTWATCH_LOG_LEVEL="WARNING",
                            CGTWATCH_ELASTIC__INDEX_PREFIX=f"bench{i}")
            for run in ("first", "again"):
                code, stats, stderr = run_crawl_child(env, "gen", timeout=900)
                if stats is None:
                    raise SystemExit(f"crawl failed ({code}):\n{stderr[-2000:]}")
                seconds = (stats.finished_at - stats.started_at).total_seconds()
                print(f"{name:42} {run:6} {stats.pages_fetched:6d} "
                      f"{stats.articles_published:9d} {seconds:7.1f} "
                      f"{stats.pages_fetched / seconds:8.1f}", flush=True)
                results.append({"configuration": name, "run": run,
                                "pages": stats.pages_fetched,
                                "published": stats.articles_published,
                                "seconds": round(seconds, 1)})
    finally:
        stack.stop()
        site.stop()
    print_summary({"list_pages": list_pages, "runs": results}, as_json)


if __name__ == "__main__":
    ARGS, AS_JSON = split_json_flag(sys.argv[1:])
    main(int(ARGS[0]) if ARGS else 15, AS_JSON)
