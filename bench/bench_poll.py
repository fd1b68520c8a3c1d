"""Cost of watching many columns: one crawler worker and the scheduler polling a local site.

Input: a generated site on loopback (``bench/poll_site.py``: S sources, 20 articles each,
over H hosts, half with ETag/Last-Modified) whose seen-store state is that of a crawler that
has watched it for hours (``bench/poll_seed.py``); new articles appear and some articles are
edited at known times. The scheduler and ONE crawler worker (``cgtwatch scheduler`` and
``cgtwatch crawler`` processes under the supervisor) run on the embedded stack (noida-db),
every source polled every P seconds, for D seconds; then up to P + 30 s more to detect the
last events. Output: a table and, with ``--json``, one JSON line: polls, requests, CPU of the
two services and all their children over the D seconds (the site server and noida-db are not
counted; noida-db's CPU is shown apart), RSS, detection delays (from the moment an article
appears on the site to its record on ``articles.raw``), edits detected, re-publications of
unchanged articles. Run: ``python bench/bench_poll.py [--sources 1000] [--hosts 50]
[--duration 300] [--interval 300] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elasticsearch import Elasticsearch  # noqa: E402

from bench.poll_seed import seed, seed_docs, utc  # noqa: E402
from bench.poll_site import PER_PAGE, Site  # noqa: E402
from bench.poll_watch import TopicWatch, cpu_s, rss_mb  # noqa: E402
from cgtwatch.devstack.localstack import LocalStack, free_port  # noqa: E402
from cgtwatch.devstack.supervisor import Supervisor  # noqa: E402
from cgtwatch.runtime.bootstrap import setup_all  # noqa: E402
from config.clients import elastic  # noqa: E402
from config.contracts.articles import RawArticle  # noqa: E402
from config.contracts.crawl import CrawlStats  # noqa: E402
from config.contracts.ids import article_id  # noqa: E402
from config.contracts.topics import Topics  # noqa: E402
from config.contracts.wire import decode  # noqa: E402
from config.settings import Settings  # noqa: E402
from config.sources import SourcesFile  # noqa: E402
from crawlers.state.seen_es import seen_index  # noqa: E402

STARTUP_S = 40.0  # the window opens this long after seeding (services start meanwhile)


def sources_yaml(site: Site, interval_s: int) -> dict[str, Any]:
    return {"sources": [{"id": sid, "name": f"column {sid}", "kind": "press",
                         "list_urls": [site.url(column)],
                         "schedule": {"every": f"{interval_s}s", "jitter_s": 10}}
                        for sid, column in site.columns.items()]}


def plan(site: Site, duration: float, rng: random.Random) -> dict[str, list[Any]]:
    """Events at offsets from the window's start: new articles, edits, unedited re-checks."""
    sids = sorted(site.columns)
    count = max(len(sids) // 10, 1)
    new = sorted((rng.uniform(5, duration - 5), rng.choice(sids)) for _ in range(count))
    picked = rng.sample(sids, min(2 * max(len(sids) // 50, 1), len(sids)))
    half = len(picked) // 2 or 1
    edits = [(rng.uniform(5, max(duration - 40, 6)), sid, PER_PAGE - rng.randint(5, 15))
             for sid in picked[:half]]
    quiet = [(rng.uniform(5, duration - 5), sid, PER_PAGE - rng.randint(5, 15))
             for sid in picked[half:]]
    return {"new": new, "edits": edits, "quiet": quiet}


def start_events(site: Site, events: dict[str, list[Any]], start: float,
                 appeared: dict[str, float]) -> None:
    for offset, sid in events["new"]:
        def add(sid: str = sid) -> None:
            n = site.add_article(sid, time.time())
            appeared[article_id(site.url(site.columns[sid], f"a{n}.html"))] = time.time()
        site.call_at(start + offset - time.time(), add)
    for offset, sid, n in events["edits"]:
        def edit(sid: str = sid, n: int = n) -> None:
            site.edit_article(sid, n, time.time())
            appeared[article_id(site.url(site.columns[sid], f"a{n}.html")) + "#edit"] = \
                time.time()
        site.call_at(start + offset - time.time(), edit)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-poll-"))
    env = {"CGTWATCH_PATHS__DATA_DIR": str(work / "data"), "CGTWATCH_LOG_LEVEL": "INFO",
           "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
           "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
           "CGTWATCH_PATHS__SOURCES": str(work / "sources.yaml"),
           "CGTWATCH_CRAWLER__FIRST_RUN_SPREAD_S": str(args.interval),
           "CGTWATCH_WORKER__INSTANCE_ID": "bench", "NO_PROXY": "*"}
    os.environ.update(env)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        os.environ.pop(key, None)
    settings = Settings()
    stack = LocalStack(settings)
    stack.start()
    site = Site(args.sources, args.hosts, free_port())
    supervisor: Supervisor | None = None
    try:
        setup_all(settings)
        site.start()
        spec = sources_yaml(site, args.interval)
        (work / "sources.yaml").write_text(yaml.safe_dump(spec), "utf-8")
        sources = {s.id: s for s in SourcesFile.model_validate(spec).sources}
        events = plan(site, args.duration, random.Random(42))
        seeded_at = time.time()
        es = Elasticsearch(**elastic(settings))
        docs = seed(es, seen_index(settings), seed_docs(site, sources, utc(seeded_at), {}))
        start = time.time() + STARTUP_S  # the window opens once the services are up
        special = {(sid, n): utc(start + off + 10 - 3600) for off, sid, n in events["edits"]}
        special.update({(sid, n): utc(start + off - 3600) for off, sid, n in events["quiet"]})
        seed(es, seen_index(settings), seed_docs(site, sources, utc(seeded_at), special,
                                                 only={sid for sid, _ in special}))
        es.close()
        raw, stats = TopicWatch(settings, Topics.RAW), TopicWatch(settings, Topics.CRAWL_STATS)
        supervisor = Supervisor(["scheduler", "crawler"], env, work / "logs")
        supervisor.start_all()
        pids = [c.process.pid for c in supervisor.children.values() if c.process]
        if time.time() > start:
            raise RuntimeError("seeding and start-up took longer than the start-up window")
        time.sleep(start - time.time())
        appeared: dict[str, float] = {}
        start_events(site, events, start, appeared)
        cpu0, requests0, rss_max = cpu_s(pids), site.requests, 0.0
        rss_start = rss_mb(pids)
        stack_pids = [stack.process.pid] if stack.process is not None else []
        stack0 = cpu_s(stack_pids)
        while time.time() < start + args.duration:
            rss_max = max(rss_max, rss_mb(pids))
            time.sleep(2.0)
        cpu1, requests1, stack1 = cpu_s(pids), site.requests, cpu_s(stack_pids)
        rss_end = rss_mb(pids)
        expected = len(events["new"]) + len(events["edits"])
        deadline = start + args.duration + args.interval + 30
        while time.time() < deadline and len(detected(raw, appeared)) < expected:
            time.sleep(1.0)
        raw.stop()
        stats.stop()
        return report(args, events, raw, stats, appeared, start, cpu1 - cpu0,
                      requests1 - requests0, (rss_start, rss_max, rss_end), stack1 - stack0,
                      docs)
    finally:
        if supervisor is not None:
            supervisor.stop_all(grace_s=15)
        site.stop()
        stack.stop()


def detected(raw: TopicWatch, appeared: dict[str, float]) -> dict[str, float]:
    """Event key -> seconds from appearance to the record on articles.raw."""
    out: dict[str, float] = {}
    for received, _, value in list(raw.got):
        article = decode(RawArticle, value)
        key = article.article_id + ("#edit" if article.revision > 1 else "")
        if key in appeared and key not in out:
            out[key] = received - appeared[key]
    return out


def report(args: argparse.Namespace, events: dict[str, list[Any]], raw: TopicWatch,
           stats: TopicWatch, appeared: dict[str, float], start: float, cpu: float,
           requests: int, rss: tuple[float, float, float], stack_cpu: float, seeded: int
           ) -> dict[str, Any]:
    window = [decode(CrawlStats, v) for _, _, v in stats.got]
    polls = [s for s in window if start <= s.finished_at.timestamp() < start + args.duration]
    found = detected(raw, appeared)
    new = [v for k, v in found.items() if not k.endswith("#edit")]
    edits = [v for k, v in found.items() if k.endswith("#edit")]
    expected_keys = set(appeared)
    records = [decode(RawArticle, v) for _, _, v in raw.got]
    seen_pairs: set[tuple[str, int]] = set()
    republished = 0
    for article in records:
        key = article.article_id + ("#edit" if article.revision > 1 else "")
        pair = (article.article_id, article.revision)
        if key not in expected_keys or pair in seen_pairs:
            republished += 1
        seen_pairs.add(pair)
    unchanged = [s for s in polls if s.cause.startswith("unchanged")]
    return {
        "sources": args.sources, "duration_s": args.duration, "polls": len(polls),
        "requests": requests, "cpu_s_total": round(cpu, 2),
        "cpu_cores_used": round(cpu / args.duration, 4),
        "cpu_ms_per_poll": round(1000 * cpu / max(len(polls), 1), 2),
        "rss_mb_max": round(rss[1], 1), "new_expected": len(events["new"]),
        "new_published": len(new), "detect_p50_s": round(percentile(new, 0.5), 1),
        "detect_p95_s": round(percentile(new, 0.95), 1),
        "edits_expected": len(events["edits"]), "edits_detected": len(edits),
        "republished_unchanged": republished,
        "polls_unchanged": len(unchanged), "polls_failed": sum(not s.ok for s in polls),
        "stack_cpu_s": round(stack_cpu, 2), "seeded_docs": seeded,
        "rss_mb_start": round(rss[0], 1), "rss_mb_end": round(rss[2], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--interval", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
