"""``cgtwatch demo``: the whole pipeline on the bundled demo site, end to end, on loopback.

Input: ``cgtwatch/demo/site`` (pages and ``manifest.yaml`` with the expected labels). Output:
a summary table, one sample alert as Slack received it (and with ``--json`` a last line of
JSON); exit 0 only when every demo article reached the index and every expected alert reached
the Slack and SMTP receivers. It starts its own stack (local servers, services) in a
temporary data directory; with ``--keep`` the stack stays up until Ctrl-C and the commands to
search it and list its alerts are printed (with the settings that point at it).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from cgtwatch.demo.check import DemoExpectations, measure
from cgtwatch.demo.receivers import SlackInbox, SmtpInbox, StaticSite
from cgtwatch.devstack.localstack import free_port
from cgtwatch.devstack.stack import Stack
from config.settings import Settings

DEMO_SITE = Path(__file__).resolve().parent / "site"


def write_operator_files(workdir: Path, manifest: dict[str, Any], site_url: str
                         ) -> tuple[Path, Path]:
    """Demo ``sources.yaml`` (pointing at the local site) and ``alert_rules.yaml``."""
    sources = [{"id": s["id"], "name": s["name"], "name_en": s.get("name_en", ""),
                "kind": s["kind"], "region": s.get("region", ""), "language": s["language"],
                "list_urls": [f"{site_url}/{s['list']}"],
                "schedule": {"every": "1h", "jitter_s": 0}}
               for s in manifest["sources"]]
    rules = {
        "channels": [
            {"name": "demo-slack", "type": "slack", "webhook": "demo"},
            {"name": "demo-email", "type": "email", "to": ["cgt-team@example.org"]},
            {"name": "demo-file", "type": "file", "path": "alerts.jsonl"},
        ],
        "rules": [{"name": "demo-cgt", "labels": ["cell_therapy", "gene_therapy"],
                   "min_salience": "secondary",
                   "channels": ["demo-slack", "demo-email", "demo-file"]}],
    }
    sources_path, rules_path = workdir / "sources.yaml", workdir / "alert_rules.yaml"
    sources_path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8")
    rules_path.write_text(yaml.safe_dump(rules, allow_unicode=True), "utf-8")
    return sources_path, rules_path


def demo_env(workdir: Path, sources: Path, rules: Path, slack: SlackInbox,
             smtp: SmtpInbox) -> dict[str, str]:
    return {
        "CGTWATCH_PATHS__DATA_DIR": str(workdir / "data"),
        "CGTWATCH_PATHS__SOURCES": str(sources),
        "CGTWATCH_PATHS__ALERT_RULES": str(rules),
        "CGTWATCH_LOCAL__KAFKA_PORT": str(free_port()),
        "CGTWATCH_LOCAL__ELASTIC_PORT": str(free_port()),
        "CGTWATCH_SLACK__WEBHOOKS": json.dumps({"demo": slack.url}),
        "CGTWATCH_SMTP__HOST": "127.0.0.1",
        "CGTWATCH_SMTP__PORT": str(smtp.port),
        "CGTWATCH_SMTP__SECURITY": "none",
        "CGTWATCH_CRAWLER__AUTOTHROTTLE": "false",
        "CGTWATCH_CRAWLER__FIRST_RUN_SPREAD_S": "0",
        "CGTWATCH_WORKER__BATCH_WITHIN_S": "0.3",
        "CGTWATCH_WORKER__INSTANCE_ID": "demo",
    }


def summary_table(summary: dict[str, Any], elapsed: float) -> Table:
    table = Table(title=f"cgtwatch demo ({elapsed:.0f}s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        shown = (", ".join(f"{k} {v}" for k, v in value.items())
                 if isinstance(value, dict) else value)
        table.add_row(key, str(shown))
    return table


def _wait(stack: Stack, expect: DemoExpectations, slack: SlackInbox, smtp: SmtpInbox,
          timeout_s: float, err: Console) -> dict[str, Any]:
    deadline, last = time.monotonic() + timeout_s, ""
    summary: dict[str, Any] = {}
    while time.monotonic() < deadline:
        stack.supervisor.poll()
        summary = measure(stack, expect, slack, smtp, with_topics=False)
        line = (f"indexed {summary['articles_indexed']}/{expect.article_count}, alerts "
                f"{summary['alerts_delivered']}/{expect.alert_count}")
        if line != last:
            err.print(f"[dim]demo: {line}[/]")
            last = line
        if summary["ok"]:
            break
        time.sleep(1.0)
    return measure(stack, expect, slack, smtp, with_topics=True)


SHOWN_SETTINGS = ("CGTWATCH_PATHS__DATA_DIR", "CGTWATCH_PATHS__SOURCES",
                  "CGTWATCH_PATHS__ALERT_RULES", "CGTWATCH_LOCAL__KAFKA_PORT",
                  "CGTWATCH_LOCAL__ELASTIC_PORT")


def _texts(node: Any) -> list[str]:
    """Every ``text`` string in a Slack message's blocks, in order."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if isinstance(node.get("text"), str) else []
    return own + [t for key, value in node.items() if key != "text" or not own
                  for t in _texts(value)]


