"""Options and helpers shared by the index, search and dead-letter commands.

Input: option values and ``CGTWATCH_*`` settings. Output: the ``Settings`` of one command
(logging configured, secrets masked), an Elasticsearch client that turns a silent server or a
missing index into one line and an exit code, JSON lines on stdout, and parsed topic ages.
Elasticsearch and the indexer load inside functions, so ``cgtwatch --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cgtwatch.cli.util import EXIT_NO_DATA, EXIT_UNAVAILABLE, fail, server_hint
from cgtwatch.runtime.logs import configure_logging

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from config.settings import Settings

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON object per line")]
SinceOpt = Annotated[str | None, typer.Option(
    metavar="AGE|DATE", help="an age: 30m (minutes), 12h, 7d, 2w, 3M (months), 1y; or a date "
                             "such as 2026-11-01 (UTC)")]
TopicSinceOpt = Annotated[str | None, typer.Option(
    metavar="AGE|DATE", help="an age: 30m (minutes), 12h, 7d, 2w; or a date such as "
                             "2026-11-01 (UTC)")]
SourceOpt = Annotated[list[str] | None, typer.Option(
    metavar="SOURCE_ID", help="a source id of sources.yaml (`cgtwatch sources check` lists "
                              "them); repeat for several")]


def command_settings() -> Settings:
    """The settings of one command; INFO logs are lowered to WARNING (output is the table)."""
    from config.settings import Settings

    settings = Settings()
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level,
                      secrets=settings.secret_values())
    return settings


@contextmanager
def es_session(settings: Settings) -> Iterator[Elasticsearch]:
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


def print_lines(rows: list[dict[str, Any]]) -> None:
    """One JSON object per line (non-ASCII kept as is)."""
    for row in rows:
        typer.echo(json.dumps(row, ensure_ascii=False, default=str))


def topic_since(value: str | None) -> datetime | None:
    """An age or date option read against the display zone; a bad value is one line, exit 2."""
    from config.settings import Settings
    from indexer.topicscan import since_datetime

    try:
        return since_datetime(value, zone=Settings().display.timezone) if value else None
    except ValueError as exc:
        fail(str(exc))
