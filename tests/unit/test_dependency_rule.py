"""The layering rule between our packages, checked on the source (lazy imports included).

``config`` is the base and imports none of ours; ``crawlers`` and ``streams`` build only on
``config``; ``indexer`` and ``alerts`` build on ``config`` and the stream plumbing
(``streams.topics``/``streams.app``), never on each other, the crawlers or ``cgtwatch``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = {"config", "crawlers", "streams", "indexer", "alerts", "cgtwatch"}
STREAM_PLUMBING = {"streams.topics", "streams.app"}
ALLOWED: dict[str, set[str]] = {
    "config": {"config"},
    "crawlers": {"config", "crawlers"},
    "streams": {"config", "streams"},
    "indexer": {"config", "indexer", *STREAM_PLUMBING},
    "alerts": {"config", "alerts", *STREAM_PLUMBING},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False
                     ) -> list[tuple[int, str]]:
    """(line, dotted module) for every import anywhere in ``source``, relative ones resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base in OURS or not base:  # ``from streams import topics``: streams.topics
                found += [(node.lineno, f"{base}.{alias.name}".lstrip("."))
                          for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def is_allowed(target: str, allowed: set[str]) -> bool:
    return any(target == a or target.startswith(a + ".") for a in allowed)


def violations(package: str) -> list[str]:
    out = []
    for path in sorted((REPO / package).rglob("*.py")):
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        for line, target in imported_modules(source, module, path.name == "__init__.py"):
            if target.split(".")[0] in OURS and not is_allowed(target, ALLOWED[package]):
                out.append(f"{path.relative_to(REPO)}:{line}: {package} imports {target}")
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_follow_the_layering(package: str) -> None:
    problems = violations(package)
    allowed = ", ".join(sorted(ALLOWED[package]))
    assert not problems, f"{package} may import only {allowed} among ours:\n" + "\n".join(
        problems)


def test_checker_sees_lazy_relative_and_from_imports() -> None:
    source = (
        "import os\n"
        "from config.contracts import Topics\n"
        "def later():\n"
        "    import cgtwatch.devstack.stack\n"
        "    from streams import classify, topics\n"
        "    from .documents import articles_alias\n"
        "    from .. import alerts\n"
    )
    found = imported_modules(source, "indexer.agent")
    assert found == [(1, "os"), (2, "config.contracts"), (4, "cgtwatch.devstack.stack"),
                     (5, "streams.classify"), (5, "streams.topics"),
                     (6, "indexer.documents"), (7, "alerts")]
    bad = [t for _, t in found if t.split(".")[0] in OURS
           and not is_allowed(t, ALLOWED["indexer"])]
    assert bad == ["cgtwatch.devstack.stack", "streams.classify", "alerts"]


def test_every_package_is_scanned() -> None:
    for package in ALLOWED:
        assert any((REPO / package).rglob("*.py")), package
