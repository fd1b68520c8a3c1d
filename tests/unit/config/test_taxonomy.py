"""Loading taxonomy.yaml and the gazetteers; errors name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.contracts.articles import LABELS
from config.taxonomy import load_gazetteers, load_taxonomy
from config.yamlfile import OperatorFileError

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_shipped_taxonomy_loads() -> None:
    tax = load_taxonomy(CONFIG / "taxonomy.yaml")
    assert set(tax.labels) == set(LABELS)
    assert {"policy", "clinical", "approval", "industry", "research"} <= set(tax.tags)
    assert tax.version


def test_shipped_gazetteers_cover_required_entries() -> None:
    gaz = load_gazetteers(CONFIG / "gazetteers")
    provinces = [r for r in gaz.regions if r.kind != "city"]
    cities = {r.name_en for r in gaz.regions if r.kind == "city"}
    assert len(provinces) == 34
    assert {"Dalian", "Shenzhen", "Guangzhou", "Qionghai", "Hangzhou", "Chengdu", "Wuhan",
            "Suzhou"} <= cities
    assert len(cities) >= 60
    ids = {i.id for i in gaz.institutions}
    assert {"nhc", "nmpa", "cde", "most", "mofcom", "fda", "nih", "ema", "dmu", "pumc",
            "puhsc", "fudan", "sjtu", "zju", "sysu", "scu", "wchscu", "legend", "carsgen",
            "jw-therapeutics", "fosun-kite", "novartis", "kite", "vertex", "crispr-tx",
            "bluebird", "spark", "sarepta"} <= ids
    assert len(ids) >= 80


def test_invalid_taxonomy_error_names_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text(
        "version: t1\n"
        "labels:\n"
        "  cell_therapy:\n"
        "    term_groups:\n"
        "      - weight: 5\n"
        "        terms: [细胞治疗]\n"
        "  gene_therapy:\n"
        "    term_groups:\n"
        "      - {weight: 1, terms: [基因治疗]}\n", encoding="utf-8")
    with pytest.raises(OperatorFileError) as info:
        load_taxonomy(bad)
    message = str(info.value)
    assert f"{bad}:5:" in message
    assert "labels.cell_therapy.term_groups[0].weight" in message


def test_label_names_must_be_snake_case(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("version: t1\nlabels:\n  Cell Therapy:\n    term_groups:\n"
                   "      - {weight: 1, terms: [x]}\n", encoding="utf-8")
    with pytest.raises(OperatorFileError, match="snake_case"):
        load_taxonomy(bad)


def test_rules_naming_an_undefined_label_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("version: t1\nlabels:\n  cell_therapy:\n    term_groups:\n"
                   "      - {weight: 1, terms: [x]}\n"
                   "pairs:\n  - {name: p, first: [a], second: [b],"
                   " hits: {rna_therapy: {weight: 1}}}\n", encoding="utf-8")
    with pytest.raises(OperatorFileError, match=r"pair 'p' names unknown label\(s\) \['rna_"):
        load_taxonomy(bad)


def test_gazetteer_unknown_province_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "institutions.yaml").write_text(
        "institutions:\n  - {id: x, name_en: X, kind: company, names: [某公司]}\n",
        encoding="utf-8")
    (tmp_path / "regions.yaml").write_text(
        "regions:\n  - {id: 'CN-LN:dalian', name: 大连市, name_en: Dalian, kind: city,"
        " province: CN-LN}\n", encoding="utf-8")
    with pytest.raises(OperatorFileError, match="unknown province"):
        load_gazetteers(tmp_path)
