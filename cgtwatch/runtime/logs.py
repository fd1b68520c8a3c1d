"""Logging of every cgtwatch process (command line and services alike).

Input: log records. Output: log lines on stderr: text, or with ``CGTWATCH_LOG_FORMAT=json``
one JSON object per line (``time``, ``level``, ``logger``, ``message``, plus every ``extra=``
field such as ``article_id``, ``source`` and ``stage``, and ``exc_info`` for exceptions).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

CHATTY_LIBRARIES = ("kafka", "aiokafka", "elastic_transport", "urllib3", "scrapy.core.scraper")


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the
    ``extra=`` fields (``article_id``, ``source``, ``stage``, ...) and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _OurHandler(logging.StreamHandler[TextIO]):
    """Marks the root handler installed here, so a second call replaces only it."""


def configure_logging(level: str, fmt: str = "text") -> None:
    """Log to stderr at ``level`` as text or (``fmt="json"``) JSON lines; client libraries
    that log every connection and request at INFO are kept at WARNING unless the level is
    DEBUG. Calling it again replaces the handler an earlier call installed."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    handler = _OurHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    if level.upper() != "DEBUG":
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)

