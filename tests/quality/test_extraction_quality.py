"""Accuracy floors of crawlers.extract.article on the labelled extraction benchmarks.

Uses the project scorer (``shared/tools/extraction_eval.py``, loaded with importlib) on
``shared/benchmarks/zh-news`` and ``shared/benchmarks/article-extraction``.  The shared
directory sits beside the checkout or is named by ``CGTWATCH_SHARED_DIR``; without it the
tests are skipped.  Floors sit a little below the measured figures (zh-news body F1 0.969,
title 1.000, date 0.977; article-extraction body F1 0.978).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crawlers.extract.article import extract_article

pytestmark = pytest.mark.quality

SHARED = Path(os.environ.get("CGTWATCH_SHARED_DIR")
              or Path(__file__).resolve().parents[3] / "shared")
SCORER = SHARED / "tools" / "extraction_eval.py"
BENCH = SHARED / "benchmarks"


def _scorer() -> ModuleType:
    if not SCORER.is_file():
        pytest.skip(f"scorer not found: {SCORER}")
    spec = importlib.util.spec_from_file_location("extraction_eval", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(name: str) -> dict[str, Any]:
    ev = _scorer()
    data = BENCH / name
    if not (data / "ground-truth.json").is_file():
        pytest.skip(f"benchmark not found: {data}")
    _, pages = ev.load_dataset(data)
    triples, titles, dates = [], [], []
    for page in pages:
        out = extract_article(page.raw, page.url)
        text, gt = out.get("text") or "", page.gt
        if gt.get("articleBody") is not None:
            mode = "cjk" if ev.lang_primary(gt.get("lang")) in ("zh", "ja") else "words"
            triples.append(ev.tp_fp_fn(gt["articleBody"], text, mode))
        if gt.get("title"):
            titles.append(ev.norm_title(gt["title"]) == ev.norm_title(out.get("title")))
        matched = ev.date_match(gt.get("date"), out.get("date"))
        if matched is not None:
            dates.append(matched)
    result: dict[str, Any] = dict(ev.prf(triples))
    result["title_acc"] = statistics.mean(titles) if titles else None
    result["date_acc"] = statistics.mean(dates) if dates else None
    return result


def test_zh_news_floors() -> None:
    result = _score("zh-news")
    assert result["f1"] >= 0.965, result
    assert result["title_acc"] >= 0.98, result
    assert result["date_acc"] >= 0.965, result


def test_article_extraction_floor() -> None:
    result = _score("article-extraction")
    assert result["f1"] >= 0.975, result
