"""Shared helpers of the command modules: consoles and errors that say what to do.

Input: messages. Output: formatted output on stdout/stderr and ``typer.Exit`` codes.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
