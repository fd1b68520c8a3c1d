"""The live view of ``cgtwatch up``: tables a person can act on, or one line per event.

Input: ``Snapshot``s (``cgtwatch.devstack.observe``) and the supervisor's service table.
Output: a ``rich`` renderable (services; source groups with their last crawl and its cause,
and every unhealthy source by full id; crawls queued, running and failed in the last hour;
articles published, classified, indexed and alerted; dead letters; consumer lag; channel
states; the last alerts with title, labels and channel), and, for ``--no-tui`` and logs, the
events between two snapshots as plain lines: each crawl with its outcome and cause, each alert,
each channel or service state change, new dead letters. Times are UTC and say so.
"""

from __future__ import annotations

from datetime import datetime

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cgtwatch.devstack.observe import Crawl, Snapshot

MAX_PROBLEMS = 6  # unhealthy sources listed by id; the rest: `cgtwatch sources status`
CHANNEL_STYLE = {"ok": "green", "idle": "dim", "retrying": "yellow", "failing": "bold red"}


def utc(value: datetime | None) -> str:
    return value.strftime("%H:%M:%S UTC") if value else "-"


def crawl_text(crawl: Crawl | None) -> str:
    if crawl is None:
        return "[dim]no crawl in the last hour[/]"
    outcome = "[green]ok[/]" if crawl.ok else "[bold red]failed[/]"
    return f"{utc(crawl.finished_at)} {escape(crawl.source_id)} {outcome}: {escape(crawl.cause)}"


def sources_table(snap: Snapshot) -> Table:
    """One row per source group, then every failing source by its full id (ids fold, never
    crop: only the last column is wide)."""
    table = Table(title="sources by group", title_justify="left", expand=True,
                  box=box.SIMPLE_HEAD)
    table.add_column("group", no_wrap=True)
    table.add_column("ok/fail/never", no_wrap=True)
    table.add_column("last crawl and cause", overflow="fold", ratio=1)
    for g in snap.groups:
        failing = f"[bold red]{g.unhealthy}[/]" if g.unhealthy else "0"
        table.add_row(g.kind, f"{g.healthy}/{failing}/{g.never}", crawl_text(g.last))
    problems = [p for g in snap.groups for p in g.problems]
    for sid, reason in problems[:MAX_PROBLEMS]:
        table.add_row("[bold red]failing[/]", "", f"{escape(sid)}: {escape(reason)}")
    if len(problems) > MAX_PROBLEMS:
        table.add_row("", "", f"+{len(problems) - MAX_PROBLEMS} more: see "
                              "`cgtwatch sources status`")
    return table


def pipeline_table(snap: Snapshot) -> Table:
    table = Table(title="pipeline", title_justify="left", show_header=False, box=box.SIMPLE)
    table.add_column("what", no_wrap=True)
    table.add_column("value", overflow="fold")
    failed = snap.crawls_failed
    table.add_row("crawls (last hour)",
                  f"{snap.queued} queued, {snap.running} running, {len(snap.crawls) - failed} ok, "
                  + (f"[bold red]{failed} failed[/]" if failed else "0 failed"))
    counts = snap.counts
    table.add_row("articles", ", ".join(f"{counts.get(k, 0)} {k}" for k in
                                         ("published", "classified", "indexed", "alerted")))
    letters = counts.get("dead letters", 0)
    table.add_row("dead letters", f"[bold red]{letters}[/] (cgtwatch deadletter list)"
                  if letters else "0")
    lag = ", ".join(f"{g} {n}" for g, n in sorted(snap.lag.items())) or "-"
    table.add_row("consumer lag", lag)
    table.add_row("channels", ", ".join(
        f"{escape(n)} [{CHANNEL_STYLE.get(s, '')}]{s}[/]" for n, s in snap.channels.items())
        or "-")
    return table


def alerts_table(snap: Snapshot) -> Table:
    table = Table(title="last alerts", title_justify="left", expand=True, box=box.SIMPLE_HEAD)
    table.add_column("time", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    table.add_column("labels", overflow="fold")
    table.add_column("title", overflow="fold", ratio=1)
    for a in snap.alerts:
        status = "" if a.status == "sent" else f"[bold red]{a.status}[/] "
        table.add_row(utc(a.at), escape(a.channel), ", ".join(a.labels),
                      status + escape(a.title))
    if not snap.alerts:
        table.add_row("-", "-", "-", "[dim]no alert yet[/]")
    return table


def render(snap: Snapshot, services: Table, header: str, recent: list[str] | None = None
           ) -> RenderableType:
    parts: list[RenderableType] = [Text(header, style="bold"), services, sources_table(snap),
                                   pipeline_table(snap)]
    if recent:
        parts.append(Text("recent events", style="bold"))
        parts += [Text(line, overflow="ellipsis", no_wrap=True) for line in recent]
    parts.append(alerts_table(snap))
    return Group(*parts)


def _crawl_line(c: Crawl) -> str:
    outcome = "ok" if c.ok else "FAILED"
    return f"crawl {c.source_id} {outcome}: {c.cause}"


def events(before: Snapshot | None, after: Snapshot) -> list[str]:
    """What changed from ``before`` to ``after``, oldest first, one plain line each."""
    seen = {c.job_id for c in before.crawls} if before else set()
    lines = [_crawl_line(c) for c in reversed(after.crawls) if c.job_id not in seen]
    sent = {a.key + a.status for a in before.alerts} if before else set()
    for a in reversed(after.alerts):
        if a.key + a.status not in sent:
            what = "alert" if a.status == "sent" else f"alert {a.status}"
            error = f" ({a.error})" if a.error else ""
            lines.append(f"{what} → {a.channel} [{', '.join(a.labels)}] {a.title}{error}")
    old = before.channels if before else {}
    lines += [f"channel {n} {s}" for n, s in after.channels.items()
              if old.get(n, "idle") != s]
    letters = after.counts.get("dead letters", 0)
    if letters > (before.counts.get("dead letters", 0) if before else 0):
        lines.append(f"dead letters: {letters} (cgtwatch deadletter list)")
    return lines


def stamp(line: str, now: datetime) -> str:
    return f"{now.strftime('%Y-%m-%dT%H:%M:%SZ')} {line}"
