"""The one duration parser of cgtwatch: a number and a unit, e.g. ``90s``, ``30m``, ``2h``.

Input: text an operator wrote in a YAML file (``schedule.every``, a rule's ``window``) or on
the command line (``--for``, ``--since``): a number (decimals allowed) and one of the units
``s``, ``m``, ``h``, ``d``, ``w`` (``UNITS``), with optional spaces around and between.
Output: seconds (``parse_seconds``), a ``timedelta`` (``parse_duration``) or a whole number of
seconds above zero (``whole_seconds``, for schedules). Anything else raises ``ValueError``
with a message that lists examples, fit to follow a file, line and field, or ``--option:``.
Pure.
"""

from __future__ import annotations

import re
from datetime import timedelta

#: seconds per unit; the letters are also Elasticsearch date-math units (``indexer.queries``)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(rf"^\s*(\d+(?:\.\d+)?)\s*([{''.join(UNITS)}])\s*$")
EXAMPLES = "90s, 30m, 2h, 1d, 2w"


def parse_seconds(text: str) -> float:
    """Seconds of a duration such as ``90s``, ``30m``, ``1.5h``, ``1d`` or ``2w``."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration: use a number and a unit "
                         f"(s, m, h, d or w), e.g. {EXAMPLES}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_duration(text: str) -> timedelta:
    """A duration such as ``30m``, ``12h``, ``7d`` or ``2w`` as a ``timedelta``."""
    return timedelta(seconds=parse_seconds(text))


def whole_seconds(text: str) -> int:
    """Seconds of a duration that must be more than zero and a whole number of seconds (an
    interval of a schedule)."""
    value = parse_seconds(text)
    if value <= 0:
        raise ValueError("must be more than zero, e.g. '30m'")
    if value != int(value):
        raise ValueError(f"{text.strip()!r} is not a whole number of seconds, e.g. '90s'")
    return int(value)
