"""The ``cgtwatch`` command line: run the stack, one service, the demo, and operator tools.

Input: command-line arguments and ``CGTWATCH_*`` settings. Output: running services, tables
and summaries on stdout; errors say what to do and exit non-zero.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.live import Live
from rich.markup import escape

from cgtwatch.cli import alerts, classify, crawl, doctor, extract, index, reconcile
from cgtwatch.cli.util import console, err, fail
from cgtwatch.runtime.logs import configure_logging
from config.settings import BadSettingsError, Settings
from config.yamlfile import OperatorFileError

app = typer.Typer(help="cgtwatch: cell and gene therapy news monitoring.", no_args_is_help=True,
                  add_completion=False)
for module in (crawl, classify, extract, index, alerts, doctor, reconcile):
    module.register(app)


EX_TEMPFAIL = 75  # sysexits.h: a dependency was unavailable; running again may succeed


def _service(name: str) -> None:
    from cgtwatch.runtime.services import SERVICES
    from cgtwatch.runtime.waits import DependencyTimeoutError, Stopped

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
    refresh: Annotated[float, typer.Option(help="seconds between status refreshes")] = 2.0,
) -> None:
    """Start everything: the local servers (unless external ones are configured), setup, and
    every service under a supervisor with a live status table. Ctrl-C stops it all."""
    from cgtwatch.devstack.stack import Stack

    settings = Settings()
    configure_logging("WARNING", secrets=settings.secret_values())
    stack = Stack(settings)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        stack.start()
    except Exception as exc:
        stack.stop()
        fail(str(exc))
    console.print(up_banner(settings, stack.log_dir))
    if stack.reconciled is not None:
        from cgtwatch.cli.reconcile import summary

        console.print(f"the local servers had been killed; reconciled: "
                      f"{summary(stack.reconciled)}", soft_wrap=True)
    if stack.reconcile_error:
        err.print(stack.reconcile_error, soft_wrap=True, markup=False)
    with Live(stack.table(), console=console, refresh_per_second=1,
              auto_refresh=False) as live:
        while not stopping:
            stack.supervisor.poll()
            live.update(stack.table(), refresh=True)
            time.sleep(refresh)
    console.print("stopping ...")
    stack.stop()
    console.print("stopped.")


@app.command()
def demo(
    json_out: Annotated[bool, typer.Option("--json", help="print a JSON summary last")] = False,
    timeout: Annotated[float, typer.Option(help="give up after this many seconds")] = 170.0,
    keep: Annotated[bool, typer.Option(help="keep the temporary data directory")] = False,
) -> None:
    """Run the whole pipeline on a bundled demo site, with local SMTP and Slack receivers."""
    from cgtwatch.demo.run import run_demo

    configure_logging("WARNING")
    code = run_demo(console, json_out=json_out, timeout_s=timeout, keep=keep)
    raise typer.Exit(code)


def main() -> None:
    """The console script: a bad ``CGTWATCH_*`` setting is one line and exit 2, whatever the
    command (no traceback, no value echoed)."""
    try:
        args = sys.argv[1:]
        if args and "--help" not in args:
            Settings()  # every command checks the settings first, before any side effect
        app()
    except BadSettingsError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise SystemExit(2) from None
