"""What the Elasticsearch server offers, detected at setup: Chinese analyzers and ILM.

Input: an ``Elasticsearch`` client. Output: the best text analyzer the server has
(``smartcn`` from analysis-smartcn, else ``icu_analyzer`` from analysis-icu, else the built-in
``cjk``), whether index lifecycle management (``_ilm``) is available, and the ILM policies
cgtwatch installs where it is. Detection asks the server: ``_nodes/plugins`` names the
installed plugins and ``_analyze`` proves the analyzer works.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer.documents import TEXT_ANALYZER

log = logging.getLogger(__name__)
PLUGIN_ANALYZERS = {"analysis-smartcn": "smartcn", "analysis-icu": "icu_analyzer"}
PROBE_TEXT = "大连自贸片区共建基因细胞治疗先行示范区 CAR-T cell therapy"
RETIRED_MIN_AGE = "14d"  # an index replaced by ``index migrate`` is deleted after this


def installed_plugins(es: Elasticsearch) -> set[str]:
    """Names of the plugins installed on every node (empty when the API is unavailable)."""
    try:
        nodes = es.nodes.info(metric="plugins")["nodes"]
    except (ApiError, TransportError) as exc:
        log.info("cannot list plugins (%s); probing analyzers directly", exc)
        return set()
    per_node = [{p.get("name", "") for p in node.get("plugins", [])} for node in nodes.values()]
    return set.intersection(*per_node) if per_node else set()


def analyzer_works(es: Elasticsearch, analyzer: str) -> bool:
    """True when ``_analyze`` with this analyzer returns tokens."""
    try:
        tokens = es.indices.analyze(analyzer=analyzer, text=PROBE_TEXT)["tokens"]
    except (ApiError, TransportError):
        return False
    return bool(tokens)


def detect_text_analyzer(es: Elasticsearch) -> str:
    """The analyzer for ``title``/``text``: smartcn, else icu_analyzer, else cjk."""
    plugins = installed_plugins(es)
    for plugin, analyzer in PLUGIN_ANALYZERS.items():
        if (plugin in plugins or not plugins) and analyzer_works(es, analyzer):
            log.info("text analyzer: %s (plugin %s)", analyzer, plugin)
            return analyzer
    log.info("text analyzer: %s (no analysis-smartcn or analysis-icu on the server)",
             TEXT_ANALYZER)
    return TEXT_ANALYZER


def ilm_supported(es: Elasticsearch) -> bool:
    """True when the server answers ``GET _ilm/status`` (real Elasticsearch does)."""
    try:
        es.ilm.get_status()
    except (ApiError, TransportError) as exc:
        log.info("index lifecycle management unavailable (%s): no ILM policy", exc)
        return False
    return True


def articles_policy_name(prefix: str) -> str:
    return f"{prefix}-articles"


def retired_policy_name(prefix: str) -> str:
    return f"{prefix}-articles-retired"


def ilm_policies(prefix: str) -> dict[str, dict[str, Any]]:
    """ILM policies: the live articles index stays hot and is never rolled over (revision
    upserts by ``_id`` need one write index; ``index migrate`` replaces indices instead); a
    backing index retired by a migration is deleted ``RETIRED_MIN_AGE`` after retirement."""
    hot = {"min_age": "0ms", "actions": {"set_priority": {"priority": 100}}}
    return {
        articles_policy_name(prefix): {"phases": {"hot": hot}},
        retired_policy_name(prefix): {"phases": {
            "hot": {"min_age": "0ms", "actions": {}},
            "delete": {"min_age": RETIRED_MIN_AGE, "actions": {"delete": {}}}}},
    }


def setup_lifecycle(es: Elasticsearch, prefix: str) -> str | None:
    """Create or update the ILM policies; returns the live index's policy, or None when the
    server has no ILM (the template then names no policy)."""
    if not ilm_supported(es):
        return None
    for name, policy in ilm_policies(prefix).items():
        es.ilm.put_lifecycle(name=name, policy=policy)
    return articles_policy_name(prefix)
