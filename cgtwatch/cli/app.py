"""The ``cgtwatch`` command line: run the stack, one service, the demo, and operator tools.

Input: command-line arguments and ``CGTWATCH_*`` settings. Output: running services, tables
and summaries on stdout; errors say what to do and exit non-zero.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cgtwatch.cli import (
    alerts,
    classify,
    crawl,
    deadletter,
    doctor,
    extract,
    index,
    reconcile,
    search,
    silence,
)
from cgtwatch.cli.helptext import polish
from cgtwatch.cli.util import (
    EXIT_TEMPFAIL,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    err,
    fail,
    run,
)
from cgtwatch.runtime.logs import configure_logging

if TYPE_CHECKING:
    from pathlib import Path

    from config.settings import Settings

app = typer.Typer(help="cgtwatch: cell and gene therapy news monitoring. Exit codes: 0 ok, "
                       "1 a problem found, 2 bad option or file, 3 no index yet, 69 server "
                       "down, 75 gave up waiting, 130 Ctrl-C.",
                  no_args_is_help=True, add_completion=False,
                  context_settings={"max_content_width": 100})
for module in (crawl, classify, extract, search, index, deadletter, alerts, silence, doctor,
               reconcile):
    module.register(app)

EX_TEMPFAIL = EXIT_TEMPFAIL  # sysexits.h: a dependency was unavailable; running again may succeed


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("cgtwatch")
        except PackageNotFoundError:
            found = "unknown (not installed: run `make install`)"
        console.print(f"cgtwatch {found}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="print the version and exit")]
    = False,
) -> None:
    return None


def _service(name: str) -> None:
    from cgtwatch.runtime.services import SERVICES
    from cgtwatch.runtime.waits import DependencyTimeoutError, Stopped
    from config.settings import Settings
    from config.yamlfile import OperatorFileError

    settings = Settings()
    configure_logging(settings.log_level, secrets=settings.secret_values())
    if settings.health_port:
        from cgtwatch.runtime.health import serve_health

        serve_health(settings.health_port)
    try:
        SERVICES[name](settings)
    except OperatorFileError as exc:
        fail(str(exc))
    except DependencyTimeoutError as exc:
        fail(str(exc), code=EX_TEMPFAIL)
    except Stopped as exc:
        err.print(f"{name}: stopped ({exc}) while waiting for its dependencies")
        raise typer.Exit(0) from None


@app.command()
def scheduler() -> None:
    """Run the scheduler: queue a crawl job for each source on its schedule."""
    _service("scheduler")


@app.command()
def crawler() -> None:
    """Run a crawler worker: take crawl jobs and crawl each source in a child process."""
    _service("crawler")


@app.command()
def streams() -> None:
    """Run the Faust worker that dedupes and classifies raw articles."""
    _service("streams")


@app.command()
def indexer() -> None:
    """Run the indexer: bulk-write classified articles to Elasticsearch."""
    _service("indexer")


@app.command()
def alerter() -> None:
    """Run the alerter: deliver Slack/email alerts for matching articles."""
    _service("alerter")


@app.command()
def setup() -> None:
    """Create Kafka topics and Elasticsearch indices (idempotent; waits for both)."""
    from cgtwatch.runtime.bootstrap import setup_all
    from cgtwatch.runtime.waits import DependencyTimeoutError
    from config.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, secrets=settings.secret_values())
    try:
        done = setup_all(settings)
    except DependencyTimeoutError as exc:
        fail(str(exc))  # names the server, its address and the settings to check
    except RuntimeError as exc:
        fail(f"{exc}\nCheck CGTWATCH_KAFKA__BOOTSTRAP_SERVERS and CGTWATCH_ELASTIC__URL.")
    console.print(f"topics created: {done['topics_created'] or 'none (all existed)'}; "
                  f"indices: {', '.join(done['indices'])}")


def up_banner(settings: Settings, log_dir: Path) -> str:
    """What ``cgtwatch up`` prints once everything runs (no credentials in the URL)."""
    return (f"cgtwatch is up: Kafka {settings.kafka_bootstrap}, Elasticsearch "
            f"{settings.elastic_address}, logs in {log_dir}. Ctrl-C stops.")


@app.command()
def up(
    refresh: Annotated[float, typer.Option(help="seconds between refreshes of the view")] = 2.0,
    tui: Annotated[bool, typer.Option(
        help="draw the live view; --no-tui prints one line per event (for logs)")] = True,
) -> None:
    """Start everything: the local servers (unless external ones are configured), setup,
    and every service under a supervisor, with a live view of crawls, articles, dead
    letters, lag, channels and alerts. Ctrl-C stops it all (services first)."""
    from cgtwatch.cli.live import run_up
    from cgtwatch.devstack.localstack import LocalStackError
    from cgtwatch.runtime.preflight import NotConfiguredError
    from config.settings import Settings

    settings = Settings()
    configure_logging("WARNING", secrets=settings.secret_values())
    try:
        run_up(console, settings, refresh, tui and console.is_terminal)
    except LocalStackError as exc:
        fail(str(exc), EXIT_UNAVAILABLE)
    except NotConfiguredError as exc:  # the pre-flight check names every problem
        err.print(str(exc), soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def demo(
    json_out: Annotated[bool, typer.Option("--json", help="print a JSON summary last")] = False,
    timeout: Annotated[float, typer.Option(help="give up after this many seconds")] = 170.0,
    keep: Annotated[bool, typer.Option(
        help="leave the stack up until Ctrl-C and print the commands to search it")] = False,
) -> None:
    """Run the whole pipeline on a bundled demo site, with local SMTP and Slack receivers."""
    from cgtwatch.demo.run import run_demo

    configure_logging("WARNING")
    code = run_demo(console, json_out=json_out, timeout_s=timeout, keep=keep)
    raise typer.Exit(code)


polish(app)


def main() -> None:
    """The console script. A bad ``CGTWATCH_*`` setting stops every command at once (one line,
    exit 2, never the value); expected failures are one line with a documented exit code."""
    args = sys.argv[1:]

    def checked() -> None:
        if args and not {"--help", "--version"} & set(args):
            from config.settings import Settings

            Settings()  # every command checks the settings first, before any side effect
        app()

    run(checked)
