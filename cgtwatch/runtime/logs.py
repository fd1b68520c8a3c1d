"""Logging of every cgtwatch process (command line and services alike): one handler on
stderr, secrets redacted, repeats folded.

Input: log records of our code and of the client libraries (kafka-python, aiokafka,
elastic_transport, slack_sdk, ...). Output: lines on stderr, text or (``fmt="json"``) one
valid JSON object per line (``time``, ``level``, ``logger``, ``message``, every ``extra=``
field such as ``article_id``, ``source``, ``stage``, and ``exc_info`` for exceptions).

Two filters sit on the handler, so they see every record whatever logger it came from:
``RepeatFilter`` lets one WARNING-or-worse record per (logger, message template) through per
interval and tells the count of the ones it held back (a broker outage is a few lines, not
thousands); ``RedactFilter`` removes URL passwords, Slack webhook paths, chat-robot keys
(WeCom ``key=``, DingTalk ``access_token=``/``sign=``, Teams ``sig=``, Feishu hook paths) and
the secret values of the settings from messages and tracebacks.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

CHATTY_LIBRARIES = ("kafka", "aiokafka", "elastic_transport", "urllib3", "scrapy.core.scraper")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REPEAT_INTERVAL_S = 10.0
REDACTED = "***"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*):[^\s/@]*@")
_SLACK_HOOK = re.compile(r"(hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/)\S+")
# chat robots' keys: WeCom ?key=, DingTalk ?access_token= and &sign=, Teams workflows &sig=,
# Feishu/Lark hook paths
_QUERY_KEY = re.compile(r"([?&](?:key|access_token|sign|sig)=)[^&\s\"']+")
_FEISHU_HOOK = re.compile(r"(/open-apis/bot/v2/hook/)[^\s\"'?]+")
_DIGITS = re.compile(r"\d+")
_LINE_BREAKS = "\x85\u2028\u2029"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without URL passwords (``http://user:***@host``), Slack webhook paths and
    any of ``secrets``."""
    text = _URL_PASSWORD.sub(rf"\g<head>:{REDACTED}@", text)
    text = _SLACK_HOOK.sub(rf"\g<1>{REDACTED}", text)
    text = _QUERY_KEY.sub(rf"\g<1>{REDACTED}", text)
    text = _FEISHU_HOOK.sub(rf"\g<1>{REDACTED}", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad %-format in a library: keep the line rather than lose it
        return f"{record.msg!s} {record.args!r}"


class RedactFilter(logging.Filter):
    """Rewrites each record's message and traceback with ``redact``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(_message(record), self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


class RepeatFilter(logging.Filter):
    """One record per (logger, level, message template) and ``interval_s`` at WARNING and
    above; the next one let through after a quiet spell says how many were held back.
    Digits in the template are ignored, so f-string messages with counters fold too. A record
    with ``extra={"paced": True}`` comes from a loop that paces itself (a backoff) and is
    never folded."""

    def __init__(self, interval_s: float = REPEAT_INTERVAL_S, level: int = logging.WARNING,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval_s, self.level, self.clock = interval_s, level, clock
        self._windows: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level or getattr(record, "paced", False):
            return True
        now = self.clock()
        key = (record.name, record.levelno, _DIGITS.sub("#", str(record.msg))[:300])
        window = self._windows.get(key)
        if window is not None and now - window[0] < self.interval_s:
            window[1] += 1
            return False
        if window is not None and window[1]:
            held, span = int(window[1]), now - window[0]
            record.msg, record.args = (f"{_message(record)} [{held} more like this in the "
                                       f"last {span:.0f}s]"), None
        self._windows[key] = [now, 0]
        if len(self._windows) > 2000:
            self._forget(now)
        return True

    def _forget(self, now: float) -> None:
        for key in [k for k, w in self._windows.items() if now - w[0] >= self.interval_s]:
            del self._windows[key]


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the
    ``extra=`` fields (``article_id``, ``source``, ``stage``, ...) and any exception. Always
    one line of valid JSON: newlines are escaped, NaN becomes a string, lone surrogates are
    escaped, unknown objects are written as ``str``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info or record.exc_text:
            out["exc_info"] = record.exc_text or self.formatException(record.exc_info or
                                                                      (None, None, None))
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        try:
            line = json.dumps(_json_safe(out), ensure_ascii=False, allow_nan=False)
        except (ValueError, RecursionError):
            line = json.dumps({k: str(v) for k, v in out.items()}, ensure_ascii=False)
        for char in _LINE_BREAKS:  # valid in JSON, but str.splitlines() breaks lines on them
            line = line.replace(char, f"\\u{ord(char):04x}")
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


class OurHandler(logging.StreamHandler[TextIO]):
    """Marks the root handler installed here, so a second call replaces only it."""


def configure_logging(level: str, fmt: str = "text", secrets: Iterable[str] = (),
                      repeat_interval_s: float = REPEAT_INTERVAL_S) -> None:
    """Log to stderr at ``level`` as text or (``fmt="json"``) JSON lines, with repeats folded
    and ``secrets`` redacted; client libraries that log every connection and request at INFO
    are kept at WARNING unless the level is DEBUG. Calling it again replaces the handler an
    earlier call installed."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, OurHandler)]:
        root.removeHandler(old)
    handler = OurHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RepeatFilter(repeat_interval_s))
    handler.addFilter(RedactFilter(secrets))
    root.addHandler(handler)
    root.setLevel(level.upper())
    if level.upper() != "DEBUG":
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)
