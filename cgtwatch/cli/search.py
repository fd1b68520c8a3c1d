"""Commands that read the articles index: ``search`` and ``stories``.

Input: a query and filter options (labels, age, regions, sources, languages) checked against
the operator files, and settings. Output: highlighted results or a stories table on stdout, or
with ``--json`` one JSON object per line. Query building lives in ``indexer.queries``; these
functions only parse options, call Elasticsearch and print.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cgtwatch.cli.helptext import TAXONOMY_LABELS
from cgtwatch.cli.shared import (
    JsonOpt,
    SinceOpt,
    SourceOpt,
    command_settings,
    es_session,
    print_lines,
)
from cgtwatch.cli.util import (
    SOURCES_LISTING,
    check_choices,
    console,
    fail,
    known_labels,
    known_sources,
    when,
    zone_note,
)

if TYPE_CHECKING:
    from config.settings import Settings

LabelOpt = Annotated[list[str] | None, typer.Option(
    metavar="LABEL", help=f"{TAXONOMY_LABELS}; repeat for several")]
RegionOpt = Annotated[list[str] | None, typer.Option(
    metavar="REGION", help="a region as named in the articles, e.g. 广东省; repeat for several")]
LangOpt = Annotated[list[str] | None, typer.Option(
    metavar="LANG", help="zh or en; repeat for both")]
LANGS = ("zh", "en")


def _marked(text: str | None) -> str:
    """Escape for rich, then turn Elasticsearch's ``<em>`` highlights into bold yellow."""
    return escape(text or "").replace("<em>", "[bold yellow]").replace("</em>", "[/]")


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

    with es_session(settings) as es:
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

    settings = command_settings()
    with _filters(settings, label, since, region, source, lang) as filters:
        hits = [hit_summary(h) for h in _search(settings, search_body(query, filters, limit))]
    if json_out:
        print_lines(hits)
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

    settings = command_settings()
    with _filters(settings, label, since, None, None, None) as filters:
        found = [story_summary(h) for h in _search(settings, stories_body(filters, limit))]
    if json_out:
        print_lines(found)
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


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.command("search")(search)
    app.command("stories")(stories)
