"""Static checks of the monitoring in deploy/: Prometheus scrape config, Grafana provisioning and
the pipeline dashboard, against the metrics the code defines.

Input: deploy/prometheus/prometheus.yml, deploy/grafana/** and deploy/compose.yaml, and the
``metrics`` modules of every stage (imported here, so their metrics are registered). Every
PromQL expression of the dashboard must name only metrics and labels the code defines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.metrics import MetricWrapperBase

import alerts.metrics
import cgtwatch.runtime.health
import cgtwatch.runtime.lag
import crawlers.jobs.metrics
import indexer.metrics
import streams.metrics

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "cgtwatch-pipeline.json"
PROMETHEUS = DEPLOY / "prometheus" / "prometheus.yml"
PROVISIONING = DEPLOY / "grafana" / "provisioning"
SERVICES = {"scheduler", "crawler", "streams", "indexer", "alerter"}
MODULES = (alerts.metrics, cgtwatch.runtime.health, crawlers.jobs.metrics, indexer.metrics,
           streams.metrics)
# Labels Prometheus adds to every scraped sample (job, instance; service by relabelling) and
# the bucket label of histograms.
TARGET_LABELS = {"job", "instance", "service", "le"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
_METRIC = re.compile(r"\bcgtwatch_[a-z0-9_]+")
_SELECTOR = re.compile(r"\b(cgtwatch_[a-z0-9_]+)\{([^}]*)\}")
_BY = re.compile(r"\bby \(([^)]*)\)")


def defined() -> dict[str, set[str]]:
    """Sample name -> label names, for every metric of our ``metrics`` modules and the lag."""
    out: dict[str, set[str]] = {}
    for module in MODULES:
        for metric in vars(module).values():
            if isinstance(metric, MetricWrapperBase):
                for suffix in SUFFIXES[str(metric._type)]:
                    out[metric._name + suffix] = set(metric._labelnames)
    out[cgtwatch.runtime.lag.LagCollector.NAME] = {"group", "topic", "partition"}
    return out


def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def expressions() -> list[str]:
    return [t["expr"] for p in panels() for t in p["targets"]]


def used() -> set[str]:
    """Every metric (sample) name the dashboard's expressions read."""
    return set().union(*(set(_METRIC.findall(e)) for e in expressions()))


def compose_service(name: str) -> dict[str, Any]:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    service = services[name]
    assert isinstance(service, dict)
    return service


def test_every_expression_names_only_defined_metrics_and_labels() -> None:
    metrics = defined()
    for expr in expressions():
        names = set(_METRIC.findall(expr))
        assert names, f"no cgtwatch metric in {expr!r}"
        unknown = names - set(metrics)
        assert not unknown, f"{expr!r}: metrics the code does not define: {sorted(unknown)}"
        labels = set().union(*(metrics[n] for n in names)) | TARGET_LABELS
        for name, matchers in _SELECTOR.findall(expr):
            keys = {m.split("=")[0].strip(" !~") for m in matchers.split(",") if m.strip()}
            assert keys <= metrics[name] | TARGET_LABELS, f"{expr!r}: labels {keys}"
        for group in _BY.findall(expr):
            keys = {k.strip() for k in group.split(",")}
            assert keys <= labels, f"{expr!r}: by ({group}) names unknown labels"


def test_the_dashboard_covers_pipeline_health() -> None:
    shown = used()
    for name in ("cgtwatch_crawler_pages_fetched_total",        # fetched
                 "cgtwatch_crawler_articles_published_total",   # published
                 "cgtwatch_streams_articles_total",              # classified, dead letters
                 "cgtwatch_indexer_articles_indexed_total",      # indexed
                 "cgtwatch_alert_deliveries_total",              # alerted
                 "cgtwatch_indexer_dead_lettered_total",
                 "cgtwatch_indexer_bulk_failures_total",
                 "cgtwatch_alert_delivery_failures_total",
                 "cgtwatch_consumer_lag"):
        assert name in shown, name
    joined = "\n".join(expressions())
    for histogram in ("cgtwatch_indexer_fetch_to_index_seconds_bucket",
                      "cgtwatch_alert_fetch_to_alert_seconds_bucket"):
        for q in ("0.5", "0.95"):
            assert re.search(rf"histogram_quantile\({q}, sum by \(le\) \(rate\({histogram}\[",
                             joined), f"p{q} of {histogram}"


def test_every_crawler_metric_is_on_the_dashboard() -> None:
    """A new metric of ``crawlers.jobs.metrics`` needs a panel (or a series) too."""
    shown = used()
    for metric in vars(crawlers.jobs.metrics).values():
        if isinstance(metric, MetricWrapperBase):
            samples = {metric._name + suffix for suffix in SUFFIXES[str(metric._type)]}
            assert samples & shown, f"no panel shows {metric._name}"


def test_crawl_jobs_by_reason_and_crawl_counts_by_source() -> None:
    """Queued jobs are always split or filtered by reason (schedule, retry); unchanged articles
    and crawl errors are shown per source."""
    jobs = [e for e in expressions() if "cgtwatch_crawler_jobs_queued_total" in e]
    assert jobs
    for expr in jobs:
        assert "by (reason)" in expr or 'reason="' in expr, expr
    joined = "\n".join(expressions())
    for counter in ("cgtwatch_crawler_articles_unchanged_total",
                    "cgtwatch_crawler_crawl_errors_total"):
        assert re.search(rf"sum by \(source\) \((rate|increase)\({counter}\[", joined), counter


def test_the_dashboard_is_well_formed() -> None:
    data = dashboard()
    assert data["uid"] == "cgtwatch-pipeline" and data["title"]
    (variable,) = data["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource", "datasource", "prometheus")
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels():
        assert panel["title"] and panel["targets"], panel["id"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24 and pos["h"] > 0, panel["title"]
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]


def test_prometheus_scrapes_every_service_on_the_health_port() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    job = jobs["cgtwatch"]
    assert job["metrics_path"] == "/metrics"
    (sd,) = job["dns_sd_configs"]
    assert set(sd["names"]) == SERVICES and sd["port"] == 8080 and sd["type"] == "A"
    assert {"source_labels": ["__meta_dns_name"], "target_label": "service"} in job[
        "relabel_configs"]
    for name in SERVICES:
        service = compose_service(name)
        assert "8080" in [str(p) for p in service["expose"]], name
        assert service["environment"]["CGTWATCH_HEALTH_PORT"] == "8080", name


def test_compose_runs_prometheus_and_grafana_with_the_provisioning() -> None:
    prometheus, grafana = compose_service("prometheus"), compose_service("grafana")
    for service in (prometheus, grafana):
        image = str(service["image"])
        assert re.fullmatch(r"[a-z/]+:v?\d+\.\d+\.\d+", image), f"pin the tag: {image}"
        assert any(str(v).endswith("-data:/prometheus") or str(v).endswith(
            "-data:/var/lib/grafana") for v in service["volumes"]), image
    assert "./prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    mount = next(v.split(":")[1] for v in grafana["volumes"] if v.startswith("./grafana:"))
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "cgtwatch.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == mount
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{mount}/{DASHBOARD.name}"
    sources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yaml").read_text())
    (source,) = sources["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    assert grafana["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
