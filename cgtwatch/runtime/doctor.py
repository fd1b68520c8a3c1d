"""``cgtwatch doctor``: check configuration, connectivity and setup, and say how to fix each.

Input: ``Settings`` (and the services it names). Output: a list of ``Check`` results (name,
ok/warn/fail, what was found, how to fix it). Each check is a small function that never
raises: an exception becomes a failed check with its message (secrets are never printed).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient

from config.clients import elastic, kafka_common
from config.contracts.topics import Topics
from config.labels import label_names
from config.rules import load_alert_rules
from config.settings import Settings
from config.sources import load_sources
from config.taxonomy import load_taxonomy

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    found: str
    fix: str = ""


def _files(settings: Settings) -> list[Check]:
    out = []
    loaders: list[tuple[str, Callable[[], object], str]] = [
        ("sources file", lambda: load_sources(settings.paths.sources), "CGTWATCH_PATHS__SOURCES"),
        ("taxonomy file", lambda: load_taxonomy(settings.paths.taxonomy),
         "CGTWATCH_PATHS__TAXONOMY"),
        ("alert rules file", lambda: load_alert_rules(settings.paths.alert_rules,
                                                      label_names(settings.paths.taxonomy)),
         "CGTWATCH_PATHS__ALERT_RULES"),
    ]
    for name, load, variable in loaders:
        try:
            load()
            out.append(Check(name, "ok", "valid"))
        except Exception as exc:
            out.append(Check(name, "fail", str(exc).replace("\n", " ")[:400],
                             f"fix the file at the line named, or point {variable} elsewhere"))
    return out


def _kafka(settings: Settings) -> list[Check]:
    try:
        admin = KafkaAdminClient(**kafka_common(settings, "cgtwatch-doctor"),
                                 request_timeout_ms=5000, bootstrap_timeout_ms=5000)
    except Exception as exc:
        return [Check("kafka", "fail", f"{settings.kafka_bootstrap}: {type(exc).__name__}",
                      "start Kafka (`cgtwatch up` starts a local one) or set "
                      "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS and the security settings")]
    try:
        described = {str(t.get("name") or t.get("topic")): len(t["partitions"])
                     for t in admin.describe_topics(Topics.all()) if not t.get("error_code")}
    except Exception:
        described = {}
    finally:
        admin.close()
    checks = [Check("kafka", "ok", f"reachable at {settings.kafka_bootstrap}")]
    for topic in Topics.all():
        count = described.get(topic)
        if count is None:
            checks.append(Check(f"topic {topic}", "fail", "missing", "run `cgtwatch setup`"))
        elif count < settings.kafka.partitions:
            checks.append(Check(f"topic {topic}", "warn", f"{count} partitions",
                                f"fewer than CGTWATCH_KAFKA__PARTITIONS="
                                f"{settings.kafka.partitions}: replicas beyond {count} idle"))
        else:
            checks.append(Check(f"topic {topic}", "ok", f"{count} partitions"))
    return checks


def _elastic(settings: Settings) -> list[Check]:
    from indexer.documents import articles_alias

    es = Elasticsearch(**elastic(settings))
    try:
        version = es.info()["version"]["number"]
    except Exception as exc:
        es.close()
        return [Check("elasticsearch", "fail", f"{settings.elastic_address}: {type(exc).__name__}",
                      "start Elasticsearch or set CGTWATCH_ELASTIC__URL and its credentials")]
    checks = [Check("elasticsearch", "ok", f"version {version} at {settings.elastic_address}")]
    alias = articles_alias(settings.elastic.index_prefix)
    try:
        found = es.indices.get_alias(name=alias)
        checks.append(Check(f"alias {alias}", "ok", ", ".join(sorted(found))))
    except Exception:
        checks.append(Check(f"alias {alias}", "fail", "missing", "run `cgtwatch setup`"))
    try:
        es.indices.get_index_template(name=alias)
        checks.append(Check(f"template {alias}", "ok", "present"))
    except Exception:
        checks.append(Check(f"template {alias}", "fail", "missing", "run `cgtwatch setup`"))
    es.close()
    return checks


def _smtp(settings: Settings) -> Check:
    smtp = settings.smtp
    if not smtp.host:
        return Check("smtp", "warn", "not configured", "set CGTWATCH_SMTP__HOST for email alerts")
    from alerts.channels.mail import connect  # delivery's own session: TLS, CA, login

    try:
        client = connect(smtp, timeout_s=5)
        try:
            client.noop()
        finally:
            client.close()
    except (OSError, smtplib.SMTPException) as exc:
        return Check("smtp", "fail", f"{smtp.host}:{smtp.port}: {type(exc).__name__}",
                     "check CGTWATCH_SMTP__HOST/PORT/SECURITY and the credentials")
    return Check("smtp", "ok", f"{smtp.host}:{smtp.port} ({smtp.security})")


def _channels(settings: Settings) -> Check:
    """Every alert channel's own ``check`` (the channel registry): missing webhooks, token,
    SMTP server, an unwritable file..."""
    from alerts.channels import check_channels

    try:
        rules = load_alert_rules(settings.paths.alert_rules, label_names(settings.paths.taxonomy))
    except Exception:
        return Check("alert channels", "warn", "alert rules not readable",
                     "see the alert rules check")
    problems = [p for found in check_channels(rules.channels, settings).values() for p in found]
    if problems:
        return Check("alert channels", "fail", "; ".join(p.split("; ")[0] for p in problems),
                     "; ".join(sorted({p.split("; ", 1)[-1] for p in problems})))
    kinds = sorted({c.type for c in rules.channels})
    return Check("alert channels", "ok", f"{len(rules.channels)} channel(s): {', '.join(kinds)}")


def run_checks(settings: Settings) -> list[Check]:
    return [*_files(settings), *_kafka(settings), *_elastic(settings), _smtp(settings),
            _channels(settings)]
