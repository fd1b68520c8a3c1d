"""The layering rule between our packages, checked on the source (lazy imports included).

``config`` is the base and imports none of ours; ``crawlers`` and ``streams`` build only on
``config``; ``indexer`` and ``alerts`` build on ``config`` and the stream plumbing
(``streams.topics``/``streams.app``), never on each other, the crawlers or ``cgtwatch``.
Inside ``cgtwatch``, what production containers run (``cgtwatch.runtime``) never imports the
command line, the embedded dev stack or the demo; ``bench/`` (with ``bench.sites``, the fixture
sites the tests share) never imports ``tests``; the subpackages of ``crawlers`` import each other
without a cycle.
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


# Inside one package: modules under ``prefix`` never import these.
FORBIDDEN: dict[str, set[str]] = {
    "cgtwatch.runtime": {"cgtwatch.cli", "cgtwatch.devstack", "cgtwatch.demo"},
    "cgtwatch.devstack": {"cgtwatch.cli", "cgtwatch.demo"},
    "bench": {"tests"},
}


def imports_under(prefix: str) -> list[tuple[str, int, str]]:
    """(file, line, imported module) for every ``.py`` file of package ``prefix``."""
    out = []
    for path in sorted(REPO.joinpath(*prefix.split(".")).rglob("*.py")):
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        for line, target in imported_modules(source, module, path.name == "__init__.py"):
            out.append((str(path.relative_to(REPO)), line, target))
    return out


@pytest.mark.parametrize("prefix", sorted(FORBIDDEN))
def test_forbidden_imports(prefix: str) -> None:
    problems = [f"{file}:{line}: {prefix} imports {target}"
                for file, line, target in imports_under(prefix)
                if is_allowed(target, FORBIDDEN[prefix])]
    assert not problems, "\n".join(problems)


def subpackage_graph(package: str) -> dict[str, set[str]]:
    """Which subpackage of ``package`` imports which other one."""
    graph: dict[str, set[str]] = {}
    for file, _line, target in imports_under(package):
        parts = Path(file).with_suffix("").parts
        if len(parts) < 3 or not target.startswith(package + "."):
            continue
        source, dest = parts[1], target.split(".")[1]
        graph.setdefault(source, set())
        if dest != source:
            graph[source].add(dest)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a path (first node repeated at the end), or ``[]``."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str]:
        if node in path:
            return [*path[path.index(node):], node]
        if node in done:
            return []
        for nxt in sorted(graph.get(node, ())):
            if cycle := visit(nxt, [*path, node]):
                return cycle
        done.add(node)
        return []

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return []


def test_crawlers_subpackages_have_no_import_cycle() -> None:
    graph = subpackage_graph("crawlers")
    assert {"extract", "links", "state", "jobs", "engine"} <= set(graph)
    cycle = find_cycle(graph)
    assert not cycle, "crawlers subpackages import each other in a cycle: " + " -> ".join(cycle)


def test_cycle_finder() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


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
