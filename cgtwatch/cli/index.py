"""Commands about the index and search: ``index setup|status|migrate``, ``search``,
``stories`` and ``backfill`` (``deadletter`` commands: ``cgtwatch.cli.deadletter``).

Input: command-line options and settings. Output: tables on stdout, or with ``--json`` one
JSON object per line. Query building lives in ``indexer.queries``; these functions only
parse options, call Elasticsearch or Kafka, and print.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cgtwatch.cli.helptext import TAXONOMY_LABELS
from cgtwatch.cli.util import (
    EXIT_NO_DATA,
    EXIT_UNAVAILABLE,
    SOURCES_LISTING,
    check_choices,
    console,
    fail,
    known_labels,
    known_sources,
    require_kafka,
    server_hint,
    when,
    zone_note,
)
from cgtwatch.runtime.logs import configure_logging

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from config.settings import Settings

index_app = typer.Typer(help="Set up, inspect and migrate the articles index.",
                        no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON object per line")]
SinceOpt = Annotated[str | None, typer.Option(
    metavar="AGE|DATE", help="an age: 30m (minutes), 12h, 7d, 2w, 3M (months), 1y; or a date "
                             "such as 2026-11-01 (UTC)")]
TopicSinceOpt = Annotated[str | None, typer.Option(
    metavar="AGE|DATE", help="an age: 30m (minutes), 12h, 7d, 2w; or a date such as "
                             "2026-11-01 (UTC)")]
LabelOpt = Annotated[list[str] | None, typer.Option(
    metavar="LABEL", help=f"{TAXONOMY_LABELS}; repeat for several")]
SourceOpt = Annotated[list[str] | None, typer.Option(
    metavar="SOURCE_ID", help="a source id of sources.yaml (`cgtwatch sources check` lists "
                              "them); repeat for several")]
RegionOpt = Annotated[list[str] | None, typer.Option(
    metavar="REGION", help="a region as named in the articles, e.g. 广东省; repeat for several")]
LangOpt = Annotated[list[str] | None, typer.Option(
    metavar="LANG", help="zh or en; repeat for both")]
LANGS = ("zh", "en")


def _settings() -> Settings:
    from config.settings import Settings

    settings = Settings()
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level,
                      secrets=settings.secret_values())
    return settings


@contextmanager
def _es(settings: Settings) -> Iterator[Elasticsearch]:
    """A client for one command; a server that does not answer is one line and exit 69, a
    missing index one line and exit 3 (other failures go to ``util.explain``)."""
    from elasticsearch import NotFoundError

    from cgtwatch.cli.util import es_client

    es = es_client(settings)
    try:
        if not es.ping():
            fail(f"Elasticsearch at {settings.elastic_url} does not answer: "
                 f"{server_hint(settings, 'Elasticsearch')}", EXIT_UNAVAILABLE)
        yield es
    except NotFoundError as exc:
        fail(f"no articles index yet ({exc.message}): run `cgtwatch setup` or `cgtwatch up`, "
             "then let a crawl finish", EXIT_NO_DATA)
    finally:
        es.close()


def _lines(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        typer.echo(json.dumps(row, ensure_ascii=False, default=str))


def _since(value: str | None) -> datetime | None:
    from config.settings import Settings
    from indexer.topicscan import since_datetime

    try:
        return since_datetime(value, zone=Settings().display.timezone) if value else None
    except ValueError as exc:
        fail(str(exc))


def _marked(text: str | None) -> str:
    """Escape for rich, then turn Elasticsearch's ``<em>`` highlights into bold yellow."""
    return escape(text or "").replace("<em>", "[bold yellow]").replace("</em>", "[/]")


@index_app.command("setup")
def index_setup() -> None:
    """Create or update templates, ILM policies, the articles alias and crawl health
    (idempotent); the Chinese analyzer is detected on the server."""
    from cgtwatch.runtime.bootstrap import setup_indices
    from indexer.schema import articles_status

    settings = _settings()
    try:
        indices = setup_indices(settings)
    except RuntimeError as exc:
        fail(str(exc))
    with _es(settings) as es:
        status = articles_status(es, settings.elastic.index_prefix)
    console.print(f"indices: {', '.join(indices)}; {status.alias} → {status.write_index} "
                  f"(analyzer {status.analyzer}, {status.documents} documents)")


