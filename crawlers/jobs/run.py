"""Crawl one source once, in this process, with the same engine as the crawler workers.

Input: ``Settings`` (from ``CGTWATCH_*`` environment variables), a ``Source`` and a job id.
Output: the crawl's ``CrawlStats`` (with its cause in words), published to ``crawl.stats``
with the source's health updated (``crawlers.jobs.report``), and printed as the last stdout
line. ``cgtwatch crawl`` calls ``crawl_and_report``; ``python -m crawlers.jobs.run SOURCE_ID
[--job-id ID]`` does the same from a shell. Exit 0 when the crawl was ok, 3 when it ran but
the source had problems.
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid

from kafka import KafkaProducer

from config.clients import kafka_producer
from config.contracts.crawl import CrawlStats
from config.settings import BadSettingsError, Settings
from config.sources import Source, load_sources
from crawlers.jobs.report import CrawlReporter
from crawlers.jobs.runner import crawl_once
from crawlers.state.seen_es import open_seen_store

EXIT_CRAWL_FAILED = 3  # the crawl ran and published its stats, but the source had problems


def run_crawl(settings: Settings, source: Source, job_id: str) -> CrawlStats:
    """Crawl ``source`` once (blocking; Twisted's reactor can run once per process)."""
    seen = open_seen_store(settings)
    try:
        run, _ = crawl_once(settings, source, seen, job_id)
        return run.stats(settings.worker.instance_id)
    finally:
        seen.close()


def crawl_and_report(settings: Settings, source: Source, job_id: str = "") -> CrawlStats:
    """Crawl, then publish the stats and update the source's health, like a worker."""
    stats = run_crawl(settings, source, job_id or uuid.uuid4().hex)
    producer = KafkaProducer(**kafka_producer(settings, "cgtwatch-crawler-stats"))
    reporter = CrawlReporter(settings, producer)
    try:
        reporter(stats)
        producer.flush(timeout=30)
    finally:
        reporter.close()
        producer.close(timeout=30)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl one source once.")
    parser.add_argument("source_id")
    parser.add_argument("--job-id", default="")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except BadSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    source = load_sources(settings.paths.sources).get(args.source_id)
    stats = crawl_and_report(settings, source, args.job_id)
    print(stats.model_dump_json(), flush=True)
    return 0 if stats.ok else EXIT_CRAWL_FAILED


if __name__ == "__main__":
    sys.exit(main())
