"""Kibana saved objects in deploy/kibana/*.ndjson and the ``kibana-setup`` service that imports
them: every line parses, ids are unique, every reference resolves inside the set, and
visualizations and searches point at the data views of the indices cgtwatch writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.history import AlertRecordDoc
from indexer.documents import ArticleDoc, CrawlHealthDoc

ROOT = Path(__file__).resolve().parents[3]
KIBANA = ROOT / "deploy" / "kibana"
FILES = sorted(KIBANA.glob("*.ndjson"))
DATA_VIEWS = {"cgtwatch-articles": ("cgtwatch-articles*", "published"),
              "cgtwatch-alerts": ("cgtwatch-alerts*", "created_at"),
              "cgtwatch-crawl-health": ("cgtwatch-crawl-health*", "finished_at")}
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def objects(path: Path) -> list[dict[str, Any]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


ALL = [obj for path in FILES for obj in objects(path)]
BY_ID = {(o["type"], o["id"]): o for o in ALL}


def fields_of(view: str) -> set[str]:
    doc = {"cgtwatch-articles": ArticleDoc, "cgtwatch-crawl-health": CrawlHealthDoc,
           "cgtwatch-alerts": AlertRecordDoc}[view]
    return set(doc._doc_type.mapping.to_dict()["properties"])


def test_files_exist_and_every_line_is_an_object() -> None:
    assert [p.name for p in FILES] == ["articles.ndjson", "operations.ndjson"]
    for obj in ALL:
        assert {"type", "id", "attributes", "references"} <= set(obj), obj.get("id")
        assert obj["attributes"]["title"], obj["id"]


def test_ids_are_unique() -> None:
    ids = [o["id"] for o in ALL]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_reference_resolves_within_its_file(path: Path) -> None:
    """Each file imports on its own, so its references must resolve inside it."""
    own = {(o["type"], o["id"]) for o in objects(path)}
    for obj in objects(path):
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in own, f"{obj['id']}: dangling {ref}"


def test_data_views() -> None:
    views = {o["id"]: o["attributes"] for o in ALL if o["type"] == "index-pattern"}
    assert {k: (v["title"], v["timeFieldName"]) for k, v in views.items()} == DATA_VIEWS
    for view, (_, time_field) in DATA_VIEWS.items():
        assert time_field in fields_of(view)


def test_visualizations_and_searches_use_data_views_and_known_fields() -> None:
    for obj in ALL:
        if obj["type"] not in ("visualization", "search"):
            continue
        refs = {r["name"]: r for r in obj["references"]}
        ref = refs[INDEX_REF]
        assert ref["type"] == "index-pattern" and ref["id"] in DATA_VIEWS, obj["id"]
        source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["indexRefName"] == INDEX_REF
        known = fields_of(ref["id"]) | {"status", "duration_s"}
        if obj["type"] == "visualization":
            state = json.loads(obj["attributes"]["visState"])
            used = {a["params"]["field"] for a in state["aggs"] if "field" in a["params"]}
            columns: set[str] = set()
        else:
            used, columns = set(), set(obj["attributes"]["columns"])
        assert used | columns <= known, (obj["id"], (used | columns) - known)


def test_saved_searches_per_label() -> None:
    queries = {o["id"]: json.loads(o["attributes"]["kibanaSavedObjectMeta"]
                                   ["searchSourceJSON"])["query"]["query"]
               for o in ALL if o["type"] == "search"}
    assert 'labels : "cell_therapy"' in queries.values()
    assert 'labels : "gene_therapy"' in queries.values()


def test_dashboards_panels_match_references() -> None:
    dashboards = [o for o in ALL if o["type"] == "dashboard"]
    assert len(dashboards) == 2
    for dash in dashboards:
        panels = json.loads(dash["attributes"]["panelsJSON"])
        refs = {r["name"]: r for r in dash["references"]}
        assert len(panels) == len(refs) >= 5
        for panel in panels:
            ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
            assert ref["type"] == panel["type"] and (ref["type"], ref["id"]) in BY_ID
            grid = panel["gridData"]
            assert grid["x"] + grid["w"] <= 48 and grid["i"] == panel["panelIndex"]


def test_compose_imports_them_once_kibana_is_healthy() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    setup = compose["services"]["kibana-setup"]
    assert setup["image"].startswith("curlimages/curl:") and ":latest" not in setup["image"]
    assert setup["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert setup["restart"] == "no"
    assert "./kibana:/kibana:ro" in setup["volumes"]
    script = "\n".join(setup["command"])
    assert "/api/saved_objects/_import?overwrite=true" in script
    assert "kbn-xsrf: true" in script and "/kibana/*.ndjson" in script


def test_kibana_shows_published_in_the_browser_zone() -> None:
    """The right hour in Kibana: ``published`` is stored with its offset (schema v2) and is
    the articles view's time field; nothing forces a display zone (no ``dateFormat:tz``
    advanced setting, no per-field zone, no TZ for Kibana), so Kibana shows the instant in
    the browser's zone."""
    published = ArticleDoc._doc_type.mapping.to_dict()["properties"]["published"]
    assert published["type"] == "date"
    assert published["format"].startswith("strict_date_optional_time")  # offsets accepted
    views = {o["id"]: o["attributes"] for o in ALL if o["type"] == "index-pattern"}
    assert views["cgtwatch-articles"]["timeFieldName"] == "published"
    for obj in ALL:
        if obj["type"] in ("config", "config-global"):
            assert obj["attributes"].get("dateFormat:tz", "Browser") == "Browser", obj["id"]
        text = json.dumps(obj["attributes"]).lower()
        assert "datefmt:tz" not in text and "dateformat:tz" not in text, obj["id"]
        formats = json.loads(obj["attributes"].get("fieldFormatMap") or "{}")
        for field, spec in formats.items():
            params = json.dumps(spec.get("params") or {}).lower()
            assert "timezone" not in params and "utc" not in params, (obj["id"], field)
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    env = compose["services"]["kibana"].get("environment") or {}
    assert not any(k.upper() in ("TZ", "DATEFORMAT_TZ") for k in env), env
    script = "\n".join(compose["services"]["kibana-setup"]["command"])
    assert "dateFormat" not in script and "/api/kibana/settings" not in script
