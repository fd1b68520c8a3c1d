"""Shared helpers of the command modules: consoles, logging, and errors that say what to do.

Input: messages. Output: formatted output on stdout/stderr and ``typer.Exit`` codes.
"""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
