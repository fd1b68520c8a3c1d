"""Commands about sources and crawling: ``cgtwatch sources check [--online]``,
``cgtwatch sources status``, ``cgtwatch sources preview SOURCE_ID`` and
``cgtwatch crawl SOURCE_ID`` (both crawl in this process with the crawler workers' engine).

Input: command-line options, settings, ``sources.yaml``, the ``<prefix>-sources`` health
index. Output: tables and summaries on stdout; non-zero exit codes when something is wrong.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cgtwatch.cli.util import check_choices, console, fail, when, zone_note

if TYPE_CHECKING:
    from config.sources import Source, SourcesFile
    from crawlers.links.probe import ProbeResult

sources_app = typer.Typer(help="Check and inspect the watched sources.", no_args_is_help=True)
_HEALTH_STYLE = {"healthy": "green", "unhealthy": "bold red", "unknown": "yellow"}


def _load(path: Path | None) -> tuple[Path, SourcesFile]:
    from config.settings import Settings
    from config.sources import load_sources
    from config.yamlfile import OperatorFileError

    target = path or Settings().paths.sources
    try:
        return target, load_sources(target)
    except OperatorFileError as exc:
        fail(str(exc))


def _probe_table(results: list[ProbeResult]) -> Table:
    table = Table(title="online check")
    for column in ("source", "kind", "url", "status", "links", "format", "note"):
        table.add_column(column)
    for r in results:
        style = "" if r.ok else "red"
        table.add_row(r.source_id, r.kind, r.url, str(r.status or "-"), str(r.links),
                      r.format or r.kind, r.note, style=style)
    return table


def _print_blocks(results: list[ProbeResult]) -> None:
    """Which block(s) each list page's links came from, and why (as the spider reads it)."""
    for r in results:
        for line in r.blocks:
            console.print(f"{r.source_id} {r.url}\n  {line}", markup=False, highlight=False,
                          soft_wrap=True)


@sources_app.command("check")
def sources_check(
    path: Annotated[Path | None, typer.Option(help="sources file (default: settings)")] = None,
    online: Annotated[bool, typer.Option(help="fetch each list page and count links")] = False,
    source: Annotated[str | None, typer.Option(help="only this source id")] = None,
) -> None:
    """Validate sources.yaml; errors name file, line and field. --online test-fetches."""
    target, loaded = _load(path)
    if source:
        check_choices("--source", [source], [s.id for s in loaded.sources],
                      "`cgtwatch sources status`")
    kinds: dict[str, int] = {}
    for item in loaded.sources:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    console.print(f"{target}: {len(loaded.sources)} sources valid "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    if not online:
        return
    from config.settings import Settings
    from crawlers.links.probe import probe_source

    chosen = [loaded.get(source)] if source else loaded.enabled
    crawler = Settings().crawler
    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(lambda s: probe_source(s, crawler), chosen))
    results = [r for batch in batches for r in batch]
    console.print(_probe_table(results))
    _print_blocks(results)
    bad = [r for r in results if not r.ok]
    console.print(f"{len(results) - len(bad)} of {len(results)} entry points gave article links")
    if bad:
        raise typer.Exit(1)


def _when(value: datetime | None) -> str:
    from config.settings import Settings

    return when(value, Settings())


@sources_app.command("status")
def sources_status(
    path: Annotated[Path | None, typer.Option(help="sources file (default: settings)")] = None,
) -> None:
    """A table of every source: health, last success, last run, new items, failures."""
    from elasticsearch import Elasticsearch

    from config.clients import elastic
    from config.settings import Settings
    from crawlers.state.health_store import SourceHealthStore, sources_index

    settings = Settings()
    _, loaded = _load(path)
    es = Elasticsearch(**{**elastic(settings), "request_timeout": 5})
    try:
        states = SourceHealthStore(es, sources_index(settings)).read_all()
    except Exception as exc:
        fail(f"cannot read source health from {settings.elastic_address}: {exc}\n"
             "Start the stack (cgtwatch up) or set CGTWATCH_ELASTIC__URL.")
    finally:
        es.close()
    table = Table(title=f"sources ({sources_index(settings)})", caption=zone_note(settings))
    for column in ("source", "health", "last success", "last run", "new (last/total)",
                   "failures", "last outcome", "reason"):
        table.add_column(column, overflow="fold")  # ids and wide characters wrap, never cropped
    for item in loaded.sources:
        state = states.get(item.id)
        if state is None:
            table.add_row(item.id, "[yellow]never crawled[/]", "-", "-", "-", "-", "-", "")
            continue
        style = _HEALTH_STYLE.get(state.health, "")
        table.add_row(item.id, f"[{style}]{state.health}[/]", _when(state.last_success),
                      _when(state.last_run), f"{state.last_new_items}/{state.new_items_total}",
                      str(state.consecutive_failures), _outcome(state.last_error is None,
                                                                state.last_cause),
                      state.reason or (state.last_error or ""))
    console.print(table)


