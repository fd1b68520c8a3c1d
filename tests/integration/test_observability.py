"""Observability on real protocols: /metrics, /readyz and JSON logs of the indexer and alerter.

The classifier, indexer and alerter run as child processes; the indexer and alerter each
serve their health port (free ports) and log JSON. One relevant article goes through; then the
counters and latency histograms on ``/metrics`` must have moved, ``/readyz`` must be 200, and
the JSON log lines about the article must carry its id, source and stage. (Consumer lag is
not asserted: see /work/shared/design/standins.md.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cgtwatch.devstack.localstack import free_port
from tests.integration.conftest import Env, make_article, wait_for
from tests.integration.conftest import http_get as get

pytestmark = pytest.mark.integration
CHANNELS = ("slack", "email", "file")


def samples(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample on ``/metrics``: (name, labels) -> value."""
    status, text = get(port, "/metrics")
    assert status == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return sum(v for (n, ls), v in found.items() if n == name and set(labels.items()) <= ls)


def json_lines(path: Path) -> list[dict[str, object]]:
    out = []
    for line in path.read_text("utf-8", "replace").splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_metrics_readiness_and_json_logs(stack: Env) -> None:
    ports = {"indexer": free_port(), "alerter": free_port()}
    stack.start("streams")
    for name, port in ports.items():
        stack.start(name, CGTWATCH_HEALTH_PORT=str(port), CGTWATCH_LOG_FORMAT="json")
    for name, port in ports.items():
        wait_for(lambda p=port: get(p, "/readyz")[0] == 200, 60,  # type: ignore[misc]
                 f"{name} /readyz 200\n{stack.logs()}")

    article = make_article(41, True)
    stack.publish([article])
    wait_for(lambda: article.article_id in stack.indexed_ids(), 60, f"indexed\n{stack.logs()}")

    def alerted() -> bool:
        found = samples(ports["alerter"])
        return all(value(found, "cgtwatch_alert_deliveries_total", channel=c, status="sent")
                   >= 1 for c in CHANNELS)

    wait_for(alerted, 60, f"alerts on every channel\n{stack.logs()}")

    indexer = samples(ports["indexer"])
    assert value(indexer, "cgtwatch_indexer_articles_indexed_total") >= 1
    assert value(indexer, "cgtwatch_indexer_fetch_to_index_seconds_count") >= 1
    assert value(indexer, "cgtwatch_indexer_fetch_to_index_seconds_bucket", le="+Inf") >= 1
    assert value(indexer, "cgtwatch_indexer_batch_size_count") >= 1
    assert value(indexer, "cgtwatch_indexer_dead_lettered_total") == 0
    alerter = samples(ports["alerter"])
    assert value(alerter, "cgtwatch_alert_fetch_to_alert_seconds_count") >= len(CHANNELS)
    assert value(alerter, "cgtwatch_alert_delivery_failures_total", channel="slack") >= 1  # 429
    assert value(alerter, "cgtwatch_alert_deliveries_total", status="failed") == 0
    for port in ports.values():
        assert get(port, "/readyz")[0] == 200 and get(port, "/healthz")[0] == 200

    logs = stack.data_dir / "logs"
    for stage in ("indexer", "alerter"):
        lines = json_lines(logs / f"{stage}.log")
        assert lines and all({"time", "level", "logger", "message"} <= set(x) for x in lines)
        about = [x for x in lines if x.get("article_id") == article.article_id]
        assert about, f"no JSON log line about the article in {stage}.log\n{stack.logs()}"
        assert all(x["stage"] == stage and x["source"] == article.source_id for x in about)
