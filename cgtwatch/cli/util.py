"""Shared helpers of the command modules: consoles and errors that say what to do.

Input: messages, option values and stored times. Output: formatted output on stdout/stderr
(times in the display zone of ``Settings.display``), ``typer.Exit`` codes, and the
``--label`` option's choices (the labels of the configured taxonomy.yaml).
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from config.settings import Settings
from config.timezones import show_time

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


def when(value: str | datetime | None, settings: Settings) -> str:
    """A stored time in the display zone (``2026-11-18 09:30 +08:00``), '-' when unknown."""
    return show_time(value, settings.display.timezone)


def zone_note(settings: Settings) -> str:
    """The line every command prints under times: which zone they are in, how to change it."""
    return (f"times in {settings.display.timezone} (set CGTWATCH_DISPLAY__TIMEZONE to "
            "change; --since dates are read in it)")
