"""Names imported only under ``if TYPE_CHECKING:`` are used only where Python never evaluates
them: in annotations (postponed by ``from __future__ import annotations``) and strings.

Such a name used at run time (a call, ``isinstance``, a default value, a base class, a
``cast`` argument) raises ``NameError`` when that line runs; neither mypy nor ruff says so.
The scan is by AST over every project module. A function that imports the name itself (the
lazy imports of the command line) binds it locally, which is fine. Without the ``__future__``
import, signature and module/class-level annotations count as run-time uses too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.unit.project_files import REPO, project_modules

Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def import_binds(node: ast.AST) -> set[str]:
    """Names an ``import`` statement binds (``import a.b`` binds ``a``)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return set()


def binds(node: ast.AST) -> set[str]:
    """Names one node binds in its scope."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Store | ast.Del) else set()
    if isinstance(node, ast.arg):
        return {node.arg}
    named = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)
    if isinstance(node, named):
        return {node.name} if node.name else set()
    return import_binds(node)


def imported_names(nodes: list[ast.stmt]) -> set[str]:
    """Names bound by the imports among ``nodes`` (nested statements included)."""
    return {name for stmt in nodes for node in ast.walk(stmt) for name in import_binds(node)}


def bound_names(scope: ast.AST) -> set[str]:
    """Names a function or class binds (over-approximated: nested scopes included)."""
    names = {name for node in ast.walk(scope) for name in binds(node)}
    if isinstance(scope, SCOPES) and not isinstance(scope, ast.Lambda):
        names.discard(scope.name)
    return names


def type_only_names(tree: ast.Module) -> set[str]:
    """Imported under ``if TYPE_CHECKING:`` and bound nowhere else at module level."""
    guarded: set[str] = set()
    runtime: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and is_type_checking(stmt.test):
            guarded |= imported_names(stmt.body)
            runtime += stmt.orelse
        elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            runtime.append(stmt)
    module_bound = {n for stmt in runtime for n in bound_names(stmt)}
    module_bound |= {s.name for s in tree.body
                     if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    return guarded - module_bound


class RuntimeUses(ast.NodeVisitor):
    """Loads of ``names`` that Python evaluates, outside scopes that bind them locally."""

    def __init__(self, names: set[str], postponed: bool) -> None:
        self.names, self.postponed = names, postponed
        self.local: list[set[str]] = []  # names bound by each enclosing scope
        self.in_function: list[bool] = []  # is each enclosing scope a function?
        self.found: list[tuple[int, str]] = []

    def visit_If(self, node: ast.If) -> None:
        if is_type_checking(node.test):
            for stmt in node.orelse:
                self.visit(stmt)
        else:
            self.generic_visit(node)

    def _signature(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(default)
        if not self.postponed:
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                        *(a for a in (args.vararg, args.kwarg) if a is not None)]:
                if arg.annotation is not None:
                    self.visit(arg.annotation)

    def _scope(self, node: Scope, body: list[ast.stmt] | list[ast.expr]) -> None:
        self.local.append(bound_names(node))
        self.in_function.append(not isinstance(node, ast.ClassDef))
        for stmt in body:
            self.visit(stmt)
        self.local.pop()
        self.in_function.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._signature(node.args)
        if node.returns is not None and not self.postponed:
            self.visit(node.returns)
        self._scope(node, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 (the visitor's naming)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._signature(node.args)
        self._scope(node, [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._scope(node, node.body)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        # a local variable's annotation is never evaluated; a module's or class's is, unless
        # postponed
        if not self.postponed and not (self.in_function and self.in_function[-1]):
            self.visit(node.annotation)
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_Name(self, node: ast.Name) -> None:
        if (isinstance(node.ctx, ast.Load) and node.id in self.names
                and not any(node.id in scope for scope in self.local)):
            self.found.append((node.lineno, node.id))


def runtime_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of every run-time use of a name imported only for type checking."""
    tree = ast.parse(source)
    postponed = any(isinstance(s, ast.ImportFrom) and s.module == "__future__"
                    and any(a.name == "annotations" for a in s.names) for s in tree.body)
    visitor = RuntimeUses(type_only_names(tree), postponed)
    visitor.visit(tree)
    return visitor.found


def test_no_type_checking_import_is_used_at_run_time() -> None:
    problems = [f"{path.relative_to(REPO)}:{line}: {name} is imported only under "
                "TYPE_CHECKING but used at run time (import it for real, or where it is used)"
                for path in project_modules()
                for line, name in runtime_uses(path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


SAMPLES = {
    "annotation only": ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
                        "if TYPE_CHECKING:\n    from x import A\n"
                        "def f(a: A, b: 'A') -> A:\n    c: A = a\n    return c\n", []),
    "call": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import A\n"
             "def f():\n    return A()\n", [(5, "A")]),
    "isinstance, default, base, cast": (
        "from __future__ import annotations\nimport typing\n"
        "if typing.TYPE_CHECKING:\n    import x.y\n    from x import A as B\n"
        "def f(v=B):\n    return isinstance(v, x.y.C)\n"
        "class K(B):\n    pass\n"
        "z = typing.cast(B, 1)\n", [(6, "B"), (7, "x"), (8, "B"), (10, "B")]),
    "imported where used": (
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from x import A\n"
        "def f() -> A:\n    from x import A\n    return A()\n"
        "g = lambda A: A\n", []),
    "bound at run time too": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import A\n"
        "else:\n    A = object\nB = A\n", []),
    "annotations evaluated without the future import": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import A\n"
        "def f(a: A) -> None:\n    b: A = a\n"
        "class K:\n    c: A\n", [(4, "A"), (7, "A")]),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_scan_tells_run_time_uses_from_type_only_ones(name: str) -> None:
    source, expected = SAMPLES[name]
    assert runtime_uses(source) == expected


def test_every_module_parses_and_is_scanned() -> None:
    modules = project_modules()
    assert Path(__file__) in modules
    assert sum("TYPE_CHECKING" in p.read_text(encoding="utf-8") for p in modules) >= 5
