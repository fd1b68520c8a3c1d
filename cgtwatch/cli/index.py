"""Commands about the articles index: ``index setup|status|migrate`` and ``backfill``
(``search`` and ``stories``: ``cgtwatch.cli.search``; ``deadletter`` commands:
``cgtwatch.cli.deadletter``).

Input: command-line options and settings. Output: tables on stdout, or with ``--json`` one
JSON object per line. Schema and migration live in ``indexer.schema``/``indexer.migrate``,
backfill in ``indexer.backfill``; these functions only parse options, call them and print.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from cgtwatch.cli.shared import (
    JsonOpt,
    SourceOpt,
    TopicSinceOpt,
    command_settings,
    es_session,
    print_lines,
    topic_since,
)
from cgtwatch.cli.util import (
    EXIT_NO_DATA,
    SOURCES_LISTING,
    check_choices,
    console,
    fail,
    known_sources,
    require_kafka,
)

index_app = typer.Typer(help="Set up, inspect and migrate the articles index.",
                        no_args_is_help=True)


@index_app.command("setup")
def index_setup() -> None:
    """Create or update templates, ILM policies, the articles alias and crawl health
    (idempotent); the Chinese analyzer is detected on the server."""
    from cgtwatch.runtime.bootstrap import setup_indices
    from indexer.schema import articles_status

    settings = command_settings()
    try:
        indices = setup_indices(settings)
    except RuntimeError as exc:
        fail(str(exc))
    with es_session(settings) as es:
        status = articles_status(es, settings.elastic.index_prefix)
    console.print(f"indices: {', '.join(indices)}; {status.alias} → {status.write_index} "
                  f"(analyzer {status.analyzer}, {status.documents} documents)")


@index_app.command("status")
def index_status(json_out: JsonOpt = False) -> None:
    """Show the backing index, schema version and analyzer of the articles alias."""
    from indexer.schema import articles_status

    settings = command_settings()
    with es_session(settings) as es:
        status = articles_status(es, settings.elastic.index_prefix).as_dict()
    if not status.get("write_index"):
        fail(f"no articles index behind {status.get('alias')}: run `cgtwatch setup` or "
             "`cgtwatch up`", EXIT_NO_DATA)
    if json_out:
        print_lines([status])
        return
    for key, value in status.items():
        console.print(f"{key:>20}: {value}")


@index_app.command("migrate")
def index_migrate(
    to_version: Annotated[int | None, typer.Option(help="target schema version")] = None,
    delete_old: Annotated[bool, typer.Option(help="delete the old index (default: close)")]
    = False,
    json_out: JsonOpt = False,
) -> None:
    """Move the alias to a new backing index (vN+1) without downtime: create it, reindex, fix
    documents (v2: published offsets), switch the alias, catch up, retire the old index."""
    from config.sources import load_sources
    from config.yamlfile import OperatorFileError
    from indexer.migrate import MigrationError, migrate_articles

    settings = command_settings()
    try:  # source id -> the zone its page times are read in (the v2 published fix)
        zones = load_sources(settings.paths.sources).zones
    except OperatorFileError as exc:
        fail(str(exc))
    with es_session(settings) as es:
        try:
            done = migrate_articles(es, settings.elastic.index_prefix, to_version, delete_old,
                                    zones=zones)
        except MigrationError as exc:
            fail(str(exc))
    if json_out:
        print_lines([done.as_dict()])
        return
    console.print(f"{done.alias}: {', '.join(done.source)} → {done.target} (analyzer "
                  f"{done.analyzer}); copied {done.copied}, caught up {done.caught_up}, "
                  f"rewritten {done.fixed} (published offsets), "
                  f"{done.documents} documents; old index {done.old_indices}")


def backfill(
    since: TopicSinceOpt = None, source: SourceOpt = None,
    dry_run: Annotated[bool, typer.Option(help="read and classify, write nothing")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Re-index from articles.raw: classify each raw article with the current taxonomy and
    write it to the alias (revision-aware; no alerts for old news)."""
    from cgtwatch.runtime.services import load_classifier
    from indexer.backfill import backfill as run_backfill
    from streams.process import classify_raw

    settings = command_settings()
    if source:
        check_choices("--source", source, known_sources(settings), SOURCES_LISTING)
    require_kafka(settings)
    classifier = load_classifier(settings)
    with es_session(settings) as es:
        result = run_backfill(settings, es, lambda raw: classify_raw(raw, classifier),
                              topic_since(since), source or (), dry_run=dry_run)
    summary = {**result.as_dict(), "dry_run": dry_run}
    if json_out:
        print_lines([summary])
        return
    for problem in result.failed[:20]:
        console.print(f"failed: {escape(problem)}", style="red")
    console.print(", ".join(f"{k} {v}" for k, v in summary.items()))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.add_typer(index_app, name="index")
    app.command("backfill")(backfill)
