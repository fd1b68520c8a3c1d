"""The project's own Python files, for the tests that check rules over the whole source tree
(module budget, imports used only for type checking).

Input: the repository checkout. Output: ``project_modules()``, sorted paths of every ``.py``
file of the product packages, ``bench/`` and ``tests/`` (and loose files at the top), without
virtual environments, caches and runtime data directories.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "crawlers", "streams", "indexer", "alerts", "cgtwatch", "bench", "tests")


def project_modules() -> list[Path]:
    found = sorted(REPO.glob("*.py"))
    for package in PACKAGES:
        found += sorted(p for p in (REPO / package).rglob("*.py")
                        if not any(part.startswith(".") or part == "__pycache__"
                                   for part in p.relative_to(REPO).parts))
    return found
