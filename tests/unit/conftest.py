"""Shared fixtures for the unit tests: an isolated settings environment and article builders."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# kafka-python 3.0 calls the deprecated ``importlib.resources.read_text`` while importing.
# That is a third-party warning at import time, not ours; import it once here, quietly, so
# that ``filterwarnings = error`` still catches every warning our own code emits.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="read_text is deprecated",
                            category=DeprecationWarning)
    import kafka  # noqa: F401

from config.contracts.articles import (
    Classification,
    ClassifiedArticle,
    Entity,
    Evidence,
    LabelResult,
    RawArticle,
)
from config.contracts.ids import article_id, content_hash


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """A test that runs a command (which configures logging) leaves no level or handler behind."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    levels = {name: logger.level for name, logger in logging.root.manager.loggerDict.items()
              if isinstance(logger, logging.Logger)}
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """No ``CGTWATCH_*`` variables and no ``.env`` file: ``Settings()`` sees only the test."""
    for name in [n for n in os.environ if n.startswith("CGTWATCH_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield monkeypatch


def _result(salience: str, score: float, term: str = "") -> LabelResult:
    evidence = [Evidence(term=term, snippet=f"… {term} …")] if term else []
    return LabelResult(score=score, salience=salience, evidence=evidence)  # type: ignore[arg-type]


@pytest.fixture
def make_article() -> Callable[..., ClassifiedArticle]:
    """Build a ``ClassifiedArticle``; keyword arguments override fields.

    ``cell``/``gene`` give ``(salience, score)`` per label; ``tags``, ``regions`` (pairs of
    name and English name) and ``institutions`` fill the classification.
    """

    def build(url: str = "https://www.example.gov.cn/news/t20261118_1.html",
              cell: tuple[str, float] = ("primary", 0.9),
              gene: tuple[str, float] = ("none", 0.0),
              tags: list[str] | None = None,
              regions: list[tuple[str, str]] | None = None,
              institutions: list[tuple[str, str]] | None = None,
              **fields: Any) -> ClassifiedArticle:
        results = {"cell_therapy": _result(*cell, term="CAR-T" if cell[0] != "none" else ""),
                   "gene_therapy": _result(*gene, term="AAV" if gene[0] != "none" else "")}
        labels = [k for k, r in results.items() if r.salience in ("primary", "secondary")]
        classification = Classification(
            labels=labels, results=results, tags=tags or [],
            regions=[Entity(id=n, name=n, name_en=en, kind="region") for n, en in regions or []],
            institutions=[Entity(id=n, name=n, name_en=en, kind="institution")
                          for n, en in institutions or []],
            classifier="test-1")
        title = fields.pop("title", "细胞治疗新进展")
        text = fields.pop("text", "CAR-T 细胞治疗临床试验取得进展。")
        defaults: dict[str, Any] = {
            "article_id": article_id(url), "url": url, "source_id": "demo-gd-sci",
            "source_name": "广东省科学技术厅", "source_kind": "government", "region": "广东省",
            "title": title, "text": text, "language": "zh", "published": "2026-11-18",
            "content_hash": content_hash(title, text)}
        defaults["story_id"] = fields.pop("story_id", defaults["article_id"])
        return ClassifiedArticle(**{**defaults, **fields}, classification=classification)

    return build


@pytest.fixture
def make_raw() -> Callable[..., RawArticle]:
    """Build a ``RawArticle``; keyword arguments override fields."""

    def build(url: str = "https://www.example.gov.cn/news/t20261118_1.html",
              **fields: Any) -> RawArticle:
        title = fields.pop("title", "基因治疗药物获批临床")
        text = fields.pop("text", "AAV 基因治疗药物获批开展临床试验。")
        defaults: dict[str, Any] = {
            "article_id": article_id(url), "url": url, "source_id": "demo-gd-sci",
            "source_kind": "government", "title": title, "text": text, "language": "zh",
            "content_hash": content_hash(title, text), "html": "<html>…</html>",
            "encoding": "utf-8"}
        return RawArticle(**{**defaults, **fields})

    return build