def sample_alert(posts: list[dict[str, Any]]) -> str:
    """The first alert Slack received, as text: title, source, labels and evidence."""
    for post in posts:
        lines = _texts(post.get("blocks")) or [str(post.get("text") or "")]
        text = "\n".join(line for line in lines if line.strip())
        if text:
            return text
    return ""


def keep_commands(env: dict[str, str]) -> list[str]:
    """What to type in another terminal to use the kept demo stack."""
    exports = " ".join(f"{k}={env[k]}" for k in SHOWN_SETTINGS)
    return [f"export {exports}", "cgtwatch search 细胞治疗", "cgtwatch search '*' --label "
            "gene_therapy", "cgtwatch stories", "cgtwatch alerts history",
            "cgtwatch sources status"]


def _hold(console: Console, env: dict[str, str], poll: Callable[[], object]) -> None:
    """Keep the stack up until Ctrl-C or SIGTERM, after saying how to use it."""
    import signal

    stop: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: stop.append(signum))
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    console.print("The demo stack stays up until Ctrl-C. In another terminal:")
    for line in keep_commands(env):
        console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    while not stop:
        poll()  # a service that dies is restarted, as under `cgtwatch up`
        time.sleep(0.5)


def run_demo(console: Console, json_out: bool, timeout_s: float, keep: bool) -> int:
    err = Console(stderr=True)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="cgtwatch-demo-"))
    manifest = yaml.safe_load((DEMO_SITE / "manifest.yaml").read_text("utf-8"))
    site, slack = StaticSite(DEMO_SITE).start(), SlackInbox().start()
    smtp = SmtpInbox(free_port()).start()
    sources, rules = write_operator_files(workdir, manifest, site.url)
    env = demo_env(workdir, sources, rules, slack, smtp)
    os.environ.update(env)
    settings = Settings()
    stack = Stack(settings, env)
    expect = DemoExpectations.from_manifest(manifest, site.url)
    try:
        err.print(f"[dim]demo: starting the stack in {workdir}[/]")
        stack.start()
        summary = _wait(stack, expect, slack, smtp, timeout_s, err)
        _report(console, summary, slack, started, json_out)
        if keep:
            _hold(console, env, stack.supervisor.poll)
    finally:
        stack.stop()
        for server in (site, slack, smtp):
            server.stop()
        if keep:
            err.print(f"demo: data kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if summary["ok"] else 1


def _report(console: Console, summary: dict[str, Any], slack: SlackInbox, started: float,
            json_out: bool) -> None:
    shown = {k: v for k, v in summary.items() if k not in ("ok", "problems")}
    for problem in summary["problems"]:
        Console(stderr=True).print(f"[red]demo: {problem}[/]")
    console.print(summary_table(shown, time.monotonic() - started))
    sample = sample_alert(slack.posts)
    if sample:
        console.print("[bold]a sample alert, as Slack received it:[/]")
        console.print(sample, markup=False, highlight=False)
    console.print("[green]demo passed[/]" if summary["ok"] else "[red]demo failed[/]")
    if json_out:
        sys.stdout.flush()
        print(json.dumps(shown, ensure_ascii=False), flush=True)
