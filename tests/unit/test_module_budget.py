"""The code budget: no module of the project passes 300 lines.

Every ``.py`` file of the repository counts (product packages, ``bench/``, ``tests/``, the demo
site's sources), except virtual environments, caches and the runtime data directories.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.project_files import PACKAGES, REPO, project_modules

BUDGET = 300


def over_budget(paths: list[Path], root: Path = REPO, budget: int = BUDGET) -> list[str]:
    """``file: N lines`` for every file longer than ``budget`` lines."""
    out = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > budget:
            out.append(f"{path.relative_to(root)}: {lines} lines")
    return out


def test_no_module_passes_the_budget() -> None:
    problems = over_budget(project_modules())
    assert not problems, (f"modules over {BUDGET} lines (split them by concern):\n"
                          + "\n".join(problems))


def test_every_package_is_counted() -> None:
    modules = {p.relative_to(REPO).parts[0] for p in project_modules()}
    assert set(PACKAGES) <= modules


def test_budget_check_sees_a_long_module(tmp_path: Path) -> None:
    long, short = tmp_path / "long.py", tmp_path / "short.py"
    long.write_text("x = 1\n" * (BUDGET + 1), encoding="utf-8")
    short.write_text("x = 1\n" * BUDGET, encoding="utf-8")
    assert over_budget([long, short], root=tmp_path) == [f"long.py: {BUDGET + 1} lines"]
