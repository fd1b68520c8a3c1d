"""Commands that silence rules: ``rules silence``, ``rules unsilence``, ``rules list``.

Input: a rule name of ``alert_rules.yaml`` and a duration; the alert-history index, where a
silence is stored (``alerts.silence``). Output: one line saying until when (in the display
zone), or a table of the rules with their mode, channels, flatline and spike settings and
silence. A running alerter reads stored silences on its next timer tick
(``alerts.flush_interval_s``). Exit code 0; 2 for an unknown rule or duration, 3 when the
alert-history index does not exist yet, 69 when Elasticsearch does not answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cgtwatch.cli.alerts import _rules, rules_app
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
    from config.settings import Settings

RuleName = Annotated[str, typer.Argument(help="the rule's name in alert_rules.yaml")]


def _store(settings: Settings, action: Any) -> Any:
    """Run ``action(es, index)`` on the alert-history index; one line when it cannot."""
    from elasticsearch import ApiError, TransportError

    from alerts.history import alerts_index
    from cgtwatch.cli.util import es_client

    es, index = es_client(settings), alerts_index(settings)
    try:
        if not es.indices.exists(index=index):
            fail(f"no index {index} yet: run `cgtwatch setup` or `cgtwatch up`", EXIT_NO_DATA)
        return action(es, index)
    except (ApiError, TransportError) as exc:
        fail(f"Elasticsearch at {settings.elastic_url} does not answer ({type(exc).__name__}): "
             f"{server_hint(settings, 'Elasticsearch')}", EXIT_UNAVAILABLE)
    finally:
        es.close()


def _known(settings: Settings, name: str) -> None:
    names = [r.name for r in _rules(settings).rules]
    if name not in names:
        fail(f"no rule named {name!r} in {settings.paths.alert_rules}; rules: "
             f"{', '.join(names)}")


@rules_app.command("silence")
def rules_silence(
    rule: RuleName,
    for_: Annotated[str, typer.Option("--for", help="how long: 30m, 2h, 1d")] = "1h",
) -> None:
    """Silence a rule for a while: its matches are recorded in the alert history
    (status silenced), not sent. Stored durably; a running alerter applies it within
    alerts.flush_interval_s."""
    from alerts.silence import set_silence
    from config.contracts.wire import utcnow
    from config.durations import parse_duration
    from config.settings import Settings

    settings = Settings()
    _known(settings, rule)
    try:
        until = utcnow() + parse_duration(for_)
    except ValueError as exc:
        fail(f"--for: {exc}")
    _store(settings, lambda es, index: set_silence(es, index, rule, until))
    console.print(f"rule {rule} silenced until {when(until, settings)}", highlight=False)


@rules_app.command("unsilence")
def rules_unsilence(rule: RuleName) -> None:
    """Lift a silence set with `rules silence` (a silence_until in the file stays)."""
    from alerts.silence import clear_silence
    from config.settings import Settings

    settings = Settings()
    _known(settings, rule)
    lifted = _store(settings, lambda es, index: clear_silence(es, index, rule))
    console.print(f"rule {rule}: " + ("silence lifted" if lifted else "was not silenced"))


@rules_app.command("list")
def rules_list() -> None:
    """The rules with their mode, channels, flatline, spike and silence (file or stored)."""
    from alerts.silence import silenced_until, stored_silences
    from config.contracts.wire import utcnow
    from config.settings import Settings

    settings = Settings()
    loaded = _rules(settings)
    stored = _store(settings, stored_silences)
    now = utcnow()
    table = Table(title=f"{len(loaded.rules)} rules in {settings.paths.alert_rules}",
                  caption=zone_note(settings))
    for column in ("rule", "mode", "channels", "flatline", "spike", "silenced until"):
        table.add_column(column, overflow="fold")
    for r in loaded.rules:
        until = silenced_until(r, stored, now)
        flat = f"<{r.flatline.min_items} in {r.flatline.window}" if r.flatline else ""
        spike = (f"{r.spike.by} ≥{r.spike.factor:g}× in {r.spike.window}" if r.spike else "")
        table.add_row(r.name, r.mode if r.enabled else "disabled", ", ".join(r.channels),
                      flat, spike, when(until, settings) if until else "")
    console.print(table)


def register(app: typer.Typer) -> None:
    """The commands are on ``rules_app``, which ``cgtwatch.cli.alerts`` adds."""
