"""Schema as code: templates with the detected analyzer, ILM detection, migration versions."""

from __future__ import annotations

from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from indexer.analysis import detect_text_analyzer, ilm_policies, setup_lifecycle
from indexer.documents import (
    articles_template,
    crawl_health_template,
    index_version,
    template_body,
)
from indexer.migrate import MigrationError, target_version


def test_template_records_analyzer_and_lifecycle() -> None:
    name, body = template_body(articles_template("cgt", "smartcn", "cgt-articles"))
    assert name == "cgt-articles" and body["index_patterns"] == ["cgt-articles-v*"]
    mappings = body["template"]["mappings"]
    assert mappings["_meta"] == {"schema_version": 2, "text_analyzer": "smartcn"}
    assert mappings["properties"]["title"]["analyzer"] == "smartcn"
    assert mappings["properties"]["title"]["fields"]["raw"]["type"] == "keyword"
    assert mappings["properties"]["text"]["analyzer"] == "smartcn"
    for field in ("labels", "salience", "scores", "tags", "institutions", "institutions_en",
                  "regions", "regions_en", "source_id", "source_kind", "language",
                  "published", "fetched_at", "story_id", "evidence", "url", "revision"):
        assert field in mappings["properties"], field
    assert body["template"]["settings"]["index.lifecycle.name"] == "cgt-articles"
    plain = template_body(articles_template("cgt"))[1]["template"]
    assert "index.lifecycle.name" not in plain["settings"]
    assert plain["mappings"]["_meta"]["text_analyzer"] == "cjk"


def test_crawl_health_template() -> None:
    name, body = template_body(crawl_health_template("cgt"))
    props = body["template"]["mappings"]["properties"]
    assert name == "cgt-crawl-health" and body["index_patterns"] == ["cgt-crawl-health*"]
    assert props["finished_at"]["type"] == "date" and props["ok"]["type"] == "boolean"
    assert props["source_kind"]["type"] == "keyword"


def test_index_version() -> None:
    assert index_version("cgt", "cgt-articles-v12") == 12
    assert index_version("cgt", "cgt-articles") is None
    assert index_version("cgt", "other-articles-v1") is None


def test_target_version() -> None:
    assert target_version(1, None) == 2
    assert target_version(3, 7) == 7
    with pytest.raises(MigrationError):
        target_version(3, 3)


def api_error(status: int, message: str) -> ApiError:
    """An error as the client raises it (with response metadata, so it prints)."""
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(),
                           duration=0.0, node=NodeConfig("http", "localhost", 9200))
    return ApiError(message, meta=meta, body={"error": message})


class FakeEs:
    """Answers only what detection asks: plugins, ``_analyze`` and ``_ilm``."""

    def __init__(self, plugins: list[str], analyzers: set[str], ilm: bool) -> None:
        self.plugins, self.analyzers, self.ilm_on = plugins, analyzers, ilm
        self.policies: dict[str, Any] = {}
        self.nodes, self.indices, self.ilm = self, self, self

    def info(self, metric: str) -> dict[str, Any]:
        return {"nodes": {"n1": {"plugins": [{"name": p} for p in self.plugins]}}}

    def analyze(self, analyzer: str, text: str) -> dict[str, Any]:
        if analyzer not in self.analyzers:
            raise api_error(400, "failed to find global analyzer")
        return {"tokens": [{"token": "细胞"}]}

    def get_status(self) -> dict[str, Any]:
        if not self.ilm_on:
            raise api_error(400, "no handler found for uri [/_ilm/status]")
        return {"operation_mode": "RUNNING"}

    def put_lifecycle(self, name: str, policy: dict[str, Any]) -> None:
        self.policies[name] = policy


@pytest.mark.parametrize(("plugins", "analyzers", "expected"), [
    (["analysis-smartcn"], {"smartcn", "cjk"}, "smartcn"),
    (["analysis-icu"], {"icu_analyzer", "cjk"}, "icu_analyzer"),
    (["analysis-icu", "analysis-smartcn"], {"icu_analyzer", "smartcn", "cjk"}, "smartcn"),
    ([], {"cjk"}, "cjk"),
    (["analysis-smartcn"], {"cjk"}, "cjk"),  # listed but not working: fall back
])
def test_detect_text_analyzer(plugins: list[str], analyzers: set[str], expected: str) -> None:
    assert detect_text_analyzer(FakeEs(plugins, analyzers, False)) == expected  # type: ignore[arg-type]


def test_lifecycle_only_where_the_server_has_ilm() -> None:
    without = FakeEs([], {"cjk"}, ilm=False)
    assert setup_lifecycle(without, "cgt") is None and without.policies == {}  # type: ignore[arg-type]
    with_ilm = FakeEs([], {"cjk"}, ilm=True)
    assert setup_lifecycle(with_ilm, "cgt") == "cgt-articles"  # type: ignore[arg-type]
    assert set(with_ilm.policies) == set(ilm_policies("cgt"))
    retired = ilm_policies("cgt")["cgt-articles-retired"]["phases"]
    assert "delete" in retired["delete"]["actions"]
    assert "rollover" not in str(ilm_policies("cgt")["cgt-articles"])
