"""``cgtwatch reconcile``: bring back articles that were published but never indexed.

Input: settings; the seen-store, the topics and the index of a running stack. Output: one
summary line (or, with ``--json``, one JSON object) saying how many articles the index lacked
and how each was brought back (``cgtwatch.runtime.reconcile``); exit 0, or 2 when Kafka or
Elasticsearch cannot be read. Safe to run at any time and again: everything is keyed by
``article_id``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from cgtwatch.cli.util import console, explain, fail

if TYPE_CHECKING:  # imported where used: `cgtwatch --help` must not load them
    from cgtwatch.runtime.reconcile import ReconcileResult


def summary(result: ReconcileResult) -> str:
    """One line for the operator."""
    jobs = ", ".join(result.crawl_jobs) or "none"
    return (f"{result.published} articles published (seen-store), {result.missing} missing "
            f"from the index: {result.indexed_from_topic} indexed from articles.classified, "
            f"{result.republished} classified again from articles.raw, {result.refetched} to "
            f"fetch again; crawls queued: {jobs}")


def reconcile_command(
    all_sources: Annotated[bool, typer.Option(
        "--all-sources", help="also re-read every source's lists in full (after a crash: "
        "finds articles the seen-store lost too)")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Find articles published but missing from the index, and index, re-publish or re-fetch
    them (idempotent; `cgtwatch up` runs it after the local servers were killed)."""
    from cgtwatch.runtime.reconcile import reconcile_configured
    from config.settings import Settings
    from config.yamlfile import OperatorFileError

    settings = Settings()
    try:
        result = reconcile_configured(settings, all_sources)
    except OperatorFileError as exc:
        fail(str(exc))
    except Exception as exc:  # servers down or unreachable: say what to do
        known = explain(exc)
        if known is None:
            raise
        fail(f"cannot reconcile: {known[0]}", known[1])
    console.print(json.dumps(result.as_dict()) if json_out else summary(result), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("reconcile")(reconcile_command)
