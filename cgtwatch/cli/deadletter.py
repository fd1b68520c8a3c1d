"""Dead-letter commands: ``deadletter list`` and ``deadletter replay``.

Input: options (stage, age) and settings. Output: a table or JSON lines of the letters on
``articles.deadletter``; ``replay`` sends their payloads back to the topics they came from.
The stage is checked against the stages that write dead letters; a Kafka that does not
answer is one line and exit 69 at once (no 30-second client wait).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cgtwatch.cli.shared import JsonOpt, TopicSinceOpt, command_settings, print_lines, topic_since
from cgtwatch.cli.util import (
    STAGES,
    check_choices,
    console,
    require_kafka,
    when,
    zone_note,
)

deadletter_app = typer.Typer(help="List and replay dead letters.", no_args_is_help=True)


@deadletter_app.command("list")
def deadletter_list(
    stage: Annotated[str | None, typer.Option(help="streams, indexer, alerts or crawler")]
    = None,
    since: TopicSinceOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="letters at most")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Show the latest dead letters: stage, error, origin topic and article."""
    from indexer.deadletters import read_letters

    settings = command_settings()
    check_choices("--stage", [stage] if stage else None, STAGES)
    after = topic_since(since)
    require_kafka(settings)
    rows = [x.row() for x in read_letters(settings, stage, after, limit)]
    if json_out:
        print_lines(rows)
        return
    table = Table("failed at", "stage", "from", "article", "error", caption=zone_note(settings))
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        table.add_row(when(row["failed_at"], settings), row["stage"],
                      f"{row['topic']}/{row['partition']}@{row['offset']}",
                      str(row["article_id"] or row["key"] or "-"),
                      escape(f"{row['error_type']}: {row['error']}"[:120]))
    console.print(table)
    console.print(f"{len(rows)} dead letters")


@deadletter_app.command("replay")
def deadletter_replay(
    stage: Annotated[str | None, typer.Option(
        help="only letters of this stage: streams, indexer, alerts or crawler")] = None,
    since: TopicSinceOpt = None,
    dry_run: Annotated[bool, typer.Option(help="show what would be sent")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Send the payloads of (fixed) dead letters back to the topics they came from, keyed
    by article id. Safe to repeat: every stage writes idempotently."""
    from indexer.deadletters import plan_all, read_letters, send

    settings = command_settings()
    check_choices("--stage", [stage] if stage else None, STAGES)
    require_kafka(settings)
    plans = plan_all(read_letters(settings, stage, topic_since(since)))
    sent = 0 if dry_run else send(settings, plans)
    rows = [{"topic": p.topic, "key": (p.key or b"").decode("utf-8", "replace"),
             "stage": p.source.letter.stage, "failed_at": p.source.letter.failed_at,
             "action": p.skip or ("would send" if dry_run else "sent")} for p in plans]
    if json_out:
        print_lines([*rows, {"letters": len(plans), "sent": sent, "dry_run": dry_run}])
        return
    for row in rows:
        console.print(f"{row['action']:>12}: {row['stage']} → {row['topic']} {row['key']}")
    console.print(f"{len(plans)} letters, {sent} sent" + (" (dry run)" if dry_run else ""))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.add_typer(deadletter_app, name="deadletter")
