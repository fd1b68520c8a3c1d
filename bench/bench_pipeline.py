"""Pipeline throughput on the embedded stack: raw articles in a burst → classified → indexed.

Input: nothing; it starts noida-db and the streams, indexer and alerter services (real child
processes under the supervisor, as ``cgtwatch up`` runs them; the alerter with the default
rules and their file and console channels) in a temporary data directory. After one warm-up
article has gone through, N real-text articles (``bench.pipeline_articles``: Chinese and
English, some about cell or gene therapy, most not) are produced to ``articles.raw`` in one
burst, ``fetched_at`` = the burst's start, and the articles index's document count is polled
until all N are there. Output: a table (articles, seconds, articles/s, p50/p95 fetch →
indexed, when the alerter had committed the whole burst, CPU per article of each service and of
noida-db until the last article is indexed and until the alerter is done, load average before
and after) and, with ``--json``, one last line
``{"articles", "seconds", "articles_per_s", "p95_fetch_to_index_s", "alerter_done_s"}``.
Exit 1 when not all arrived within the timeout. Batch sizes come from the usual settings
(``CGTWATCH_WORKER__BATCH_SIZE`` etc.), taken from the environment.

Run: ``python bench/bench_pipeline.py [N] [--json]`` (N defaults to 2000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.pipeline_articles import ArticleMaker  # noqa: E402
from cgtwatch.devstack.localstack import free_port  # noqa: E402
from cgtwatch.devstack.stack import Stack  # noqa: E402
from config.clients import kafka_common, kafka_producer  # noqa: E402
from config.contracts.articles import RawArticle  # noqa: E402
from config.contracts.topics import Topics  # noqa: E402
from config.settings import Settings  # noqa: E402
from indexer.documents import articles_alias  # noqa: E402

SERVICES = ["streams", "indexer", "alerter"]
ALERTER_GROUP = "cgtwatch-alerter"  # the alerter's Faust app id
POLL_S = 0.25  # _cat/count costs noida-db next to nothing; a 1 s poll overstated by up to 1 s


def environment(work: Path) -> dict[str, str]:
    return {"CGTWATCH_PATHS__DATA_DIR": str(work / "data"),
            "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
            "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
            "CGTWATCH_WORKER__INSTANCE_ID": "bench", "CGTWATCH_LOG_LEVEL": "WARNING"}


def produce(producer: KafkaProducer, articles: list[RawArticle]) -> None:
    for item in articles:
        producer.send(Topics.RAW, key=item.article_id.encode(), value=item.encode())
    producer.flush()


def produce_burst(settings: Settings, articles: list[RawArticle]) -> None:
    """All of ``articles`` at once with aiokafka (acks=all, gzip and batch size like the
    crawler's producer): kafka-python's producer alone took 10 s for 5,000 articles on a busy
    2-core machine, which would have measured the publisher rather than the pipeline."""
    from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped]

    async def send_all() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap.split(","),
                                    acks="all", compression_type="gzip", linger_ms=20,
                                    max_request_size=8 * 1024 * 1024)
        await producer.start()
        try:
            sent = [await producer.send(Topics.RAW, key=a.article_id.encode(), value=a.encode())
                    for a in articles]
            await asyncio.gather(*sent)
        finally:
            await producer.stop()

    asyncio.run(send_all())


def count(stack: Stack, index: str) -> int:
    """Documents in ``index``, by ``_cat/count``: the count API scans every document on
    noida-db (~70 ms of its CPU at 5,000 articles, each poll), ``_cat/count`` does not."""
    try:
        rows: Any = stack.es.cat.count(index=index, format="json").body
        return int(rows[0]["count"])
    except Exception:  # the index is refreshing or busy: poll again
        return -1


def wait_indexed(stack: Stack, index: str, base: int, n: int, timeout_s: float
                 ) -> list[float]:
    """Wall-clock time at which the index first held 1, 2, ... ``n`` more documents than
    ``base`` (polled). Every article of the burst has the same ``fetched_at``, so these are
    the times each article was indexed, in order: a document count is all it takes (cheaper
    for the server than looking the ids up, which would compete with the pipeline)."""
    times: list[float] = []
    deadline = time.monotonic() + timeout_s
    while len(times) < n and time.monotonic() < deadline:
        got = count(stack, index) - base
        now = time.time()
        times += [now] * max(0, min(got, n) - len(times))
        if len(times) < n:
            time.sleep(POLL_S)
    return times


def warm_up(stack: Stack, producer: KafkaProducer, index: str, maker: ArticleMaker) -> None:
    """One article through the pipeline: every service has joined its group."""
    base = count(stack, index)
    produce(producer, [maker.make(-1)])
    if not wait_indexed(stack, index, base, 1, 180):
        raise SystemExit("warm-up article never indexed: see the service logs")


def wait_alerted(settings: Settings, timeout_s: float) -> float:
    """Wall-clock time at which the alerter's group had committed every classified article
    (polled; nan after ``timeout_s``): the alerter has handled the burst."""
    tps = [TopicPartition(Topics.CLASSIFIED, p) for p in range(settings.kafka.partitions)]
    admin = KafkaAdminClient(**kafka_common(settings, "bench-lag"))
    consumer = KafkaConsumer(**kafka_common(settings, "bench-lag"))
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            ends = consumer.end_offsets(tps)
            found: Any = admin.list_group_offsets({ALERTER_GROUP: tps})
            done = found.get(ALERTER_GROUP, found)
            if all(tp in done and done[tp].offset >= ends[tp] for tp in tps):
                return time.time()
            time.sleep(POLL_S / 2)
        return float("nan")
    finally:
        admin.close()
        consumer.close()


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) used so far by each service and by noida-db."""
    pids = {name: child.process.pid for name, child in stack.supervisor.children.items()
            if child.process is not None}
    if stack.local is not None and stack.local.process is not None:
        pids["noida-db"] = stack.local.process.pid
    out = {}
    for name, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def measure(stack: Stack, n: int, timeout_s: float) -> dict[str, float]:
    settings, maker = stack.settings, ArticleMaker()
    index = articles_alias(settings.elastic.index_prefix)
    producer = KafkaProducer(**kafka_producer(settings, "bench-publisher"))
    try:
        warm_up(stack, producer, index, maker)
        articles = [maker.make(i) for i in range(n)]
        cpu_before, base = cpu_seconds(stack), count(stack, index)
        start = datetime.now(UTC)
        articles = [a.model_copy(update={"fetched_at": start}) for a in articles]
        produce_burst(settings, articles)
        produced_s = time.time() - start.timestamp()
        seen_at = wait_indexed(stack, index, base, n, timeout_s)
        cpu = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_seconds(stack).items()}
        alerted_s = wait_alerted(settings, timeout_s) - start.timestamp()
        cpu_alerted = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_seconds(stack).items()}
    finally:
        producer.close()
    latencies = sorted(t - start.timestamp() for t in seen_at)
    seconds = max(latencies, default=float("nan"))
    return {"articles": len(seen_at), "seconds": round(seconds, 2),
            "alerter_done_s": round(alerted_s, 2),
            "articles_per_s": round(len(seen_at) / seconds, 1) if latencies else 0.0,
            "p50_fetch_to_index_s": round(latencies[len(latencies) // 2], 2) if latencies else 0,
            "p95_fetch_to_index_s": round(latencies[max(0, round(0.95 * len(latencies)) - 1)],
                                          2) if latencies else 0,
            "produce_s": round(produced_s, 2),
            **{f"cpu_ms_per_article_{k}": round(1000 * v / max(n, 1), 2) for k, v in cpu.items()},
            **{f"cpu_ms_per_article_alerted_{k}": round(1000 * v / max(n, 1), 2)
               for k, v in cpu_alerted.items()}}


def report(result: dict[str, float], n: int, loads: tuple[str, str], settings: Settings
           ) -> None:
    w = settings.worker
    table = Table(title=f"pipeline: {n} raw articles in a burst → indexed "
                        f"(batch {w.batch_size}, within {w.batch_within_s}s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [("indexed", f"{result['articles']}/{n}"), ("seconds", result["seconds"]),
            ("articles/s", result["articles_per_s"]),
            ("p50 fetch → indexed, s", result["p50_fetch_to_index_s"]),
            ("p95 fetch → indexed, s", result["p95_fetch_to_index_s"]),
            ("burst produced in, s", result["produce_s"]),
            ("alerter done (all committed), s", result["alerter_done_s"]),
            ("load average before (1, 5, 15 min)", loads[0]),
            ("load average after", loads[1])]
    rows += [(f"CPU ms per article: {key.rpartition('_article_')[2]}", value)
             for key, value in result.items() if key.startswith("cpu_ms_per_article_")
             and "_alerted_" not in key]
    rows += [(f"… until the alerter is done: {key.rpartition('_alerted_')[2]}", value)
             for key, value in result.items() if "_alerted_" in key]
    for name, value in rows:
        table.add_row(name, str(value))
    Console(width=100).print(table)


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=2000, help="articles in the burst")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="give up when not all are indexed after this many seconds")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cgtwatch-bench-pipeline-"))
    env = environment(work)
    os.environ.update(env)
    settings = Settings()
    stack = Stack(settings, env, SERVICES)
    try:
        stack.start()
        before = load_average()
        result = measure(stack, args.n, args.timeout)
        loads = (before, load_average())
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(result, args.n, loads, settings)
    if args.json:
        print(json.dumps({key: result[key] for key in
                          ("articles", "seconds", "articles_per_s", "p95_fetch_to_index_s",
                           "alerter_done_s")}))
    return 0 if result["articles"] == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
