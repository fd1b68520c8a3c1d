"""The summary line every benchmark ends with: with ``--json`` on its command line, one JSON
object as the last line of output (after the human table).

Input: the command line. Output: the other arguments and whether ``--json`` was given; the
line itself.
"""

from __future__ import annotations

import json
from typing import Any


def split_json_flag(argv: list[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--json``, and whether it was there."""
    args = [arg for arg in argv if arg != "--json"]
    return args, len(args) != len(argv)


def print_summary(summary: dict[str, Any], wanted: bool) -> None:
    """Print ``summary`` as one JSON line when ``wanted``."""
    if wanted:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
