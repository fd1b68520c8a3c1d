"""The ``cgtwatch`` command line (Typer app and command modules)."""
