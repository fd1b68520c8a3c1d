"""Commands about the index and search (index setup/migrate, search, stories, deadletter, backfill).

Input: command-line options and settings. Output: tables and summaries on stdout.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
