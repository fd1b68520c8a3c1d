"""Shared helpers of the command modules: consoles and errors that say what to do.

Input: messages and option values. Output: formatted output on stdout/stderr, ``typer.Exit``
codes, and the ``--label`` option's choices (the labels of the configured taxonomy.yaml).
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr (as given: no markup, no wrapping) and exit."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def taxonomy_labels() -> tuple[str, ...]:
    """The labels of the configured taxonomy (``CGTWATCH_PATHS__TAXONOMY``); the shipped ones
    when the settings or the file cannot be read (the command then reports that itself)."""
    from config.contracts import LABELS
    from config.labels import label_names
    from config.settings import Settings

    try:
        return label_names(Settings().paths.taxonomy)
    except (ValueError, OSError):
        return LABELS


def label_help() -> str:
    """Help text of a ``--label`` option: the choices, read from taxonomy.yaml."""
    return "a label of taxonomy.yaml: " + ", ".join(taxonomy_labels())


def parse_label(value: str) -> str:
    """A ``--label`` value, checked against the taxonomy's labels."""
    choices = taxonomy_labels()
    if value not in choices:
        raise typer.BadParameter(f"{value!r} is not a label of taxonomy.yaml; choose from "
                                 f"{', '.join(choices)}")
    return value
