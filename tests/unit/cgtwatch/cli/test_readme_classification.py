"""Every classification example in README.md is what ``cgtwatch classify`` returns.

The README is parsed, not copied: each ``(中文标题) … classified `label: salience, …``` example
(same paragraph) is run through the real command on a one-line JSONL file, and each
``中文 → English`` entity example of "Classification and stories" through the same command.
A new example written in that form is tested without touching this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app

README = Path(__file__).resolve().parents[4] / "README.md"
TEXT = README.read_text(encoding="utf-8")
CLASSIFIED = re.compile(
    r"\(([^()\n]*[\u4e00-\u9fff][^()\n]*)\)((?:(?!\n\n).)*?)classified\s+`([^`]+)`", re.DOTALL)
ENTITY = re.compile(r"([\u4e00-\u9fff]+) → ([A-Z][A-Za-z .'-]+[a-z])")


def _section(title: str) -> str:
    start = TEXT.index(f"## {title}")
    end = TEXT.find("\n## ", start + 3)
    return TEXT[start:end if end > 0 else None]


def _examples() -> list[tuple[str, dict[str, str]]]:
    out = []
    for match in CLASSIFIED.finditer(TEXT):
        pairs = [p.split(":") for p in match.group(3).split(",")]
        out.append((match.group(1).strip(), {k.strip(): v.strip() for k, v in pairs}))
    return out


def _classify(tmp_path: Path, title: str) -> dict[str, Any]:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": 1, "title": title, "text": ""}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    line: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return line


def test_readme_has_classification_examples() -> None:
    assert any("基因细胞治疗" in title for title, _ in _examples())
    assert ENTITY.findall(_section("Classification and stories"))


@pytest.mark.parametrize(("title", "expected"), _examples())
def test_readme_example_is_what_classify_returns(tmp_path: Path, title: str,
                                                 expected: dict[str, str]) -> None:
    line = _classify(tmp_path, title)
    assert {k: line["salience"][k] for k in expected} == expected
    assert line["labels"] == [k for k, v in expected.items() if v in ("primary", "secondary")]
    assert all(line["evidence"][k] for k, v in expected.items() if v != "none")


@pytest.mark.parametrize(("name", "english"), ENTITY.findall(_section("Classification and "
                                                                      "stories")))
def test_readme_entity_example_is_what_classify_returns(tmp_path: Path, name: str,
                                                        english: str) -> None:
    entities = _classify(tmp_path, name)["entities"]
    found = {(e["name"], e["name_en"]) for kind in ("institutions", "regions")
             for e in entities[kind]}
    assert (name, english) in found


def _compound_examples() -> list[str]:
    found = re.search(r"\*\*compounds\*\*[^:]*:\s*(.+?)\s+name both labels", TEXT, re.DOTALL)
    assert found, "README lists compound examples"
    return [part.strip() for part in found.group(1).split(",")]


@pytest.mark.parametrize("phrase", _compound_examples())
def test_readme_compound_example_names_both_labels(tmp_path: Path, phrase: str) -> None:
    assert _classify(tmp_path, phrase)["labels"] == ["cell_therapy", "gene_therapy"]