@index_app.command("status")
def index_status(json_out: JsonOpt = False) -> None:
    """Show the backing index, schema version and analyzer of the articles alias."""
    from indexer.schema import articles_status

    settings = _settings()
    with _es(settings) as es:
        status = articles_status(es, settings.elastic.index_prefix).as_dict()
    if not status.get("write_index"):
        fail(f"no articles index behind {status.get('alias')}: run `cgtwatch setup` or "
             "`cgtwatch up`", EXIT_NO_DATA)
    if json_out:
        _lines([status])
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

    settings = _settings()
    try:  # source id -> the zone its page times are read in (the v2 published fix)
        zones = load_sources(settings.paths.sources).zones
    except OperatorFileError as exc:
        fail(str(exc))
    with _es(settings) as es:
        try:
            done = migrate_articles(es, settings.elastic.index_prefix, to_version, delete_old,
                                    zones=zones)
        except MigrationError as exc:
            fail(str(exc))
    if json_out:
        _lines([done.as_dict()])
        return
    console.print(f"{done.alias}: {', '.join(done.source)} → {done.target} (analyzer "
                  f"{done.analyzer}); copied {done.copied}, caught up {done.caught_up}, "
                  f"rewritten {done.fixed} (published offsets), "
                  f"{done.documents} documents; old index {done.old_indices}")


@contextmanager
def _filters(settings: Settings, label: list[str] | None, since: str | None,
             region: list[str] | None, source: list[str] | None, lang: list[str] | None
             ) -> Iterator[Any]:
    from indexer.queries import Filters, parse_since

    check_choices("--label", label, known_labels(settings))
    if source:
        check_choices("--source", source, known_sources(settings), SOURCES_LISTING)
    check_choices("--lang", lang, LANGS)
    try:
        if since:
            parse_since(since, settings.display.timezone)
    except ValueError as exc:
        fail(str(exc))
    yield Filters(tuple(label or ()), since, tuple(region or ()), tuple(source or ()),
                  tuple(lang or ()), timezone=settings.display.timezone)


def _search(settings: Settings, body: dict[str, Any]) -> list[dict[str, Any]]:
    from indexer.documents import articles_alias

    with _es(settings) as es:
        found = es.search(index=articles_alias(settings.elastic.index_prefix), **body)
    return list(found["hits"]["hits"])


def search(
    query: Annotated[str, typer.Argument(help="words or a phrase, Chinese or English; * = all")],
    label: LabelOpt = None, since: SinceOpt = None, region: RegionOpt = None,
    source: SourceOpt = None, lang: LangOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="results at most")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """Search articles (title and text) with highlighted snippets, newest first among
    equals. Example: cgtwatch search 细胞治疗 --label cell_therapy --since 7d"""
    from indexer.queries import hit_summary, search_body

    settings = _settings()
    with _filters(settings, label, since, region, source, lang) as filters:
        hits = [hit_summary(h) for h in _search(settings, search_body(query, filters, limit))]
    if json_out:
        _lines(hits)
        return
    if not hits:
        console.print("no matching articles")
    for n, hit in enumerate(hits, 1):
        labels = ", ".join(f"{k}:{v}" for k, v in (hit["salience"] or {}).items()
                           if v in ("primary", "secondary")) or "-"
        console.print(f"[bold]{n}. {_marked(hit['title_hl'])}[/]")
        origin = escape(str(hit["source_name"] or ""))
        console.print(f"   {when(hit['published'], settings)} · {origin} "
                      f"({hit['source_kind']}) · {labels}", style="dim")
        for text in hit["snippets"]:
            console.print(f"   {_marked(text)}")
        console.print(f"   {escape(str(hit['url']))}", style="blue")
    console.print(zone_note(settings), style="dim")


def stories(
    since: SinceOpt = "30d", label: LabelOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="stories at most")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """List stories (articles grouped by story_id), latest first, with all their sources."""
    from indexer.queries import stories_body, story_summary

    settings = _settings()
    with _filters(settings, label, since, None, None, None) as filters:
        found = [story_summary(h) for h in _search(settings, stories_body(filters, limit))]
    if json_out:
        _lines(found)
        return
    if not found:
        console.print(f"no matching stories (since {since})")
        return
    table = Table("latest", "story", "articles", "sources", "labels",
                  caption=zone_note(settings))
    for column in table.columns:  # wide characters wrap; nothing is cropped
        column.overflow = "fold"
    for story in found:
        table.add_row(when(story["last_published"], settings), escape(str(story["title"])),
                      str(story["articles"]), escape(", ".join(story["sources"])),
                      ", ".join(story["labels"]))
    console.print(table)


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

    settings = _settings()
    if source:
        check_choices("--source", source, known_sources(settings), SOURCES_LISTING)
    require_kafka(settings)
    classifier = load_classifier(settings)
    with _es(settings) as es:
        result = run_backfill(settings, es, lambda raw: classify_raw(raw, classifier),
                              _since(since), source or (), dry_run=dry_run)
    summary = {**result.as_dict(), "dry_run": dry_run}
    if json_out:
        _lines([summary])
        return
    for problem in result.failed[:20]:
        console.print(f"failed: {escape(problem)}", style="red")
    console.print(", ".join(f"{k} {v}" for k, v in summary.items()))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.add_typer(index_app, name="index")
    app.command("search")(search)
    app.command("stories")(stories)
    app.command("backfill")(backfill)
