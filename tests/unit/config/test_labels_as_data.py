"""Adding a label is a taxonomy.yaml change: contract, mapping, CLI help, rules, eval and the
classifier all pick up an extra ``rna_therapy`` label from a copied taxonomy file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from cgtwatch.cli.util import label_help, parse_label
from config.contracts.articles import LABELS, Classification, ClassifiedArticle
from config.contracts.wire import decode
from config.labels import label_names
from config.rules import load_alert_rules
from config.taxonomy import load_taxonomy
from indexer.documents import articles_template, template_body
from streams.classify import Classifier
from streams.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[3]
EXTRA = ("cell_therapy", "gene_therapy", "rna_therapy")


@pytest.fixture(scope="module")
def taxonomy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data: dict[str, Any] = yaml.safe_load((ROOT / "config" / "taxonomy.yaml").read_text("utf-8"))
    data["labels"]["rna_therapy"] = {
        "description": "siRNA, antisense and mRNA therapeutics",
        "term_groups": [{"weight": 1.0, "kind": "core",
                         "terms": ["RNA疗法", "RNA干扰疗法", "RNA therapy", "RNA therapeutics"]}],
    }
    path = tmp_path_factory.mktemp("taxonomy") / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def classified(taxonomy_path: Path) -> Classification:
    clf = Classifier(load_taxonomy(taxonomy_path))
    return clf.classify("RNA疗法获批上市",
                        "国家药监局批准一款RNA干扰疗法上市，这是该公司首个RNA疗法。")


def test_label_names_come_from_the_file(taxonomy_path: Path) -> None:
    assert LABELS == ("cell_therapy", "gene_therapy")  # the shipped taxonomy
    assert label_names(taxonomy_path) == EXTRA


def test_classifier_reports_the_new_label(classified: Classification) -> None:
    assert list(classified.results) == list(EXTRA)
    assert classified.labels == ["rna_therapy"]
    assert classified.results["rna_therapy"].salience == "primary"
    assert classified.results["rna_therapy"].evidence[0].term == "RNA疗法"


def test_wire_contract_carries_and_checks_the_new_label(taxonomy_path: Path,
                                                       classified: Classification) -> None:
    article = ClassifiedArticle(article_id="a" * 32, url="https://x/1", source_id="s",
                                classification=classified)
    back = decode(ClassifiedArticle, article.encode(), labels=label_names(taxonomy_path))
    assert back.labels == ["rna_therapy"]
    with pytest.raises(ValidationError, match="unknown label"):
        decode(ClassifiedArticle, article.encode(), labels=LABELS)


def test_index_mapping_has_fields_and_templates_for_the_new_label(taxonomy_path: Path) -> None:
    _, body = template_body(articles_template("cgt", labels=label_names(taxonomy_path)))
    mappings = body["template"]["mappings"]
    assert mappings["properties"]["scores"]["properties"]["rna_therapy"] == {"type": "float"}
    assert mappings["properties"]["salience"]["properties"]["rna_therapy"] == {"type": "keyword"}
    paths = {next(iter(t.values()))["path_match"] for t in mappings["dynamic_templates"]}
    assert paths == {"scores.*", "salience.*"}


def test_cli_label_option_offers_the_new_label(taxonomy_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CGTWATCH_PATHS__TAXONOMY", str(taxonomy_path))
    assert label_help().endswith("cell_therapy, gene_therapy, rna_therapy")
    assert parse_label("rna_therapy") == "rna_therapy"
    env = {**os.environ, "CGTWATCH_PATHS__TAXONOMY": str(taxonomy_path), "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "cgtwatch", "search", "--help"], cwd=ROOT,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert "rna_therapy" in shown


def test_alert_rules_may_name_the_new_label(taxonomy_path: Path, tmp_path: Path) -> None:
    rules = tmp_path / "alert_rules.yaml"
    rules.write_text("channels:\n  - {name: out, type: console}\n"
                     "rules:\n  - {name: rna, labels: [rna_therapy], channels: [out]}\n",
                     encoding="utf-8")
    assert load_alert_rules(rules, label_names(taxonomy_path)).rules[0].labels == ["rna_therapy"]
    with pytest.raises(ValueError, match="unknown label"):
        load_alert_rules(rules)


def test_eval_measures_the_new_label(classified: Classification) -> None:
    gold = [{"id": "r1", "lang": "zh", "labels": ["rna_therapy"],
             "salience": {"rna_therapy": "primary"}}]
    report = evaluate(gold, [classified])
    assert report.per_label["rna_therapy"].tp == 1
    assert json.dumps(report.salience_accuracy)
