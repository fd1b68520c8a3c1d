"""``python -m cgtwatch``: the command line (see ``cgtwatch.cli``)."""

from cgtwatch.cli import main

main()
