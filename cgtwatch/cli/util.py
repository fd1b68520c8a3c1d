"""Shared helpers of the command modules: consoles, exit codes, one-line errors, and the
checks of filter values (labels, sources, stages) against what the operator files define.

Input: messages, exceptions, option values, stored times and ``Settings``. Output: formatted
output on stdout/stderr (times in the display zone of ``Settings.display``) and ``typer.Exit``
codes. Nothing heavy is imported at module level, so that
``cgtwatch --help`` stays fast: Elasticsearch, Kafka and the classifier load inside functions.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from config.settings import Settings

console = Console()
err = Console(stderr=True)

# Exit codes (the README's table lists them; keep both in step).
EXIT_OK = 0
EXIT_PROBLEM = 1       # the command ran and found a problem (a check failed, a crawl failed)
EXIT_USAGE = 2         # a bad option, value, or operator file: fix the command or the file
EXIT_NO_DATA = 3       # the server answers but has no such index yet: run `cgtwatch setup`/`up`
EXIT_UNAVAILABLE = 69  # a server (Kafka, Elasticsearch) does not answer: start it or fix its URL
EXIT_TEMPFAIL = 75     # a service gave up waiting for its dependencies; running again may work
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C
EXIT_CODES = {EXIT_OK: "success", EXIT_PROBLEM: "ran, found a problem",
              EXIT_USAGE: "bad option, value or operator file",
              EXIT_NO_DATA: "no such index yet", EXIT_UNAVAILABLE: "server does not answer",
              EXIT_TEMPFAIL: "gave up waiting for a dependency",
              EXIT_INTERRUPTED: "interrupted (Ctrl-C)"}

#: stages that write dead letters; the alerter's are ``alerts`` (``alerter`` in letters
#: written before durable delivery)
STAGES = ("streams", "indexer", "alerts", "alerter", "crawler")
NOISY_LOGGERS = ("elastic_transport", "elasticsearch", "kafka", "urllib3")
LIST_SEP = ", "


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``error: message`` on one line (never wrapped) and exit with ``code``."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def quiet_clients() -> None:
    """Client libraries log every retry with a traceback; a command reports failures itself."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def es_client(settings: Settings, timeout_s: float = 10.0) -> Elasticsearch:
    """An Elasticsearch client for one command: no retries, a short timeout, no log noise."""
    from elasticsearch import Elasticsearch

    from config.clients import elastic

    quiet_clients()
    options = {**elastic(settings), "max_retries": 0, "retry_on_timeout": False,
               "request_timeout": min(timeout_s, settings.elastic.request_timeout)}
    return Elasticsearch(**options)


def server_hint(settings: Settings, server: str) -> str:
    embedded = settings.embedded_elastic if server == "Elasticsearch" else settings.embedded_kafka
    setting = ("CGTWATCH_ELASTIC__URL" if server == "Elasticsearch"
               else "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS")
    return ("start the stack with `cgtwatch up` (in another terminal)" if embedded
            else f"check {setting} and the credentials (or unset it and run `cgtwatch up`)")


def require_kafka(settings: Settings, timeout_s: float = 2.0) -> None:
    """Fail at once (exit 69) when no bootstrap server accepts a connection."""
    from cgtwatch.runtime.probes import tcp_connect
    from cgtwatch.runtime.waits import ProbeError

    quiet_clients()
    try:
        tcp_connect(settings.kafka_bootstrap.split(","), timeout_s)
    except ProbeError as exc:
        fail(f"Kafka at {settings.kafka_bootstrap} does not answer ({exc}): "
             f"{server_hint(settings, 'Kafka')}", EXIT_UNAVAILABLE)


