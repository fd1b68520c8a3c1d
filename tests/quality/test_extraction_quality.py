"""Accuracy floors of crawlers.extract.article on the labelled extraction benchmarks.

Uses the project scorer (``shared/tools/extraction_eval.py``) through
``bench/extraction_classes.py`` on ``shared/benchmarks/zh-news`` and
``shared/benchmarks/article-extraction``.  The shared directory sits beside the checkout or is
named by ``CGTWATCH_SHARED_DIR``; without it the tests are skipped.  The floors are the
figures measured per dataset and per page class (government, university, portal, forum, blog,
news-en), recorded in ``extraction_baseline.json`` by ``python bench/bench_extraction.py
--by-class --write-baseline tests/quality/extraction_baseline.json``; the same file holds
plain trafilatura's figures (``--extractor builtin:trafilatura``), and on no page class may
the body F1 fall below trafilatura's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench import extraction_classes as ec
from crawlers.extract.article import extract_article

pytestmark = pytest.mark.quality

SHARED = Path(os.environ.get("CGTWATCH_SHARED_DIR")
              or Path(__file__).resolve().parents[3] / "shared")
BASELINE = json.loads((Path(__file__).with_name("extraction_baseline.json")).read_text("utf-8"))
OURS = BASELINE["crawlers.extract.article:extract_article"]
TRAFILATURA = BASELINE["builtin:trafilatura"]
SLACK = 0.0005  # the recorded figures are rounded to 4 decimals


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, Any]]:
    if not (SHARED / "tools" / "extraction_eval.py").is_file():
        pytest.skip(f"scorer not found under {SHARED}")
    ev = ec.load_scorer(SHARED)
    records: list[ec.Record] = []
    for name in ("zh-news", "article-extraction"):
        data = SHARED / "benchmarks" / name
        if not (data / "ground-truth.json").is_file():
            pytest.skip(f"benchmark not found: {data}")
        records += ec.score_pages(ev, extract_article, data)
    return ec.by_class(ev, records)


@pytest.mark.parametrize("group", sorted(OURS))
def test_floor_per_dataset_and_class(measured: dict[str, dict[str, Any]], group: str) -> None:
    got = measured[group]
    for figure in ("f1", "title", "date"):
        floor = OURS[group].get(figure)
        if floor is not None:
            assert got[figure] >= floor - SLACK, (group, figure, got[figure], floor)


@pytest.mark.parametrize("group", sorted(g for g in OURS if g in TRAFILATURA))
def test_never_below_trafilatura(measured: dict[str, dict[str, Any]], group: str) -> None:
    for figure in ("f1", "title", "date"):
        theirs = TRAFILATURA[group].get(figure)
        if theirs is not None and measured[group][figure] is not None:
            assert measured[group][figure] >= theirs, (group, figure)
