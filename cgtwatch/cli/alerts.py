"""Commands about alert rules and deliveries: ``rules check``, ``rules test``,
``alerts history``, ``alerts retry``.

Input: command-line options, settings, the articles and alert-history indices. Output: tables
(or JSON lines with ``--json``) on stdout. ``rules test`` is a dry run: it searches recent
articles, matches them with the alerter's own pure ``rule_matches`` and renders what would be
sent, without sending anything or touching the ledger. ``alerts retry`` puts chosen
deliveries back in their channel's queue; a running alerter sends them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cgtwatch.cli.util import (
    EXIT_NO_DATA,
    EXIT_UNAVAILABLE,
    console,
    fail,
    server_hint,
    when,
    zone_note,
)

if TYPE_CHECKING:  # imported where used: `cgtwatch --help` must not load them
    from config.contracts.articles import ClassifiedArticle
    from config.rules import AlertRulesFile, Rule
    from config.settings import Settings

rules_app = typer.Typer(help="Check and dry-run alert rules.", no_args_is_help=True)
alerts_app = typer.Typer(help="Inspect alert deliveries.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")]
Since = Annotated[str, typer.Option(help="how far back: 30m, 12h, 7d, 2w")]


def _rules(settings: Settings) -> AlertRulesFile:
    from config.labels import label_names
    from config.rules import load_alert_rules
    from config.yamlfile import OperatorFileError

    try:
        return load_alert_rules(settings.paths.alert_rules, label_names(settings.paths.taxonomy))
    except OperatorFileError as exc:
        fail(str(exc))


def _since(text: str) -> datetime:
    from config.contracts.wire import utcnow
    from config.durations import parse_duration

    try:
        return utcnow() - parse_duration(text)
    except ValueError as exc:
        fail(str(exc))


def _search(settings: Settings, index: str, **query: Any) -> list[dict[str, Any]]:
    from elasticsearch import ApiError, NotFoundError, TransportError

    from cgtwatch.cli.util import es_client

    es = es_client(settings)
    try:
        return [hit["_source"] for hit in es.search(index=index, **query)["hits"]["hits"]]
    except NotFoundError:
        fail(f"no index {index} yet: run `cgtwatch setup` or `cgtwatch up`", EXIT_NO_DATA)
    except (ApiError, TransportError) as exc:
        fail(f"Elasticsearch at {settings.elastic_url} does not answer ({type(exc).__name__}): "
             f"{server_hint(settings, 'Elasticsearch')}", EXIT_UNAVAILABLE)
    finally:
        es.close()


@rules_app.command("check")
def rules_check() -> None:
    """Validate alert_rules.yaml; errors name file, line and field."""
    from config.settings import Settings

    settings = Settings()
    loaded = _rules(settings)
    console.print(f"{settings.paths.alert_rules}: {len(loaded.channels)} channels, "
                  f"{len(loaded.rules)} rules valid")


def _preview(rule: Rule, article: ClassifiedArticle, types: dict[str, str]) -> dict[str, Any]:
    """What ``rule`` would send for ``article``: when, and the message of every channel
    (``types``: channel name → type) as its type renders it."""
    from alerts.channels.registry import render_as
    from alerts.render import render_email, render_slack
    from alerts.schedule import decide
    from config.contracts.wire import utcnow

    decision = decide(rule, utcnow())
    return {"article_id": article.article_id, "title": article.title, "url": article.url,
            "source": article.source_name or article.source_id, "published": article.published,
            "labels": article.labels, "delivery": decision.reason,
            "due_at": decision.due_at.isoformat() if decision.due_at else None,
            "slack": render_slack(rule, article), "email_subject":
            render_email(rule, article).subject,
            "channels": {name: {"type": kind, "message": render_as(kind, rule, article)}
                         for name, kind in types.items()}}


def _show_matches(rule: Rule, previews: list[dict[str, Any]], scanned: int,
                  settings: Settings) -> None:
    table = Table(title=f"rule {rule.name}: {len(previews)} of {scanned} recent articles "
                        f"match → channels {', '.join(rule.channels)} ({rule.mode})",
                  caption=zone_note(settings))
    for column in ("published", "source", "labels", "title", "delivery"):
        table.add_column(column, overflow="fold")
    for p in previews:
        table.add_row(when(p["published"], settings), p["source"], ", ".join(p["labels"]),
                      p["title"], p["delivery"])
    console.print(table)
    for name, shown in (previews[0]["channels"] if previews else {}).items():
        console.print(f"[bold]{shown['type']} message on channel {name} for the first "
                      "match:[/]")
        console.print_json(json.dumps(shown["message"], ensure_ascii=False))


def _channel_types(loaded: AlertRulesFile, rule: Rule, wanted: list[str]) -> dict[str, str]:
    from alerts.channels.registry import REGISTRY

    if wanted == ["all"]:
        return {f"({kind})": kind for kind in REGISTRY}
    unknown = sorted(set(wanted) - set(REGISTRY))
    if unknown:
        fail(f"unknown channel type(s) {unknown}; known: {', '.join(sorted(REGISTRY))}, all")
    if wanted:
        return {f"({kind})": kind for kind in wanted}
    return {name: loaded.channel(name).type for name in rule.channels}


@rules_app.command("test")
def rules_test(
    rule_name: Annotated[str, typer.Argument(metavar="RULE", help="name of a rule")],
    since: Since = "7d",
    limit: Annotated[int, typer.Option(help="articles to scan at most")] = 1000,
    as_type: Annotated[list[str] | None, typer.Option(
        "--as", help="render as this channel type (slack, email, wecom, dingtalk, feishu, "
        "teams, webhook, file, console) instead of the rule's channels; 'all' for every "
        "type; repeatable")] = None,
    json_out: Json = False,
) -> None:
    """Dry-run RULE against recent articles in the index: what would it have sent, and how
    would each of its channels (or each channel type) render it?"""
    from alerts.dryrun import matches, range_query
    from alerts.stories import articles_index
    from config.settings import Settings

    settings = Settings()
    loaded = _rules(settings)
    rule = next((r for r in loaded.rules if r.name == rule_name), None)
    if rule is None:
        names = ", ".join(r.name for r in loaded.rules)
        fail(f"no rule named {rule_name!r} in {settings.paths.alert_rules}; rules: {names}")
    types = _channel_types(loaded, rule, as_type or [])
    docs = _search(settings, articles_index(settings), query=range_query(_since(since)),
                   size=limit, sort=[{"fetched_at": "desc"}])
    previews = [_preview(rule, a, types) for a in matches(rule, docs)]
    if json_out:
        for preview in previews:
            print(json.dumps(preview, ensure_ascii=False))
        return
    _show_matches(rule, previews, len(docs), settings)


def _table(title: str, rows: list[dict[str, Any]], settings: Settings) -> Table:
    table = Table(title=title, caption=zone_note(settings))
    for column in ("updated", "status", "kind", "rule", "channel", "what", "tries",
                   "next attempt", "resolution", "error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        what = r.get("title") or r.get("window") or r.get("url") or ""
        waiting = r.get("status") in ("queued", "retrying")
        table.add_row(when(r.get("updated_at"), settings), r.get("status", ""),
                      r.get("kind", ""), r.get("rule", ""), r.get("channel", ""), what,
                      str(r.get("attempts", "")),
                      when(r.get("next_attempt_at"), settings) if waiting else "",
                      r.get("resolution") or "", (r.get("error") or "")[:80])
    return table


Status = Annotated[str | None, typer.Option(
    help="queued, sending, sent, retrying, failed, unknown, digesting or silenced")]
Rule_ = Annotated[str | None, typer.Option("--rule", help="only this rule")]
Channel = Annotated[str | None, typer.Option("--channel", help="only this channel")]


def _check_status(status: str | None, allowed: tuple[str, ...]) -> None:
    if status is not None and status not in allowed:
        fail(f"--status must be one of {', '.join(allowed)}")


@alerts_app.command("history")
def alerts_history(
    rule: Rule_ = None,
    status: Status = None,
    channel: Channel = None,
    since: Since = "7d",
    limit: Annotated[int, typer.Option(help="rows at most")] = 50,
    json_out: Json = False,
) -> None:
    """List deliveries (state, tries, next attempt), queued digest items, newest first."""
    from alerts.history import STATUSES, alerts_index, history_query
    from config.settings import Settings

    _check_status(status, STATUSES)
    settings = Settings()
    rows = _search(settings, alerts_index(settings), size=limit,
                   query=history_query(rule, status, _since(since), channel),
                   sort=[{"updated_at": "desc"}], source_excludes=["article", "payload"])
    if json_out:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    console.print(_table(f"alert history ({len(rows)} rows)", rows, settings))


@alerts_app.command("retry")
def alerts_retry(
    status: Annotated[str, typer.Option(help="failed, unknown or retrying")] = "failed",
    since: Since = "7d",
    rule: Rule_ = None,
    channel: Channel = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would be sent")
                       ] = False,
    limit: Annotated[int, typer.Option(help="deliveries at most")] = 1000,
) -> None:
    """Send chosen deliveries again: back in their channel's queue, due now (the running
    alerter sends them in order). Exit code 0, also when nothing matched."""
    from elasticsearch import Elasticsearch

    from alerts.history import alerts_index
    from alerts.retry import RETRYABLE_STATUSES, requeue, retry_query
    from config.clients import elastic
    from config.settings import Settings

    _check_status(status, RETRYABLE_STATUSES)
    settings = Settings()
    es = Elasticsearch(**elastic(settings))
    try:
        rows, done = requeue(es, alerts_index(settings),
                             retry_query(status, _since(since), rule, channel),
                             dry_run=dry_run, limit=limit)
    except Exception as exc:
        fail(f"Elasticsearch at {settings.elastic_url}: {exc}\nIs the stack running "
             "(cgtwatch up) and CGTWATCH_ELASTIC__URL right?")
    finally:
        es.close()
    console.print(_table(f"{len(rows)} {status} deliveries chosen", rows, settings))
    if dry_run:
        console.print("dry run: nothing was queued")
    else:
        console.print(f"{done} queued again; a running alerter sends them within "
                      f"{settings.alerts.poll_s:g} s")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.add_typer(rules_app, name="rules")
    app.add_typer(alerts_app, name="alerts")
