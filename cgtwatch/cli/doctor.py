"""``cgtwatch doctor``: a table of what is wrong with this installation and how to fix it.

Input: settings. Output: one row per check; exit 1 when any check failed.
"""

from __future__ import annotations

import typer
from rich.table import Table

from cgtwatch.cli.util import console

STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def doctor() -> None:
    """Check configuration, operator files, Kafka topics, Elasticsearch setup, SMTP and Slack."""
    from cgtwatch.runtime.doctor import run_checks
    from config.settings import Settings

    checks = run_checks(Settings())
    table = Table(title="cgtwatch doctor")
    for column in ("check", "status", "found", "how to fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(check.name, f"[{STYLE[check.status]}]{check.status}[/]", check.found,
                      check.fix)
    console.print(table)
    failed = [c for c in checks if c.status == "fail"]
    console.print(f"{len(checks)} checks: {len(failed)} failed, "
                  f"{sum(c.status == 'warn' for c in checks)} warnings")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
