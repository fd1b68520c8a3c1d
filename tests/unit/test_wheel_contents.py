"""What the wheel installs is the product, and only the product: no test doubles.

The file list comes from the wheel's package config in ``pyproject.toml`` (hatchling's
``packages``: those directories, whole). Every module installed must be reachable from the
product's entry points (the console script, ``python -m cgtwatch``) through imports or the
dotted names the product passes to Scrapy and its dev-stack launcher; a module that only
``tests/`` or ``bench/`` import (a loopback receiver with scripted failures, a vendor-format
checker) belongs under ``tests/`` or ``bench/``, not in the wheel. No installed module may
import ``tests`` or ``bench``, which are not installed.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.unit.project_files import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
#: Modules run by hand, not by the product; each with why it is installed.
TOOLS = {
    "cgtwatch.demo.site._src.build": "regenerates the bundled demo site from its sources "
                                     "(python -m), next to the site it writes",
}


def wheel_packages() -> list[str]:
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    return [*wheel["packages"], *(wheel.get("force-include") or {}).values()]


def wheel_modules() -> dict[str, Path]:
    """Dotted name -> file of every Python module the wheel installs."""
    out: dict[str, Path] = {}
    for package in wheel_packages():
        for path in (REPO / package).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if "__pycache__" not in parts:
                out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def references(module: str, path: Path, known: set[str]) -> set[str]:
    """Dotted names ``module`` imports (relative ones resolved, ``from a import b`` as
    ``a`` and ``a.b``) or names in a string constant (``"crawlers.engine.retry.X"``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if path.name == "__init__.py" else \
                    module.split(".")[:-1]
                base = ".".join([*anchor[:len(anchor) - node.level + 1], *filter(None, [base])])
            out |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out |= {m for m in known if node.value == m or node.value.startswith(m + ".")}
    return out


def unreachable(modules: dict[str, Path], roots: set[str]) -> set[str]:
    """Modules no chain of references from ``roots`` reaches (a module's import also runs
    its parent packages)."""
    known = set(modules)
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        todo += [*parents, *references(name, modules[name], known)]
    return known - seen


def entry_points() -> set[str]:
    scripts = {target.split(":")[0] for target in PYPROJECT["project"]["scripts"].values()}
    return {*scripts, "cgtwatch.__main__", *TOOLS}


def test_only_product_packages_are_installed() -> None:
    packages = wheel_packages()
    assert "cgtwatch" in packages
    assert not [p for p in packages if p.split("/")[0] in ("tests", "bench")], packages


def test_every_installed_module_serves_the_product() -> None:
    modules = wheel_modules()
    orphans = sorted(unreachable(modules, entry_points()))
    assert not orphans, ("installed, but not used by the product (only by tests or "
                         "benchmarks?): move under tests/ or bench/:\n" + "\n".join(
                             str(modules[m].relative_to(REPO)) for m in orphans))


def test_no_installed_module_imports_tests_or_bench() -> None:
    modules = wheel_modules()
    bad = sorted(f"{modules[name].relative_to(REPO)}: {target}" for name in modules
                 for target in references(name, modules[name], set())
                 if target.split(".")[0] in ("tests", "bench"))
    assert not bad, "\n".join(bad)


def test_reachability_follows_imports_and_dotted_strings(tmp_path: Path) -> None:
    files = {"app": "from pkg import used\nfrom .lazy import x\n",
             "pkg.used": "SETTING = 'pkg.plugin.Middleware'\n",
             "pkg.plugin": "", "lazy": "", "pkg.only_tests": "", "pkg": ""}
    modules = {}
    for name, text in files.items():
        path = tmp_path / (name.replace(".", "_") + ".py")
        path.write_text(text, encoding="utf-8")
        modules[name] = path
    assert unreachable(modules, {"app"}) == {"pkg.only_tests"}
