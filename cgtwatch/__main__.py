"""``python -m cgtwatch``: the command line (see ``cgtwatch.cli.app``)."""

from cgtwatch.cli.app import main

main()
