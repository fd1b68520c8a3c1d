"""Alert latency on the local stack: from an article's ``fetched_at`` to its immediate alert
being accepted by Slack (a local webhook receiver) and by SMTP (aiosmtpd).

Input: nothing; it starts noida-db, the Faust classifier and the alerter (real child processes)
on loopback. Each article is published to ``articles.raw`` with ``fetched_at`` = now, as the
crawler does the moment it has fetched a page; the crawl itself (HTTP fetch, extraction) is
not included. Output: a table with median, p95 and max per channel; exit 1 if a target is
missed (median ≤ 5 s, p95 ≤ 15 s). Run with
``python bench/bench_alert_latency.py [N] [gap_s] [--json]`` (``--json``: one JSON object as the
last line).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.summary import print_summary, split_json_flag  # noqa: E402
from cgtwatch.demo.receivers import SlackInbox, SmtpInbox  # noqa: E402
from cgtwatch.devstack.localstack import LocalStack, free_port  # noqa: E402
from cgtwatch.devstack.supervisor import Supervisor  # noqa: E402
from cgtwatch.runtime.bootstrap import setup_all  # noqa: E402
from config.clients import kafka_producer  # noqa: E402
from config.contracts.articles import RawArticle  # noqa: E402
from config.contracts.ids import article_id, content_hash  # noqa: E402
from config.contracts.topics import Topics  # noqa: E402
from config.contracts.wire import utcnow  # noqa: E402
from config.settings import Settings  # noqa: E402

TEXT = ("大连自贸片区管委会与大连医科大学签署协议，共建基因细胞治疗先行示范区。"
        "双方将围绕CAR-T细胞治疗、干细胞临床研究和细胞治疗产品产业化开展合作，建设细胞制备中心，支持企业开展细胞治疗临床试验。")
MEDIAN_TARGET_S, P95_TARGET_S = 5.0, 15.0


def article(n: int) -> RawArticle:
    url = f"http://bench.example.gov.cn/xwdt/t2026_{n:06d}.html"
    title = f"细胞治疗先行示范区建设推进会（第{n}期）"
    return RawArticle(article_id=article_id(url), url=url, source_id="bench",
                      source_kind="ftz", title=title, text=TEXT, language="zh",
                      content_hash=content_hash(title, TEXT), fetched_at=utcnow())


def environment(work: Path, slack: SlackInbox, smtp: SmtpInbox) -> dict[str, str]:
    rules = work / "alert_rules.yaml"
    rules.write_text(yaml.safe_dump({
        "channels": [{"name": "slack", "type": "slack", "webhook": "bench"},
                     {"name": "email", "type": "email", "to": ["team@example.org"]}],
        "rules": [{"name": "bench", "channels": ["slack", "email"]}]}), "utf-8")
    return {"CGTWATCH_PATHS__DATA_DIR": str(work / "data"),
            "CGTWATCH_PATHS__ALERT_RULES": str(rules),
            "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
            "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
            "CGTWATCH_SLACK__WEBHOOKS": json.dumps({"bench": slack.url}),
            "CGTWATCH_SMTP__HOST": "127.0.0.1", "CGTWATCH_SMTP__PORT": str(smtp.port),
            "CGTWATCH_SMTP__SECURITY": "none", "CGTWATCH_WORKER__INSTANCE_ID": "bench",
            "CGTWATCH_LOG_LEVEL": "WARNING"}


def arrivals(slack: SlackInbox, smtp: SmtpInbox, sent: list[RawArticle]
             ) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {"slack": {}, "email": {}}
    for post, at in zip(list(slack.posts), list(slack.times), strict=True):
        text = json.dumps(post, ensure_ascii=False)
        out["slack"].update({a.url: at for a in sent if a.url in text})
    for message, at in zip(list(smtp.messages), list(smtp.times), strict=True):
        parts = [p.get_payload(decode=True) for p in message.walk()
                 if p.get_content_type() == "text/plain"]
        text = b"".join(p for p in parts if isinstance(p, bytes)).decode("utf-8", "replace")
        out["email"].update({a.url: at for a in sent if a.url in text})
    return out


def measure(settings: Settings, slack: SlackInbox, smtp: SmtpInbox, n: int,
            gap_s: float) -> dict[str, list[float]]:
    producer = KafkaProducer(**kafka_producer(settings, "bench-publisher"))
    warm = article(0)
    producer.send(Topics.RAW, key=warm.article_id.encode(), value=warm.encode()).get(30)
    deadline = time.monotonic() + 120
    while not (slack.posts and smtp.messages) and time.monotonic() < deadline:
        time.sleep(0.2)  # workers joined their groups and delivered the warm-up alert
    sent = []
    for i in range(1, n + 1):
        item = article(i)
        producer.send(Topics.RAW, key=item.article_id.encode(), value=item.encode())
        producer.flush()
        sent.append(item)
        time.sleep(gap_s)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = arrivals(slack, smtp, sent)
        if all(len(v) == n for v in got.values()):
            break
        time.sleep(0.5)
    producer.close()
    return {channel: [at - a.fetched_at.timestamp() for a in sent if (at := got[channel].get(
        a.url)) is not None] for channel in got}


def report(latencies: dict[str, list[float]], n: int, as_json: bool = False) -> bool:
    table = Table(title=f"alert latency: fetched_at → accepted ({n} articles)")
    for column in ("channel", "delivered", "median s", "p95 s", "max s", "target"):
        table.add_column(column, justify="right")
    ok, summary = True, {}
    for channel, values in latencies.items():
        values = sorted(values)
        median = statistics.median(values) if values else float("inf")
        p95 = values[max(0, round(0.95 * len(values)) - 1)] if values else float("inf")
        good = len(values) == n and median <= MEDIAN_TARGET_S and p95 <= P95_TARGET_S
        ok = ok and good
        table.add_row(channel, f"{len(values)}/{n}", f"{median:.2f}", f"{p95:.2f}",
                      f"{max(values, default=float('inf')):.2f}", "met" if good else "MISSED")
        summary[channel] = {"delivered": len(values), "median_s": round(median, 2),
                            "p95_s": round(p95, 2), "met": good}
    Console().print(table)
    print_summary({"articles": n, "channels": summary, "met": ok}, as_json)
    return ok


def main() -> int:
    args, as_json = split_json_flag(sys.argv[1:])
    n = int(args[0]) if args else 30
    gap_s = float(args[1]) if len(args) > 1 else 0.3
    work = Path(tempfile.mkdtemp(prefix="cgtwatch-bench-"))
    slack, smtp = SlackInbox().start(), SmtpInbox(free_port()).start()
    env = environment(work, slack, smtp)
    os.environ.update(env)
    settings = Settings()
    local = LocalStack(settings)
    local.start()
    supervisor = Supervisor(["streams", "alerter"], env, work / "logs")
    try:
        setup_all(settings)
        supervisor.start_all()
        return 0 if report(measure(settings, slack, smtp, n, gap_s), n, as_json) else 1
    finally:
        supervisor.stop_all(grace_s=10)
        local.stop()
        slack.stop()
        smtp.stop()


if __name__ == "__main__":
    sys.exit(main())