def _outcome(ok: bool, cause: str) -> str:
    return ("ok" if ok else "[red]failed[/]") + (f": {cause}" if cause else "")


def _source(source_id: str) -> Source:
    _, loaded = _load(None)
    try:
        return loaded.get(source_id)
    except KeyError as exc:
        fail(f"{exc.args[0]}; see `cgtwatch sources check`")


def crawl(
    source_id: Annotated[str, typer.Argument(help="id of the source in sources.yaml")],
) -> None:
    """Crawl one source now, in this process (publishes new articles, stats and health like
    a worker). Exit 1 when the crawl failed; the table says why."""
    from config.settings import Settings
    from crawlers.jobs.run import crawl_and_report

    settings = Settings()
    source = _source(source_id)
    try:
        stats = crawl_and_report(settings, source)
    except Exception as exc:
        fail(f"the crawl of {source_id} could not run: {exc}\n"
             "Is the stack running (cgtwatch up), or CGTWATCH_KAFKA__BOOTSTRAP_SERVERS set?")
    table = Table(title=f"crawl of {source_id}", show_header=False)
    table.add_row("outcome", _outcome(stats.ok, stats.cause))
    for key in ("ok", "list_pages", "links_found", "articles_published", "articles_new",
                "articles_rechecked", "articles_unchanged", "not_modified", "pages_fetched",
                "errors", "http_status", "error"):
        table.add_row(key, str(getattr(stats, key)))
    console.print(table)
    raise typer.Exit(0 if stats.ok else 1)


@sources_app.command("preview")
def sources_preview(
    source_id: Annotated[str, typer.Argument(help="id of the source in sources.yaml")],
    limit: Annotated[int, typer.Option(help="at most this many articles")] = 20,
) -> None:
    """Crawl one source now and show what it finds: each article's title, date, URL, start
    of text and labels. Publishes nothing and leaves the seen-store alone. Exit 1, with the
    reason, when it finds no article."""
    from config.settings import Settings
    from crawlers.jobs.runner import crawl_once
    from crawlers.state.seen import MemorySeenStore
    from streams.classify import default_classifier

    settings = Settings()
    settings = settings.model_copy(update={"crawler": settings.crawler.model_copy(
        update={"max_articles_per_crawl": limit, "max_list_pages": 1})})
    source = _source(source_id)
    run, articles = crawl_once(settings, source, MemorySeenStore(), publish=False)
    stats = run.stats(settings.worker.instance_id)
    if not articles:
        fail(f"no article found on {source_id}: {stats.cause or stats.error or 'nothing listed'}"
             "; try `cgtwatch sources check --online --source " + source_id + "`", code=1)
    classifier = default_classifier(settings.paths.taxonomy.parent)
    for article in articles[:limit]:
        result = classifier.classify(article.title, article.text, article.language)
        labels = ", ".join(f"{name} ({result.results[name].salience})" for name in result.labels)
        console.print(f"[bold]{article.title}[/]\n  {article.published or 'no date'}  "
                      f"{article.url}\n  {article.text[:160].replace(chr(10), ' ')}\n"
                      f"  labels: {labels or 'none'}", highlight=False)
    console.print(f"{len(articles)} article(s) found on {source_id} "
                  f"({_outcome(stats.ok, stats.cause)}); nothing was published")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
    app.command("crawl")(crawl)