def check_choices(option: str, values: Iterable[str] | None, known: Iterable[str],
                  listing: str = "") -> None:
    """Exit 2 naming the known values (or, when there are many, where to list them) when one
    of ``values`` is not among them."""
    import difflib

    allowed = sorted(set(known))
    for value in values or ():
        if value in allowed:
            continue
        close = [a for a in allowed if a.replace("_", "") == value.replace("_", "").lower()]
        close = close or difflib.get_close_matches(value, allowed, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        known_text = (f"known: {LIST_SEP.join(allowed)}" if len(allowed) <= 12 or not listing
                      else f"{len(allowed)} known: {listing} lists them")
        fail(f"{option} {value!r} is not known{hint}; {known_text}")


def known_labels(settings: Settings) -> list[str]:
    """The labels of the configured taxonomy (``CGTWATCH_PATHS__TAXONOMY``)."""
    from config.labels import label_names
    from config.yamlfile import OperatorFileError

    try:
        return list(label_names(settings.paths.taxonomy))
    except OperatorFileError as exc:
        fail(str(exc))


def taxonomy_labels() -> tuple[str, ...]:
    """The labels of the configured taxonomy (``CGTWATCH_PATHS__TAXONOMY``); the shipped ones
    when the settings or the file cannot be read (the command then reports that itself)."""
    from config.contracts.articles import LABELS
    from config.labels import label_names
    from config.settings import Settings

    try:
        return label_names(Settings().paths.taxonomy)
    except (ValueError, OSError):
        return LABELS


def label_help() -> str:
    """Help text of a ``--label`` option: the choices, read from taxonomy.yaml (called when a
    command runs, never at import: ``cgtwatch --help`` must not load the settings)."""
    return "a label of taxonomy.yaml: " + ", ".join(taxonomy_labels())


def parse_label(value: str) -> str:
    """A ``--label`` value, checked against the taxonomy's labels."""
    choices = taxonomy_labels()
    if value not in choices:
        raise typer.BadParameter(f"{value!r} is not a label of taxonomy.yaml; choose from "
                                 f"{', '.join(choices)}")
    return value


SOURCES_LISTING = "`cgtwatch sources status`"


def known_sources(settings: Settings) -> list[str]:
    from config.sources import load_sources
    from config.yamlfile import OperatorFileError

    try:
        return [s.id for s in load_sources(settings.paths.sources).sources]
    except OperatorFileError as exc:
        fail(str(exc))


def explain(exc: BaseException) -> tuple[str, int] | None:
    """One line and an exit code for an expected failure; ``None`` for a bug (traceback)."""
    module = type(exc).__module__.split(".")[0]
    name = type(exc).__name__
    if module in ("elastic_transport", "elasticsearch"):
        if name in ("ConnectionError", "ConnectionTimeout", "TransportError", "SSLError"):
            return (f"Elasticsearch does not answer ({name}): start the stack with "
                    "`cgtwatch up`, or check CGTWATCH_ELASTIC__URL", EXIT_UNAVAILABLE)
        if name == "NotFoundError":
            return (f"Elasticsearch has no such index yet ({_index_of(exc)}): run "
                    "`cgtwatch setup` (or `cgtwatch up`) and let a crawl finish", EXIT_NO_DATA)
        if name in ("AuthenticationException", "AuthorizationException"):
            return (f"Elasticsearch refused the credentials ({name}): check "
                    "CGTWATCH_ELASTIC__API_KEY or __USERNAME/__PASSWORD", EXIT_UNAVAILABLE)
    if module == "kafka" and name in ("NoBrokersAvailable", "KafkaTimeoutError",
                                      "KafkaConnectionError"):
        return (f"Kafka does not answer ({name}): start the stack with `cgtwatch up`, or "
                "check CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", EXIT_UNAVAILABLE)
    if name in ("OperatorFileError", "BadSettingsError"):
        return str(exc), EXIT_USAGE
    if name == "DependencyTimeoutError":
        return str(exc), EXIT_TEMPFAIL
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}", EXIT_USAGE
    return None


def _index_of(exc: BaseException) -> str:
    info = getattr(exc, "info", None) or getattr(exc, "body", None)
    error = info.get("error") if isinstance(info, dict) else None
    if isinstance(error, dict):
        return str(error.get("index") or error.get("type") or "index")
    return "index"


def run(app: Callable[[], object]) -> None:
    """Run the application; expected failures become one line and a documented exit code."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        known = explain(exc)
        if known is None:
            raise
        message, code = known
        err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
        sys.exit(code)


def when(value: str | datetime | None, settings: Settings) -> str:
    """A stored time in the display zone (``2026-11-18 09:30 +08:00``), '-' when unknown."""
    from config.timezones import show_time

    return show_time(value, settings.display.timezone)


def zone_note(settings: Settings) -> str:
    """The line every command prints under times: which zone they are in, how to change it."""
    return (f"times in {settings.display.timezone} (set CGTWATCH_DISPLAY__TIMEZONE to "
            "change; --since dates are read in it)")
