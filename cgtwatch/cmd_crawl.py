"""Commands about sources and crawling: ``cgtwatch sources check`` (and more to come).

Input: command-line options and settings. Output: tables and summaries on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cgtwatch.cliutil import console, fail
from config.settings import Settings
from config.yamlfile import OperatorFileError

sources_app = typer.Typer(help="Check and inspect the watched sources.", no_args_is_help=True)


@sources_app.command("check")
def sources_check(
    path: Annotated[Path | None, typer.Option(help="sources file (default: settings)")] = None,
) -> None:
    """Validate sources.yaml; errors name file, line and field."""
    from config.sources import load_sources

    target = path or Settings().paths.sources
    try:
        loaded = load_sources(target)
    except OperatorFileError as exc:
        fail(str(exc))
    kinds: dict[str, int] = {}
    for source in loaded.sources:
        kinds[source.kind] = kinds.get(source.kind, 0) + 1
    console.print(f"{target}: {len(loaded.sources)} sources valid "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
