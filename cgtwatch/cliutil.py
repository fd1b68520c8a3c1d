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


CHATTY_LIBRARIES = ("kafka", "aiokafka", "elastic_transport", "urllib3", "scrapy.core.scraper")


def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; client libraries that log every connection and request
    at INFO are kept at WARNING unless the level is DEBUG."""
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level.upper() != "DEBUG":
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
