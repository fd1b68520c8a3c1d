"""Help that reads well: every option shows a word for its value, not a Python type, and
docstrings wrapped in the source are joined into sentences.

Input: the Typer application after every command is registered. Output: the same application
with each command's help text set from its docstring with single line breaks joined (blank
lines still separate paragraphs), and each option without a metavar given one: nothing for a
flag, ``TEXT``, ``INTEGER``, ``NUMBER`` or ``PATH`` for a value (``--label LABEL`` names the
value where the option sets it). ``{taxonomy_labels}`` in an option's help becomes the labels
of the configured taxonomy when that command's help is shown.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

TAXONOMY_LABELS = "{taxonomy_labels}"  # in an option's help: the configured labels, filled in
# when the command's help is shown (reading the settings at import would slow every command)
METAVARS = {"bool": "", "str": "TEXT", "list[str]": "TEXT", "int": "INTEGER",
            "int range": "INTEGER", "float": "NUMBER", "float range": "NUMBER",
            "path": "PATH", "file": "PATH", "directory": "PATH"}


def sentences(text: str | None) -> str | None:
    """Paragraphs with their single line breaks joined (a blank line stays a break)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p).strip() for p in paragraphs)


def name_values(params: list[Any], ctx: Any) -> list[Any]:
    """Give each parameter without a metavar a word for its value (nothing for a flag)."""
    for param in params:
        if TAXONOMY_LABELS in (getattr(param, "help", None) or ""):
            from cgtwatch.cli.util import label_help

            param.help = param.help.replace(TAXONOMY_LABELS, label_help())
        if isinstance(param, TyperArgument):
            param.metavar = param.metavar or param.name.upper()
            param.__class__ = PlainArgument
        elif param.metavar is not None:
            continue
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            label = str(param.display_type(ctx)).strip("<>")
            param.metavar = METAVARS.get(label, "VALUE")
    return params


class PlainArgument(TyperArgument):
    """An argument shown by its name alone (``QUERY``), without ``<str>`` beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class PlainCommand(TyperCommand):
    """A command whose help names values in words (``TEXT``), not Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        return name_values(super().get_params(ctx), ctx)


class PlainGroup(TyperGroup):
    """A group whose help names values in words (``TEXT``), not Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        return name_values(super().get_params(ctx), ctx)


def polish(app: typer.Typer) -> typer.Typer:
    """Polish every command of ``app`` and of its sub-applications, in place."""
    app.info.cls = PlainGroup
    app.info.help = sentences(app.info.help)
    for command in app.registered_commands:
        command.cls = PlainCommand
        if command.callback is not None:
            command.help = sentences(command.help or command.callback.__doc__)
    for group in app.registered_groups:
        group.cls = PlainGroup
        if group.typer_instance is not None:
            polish(group.typer_instance)
    return app
