"""Layering of api/graphql: feature packages import each other without a circle; the core imports no feature."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

GRAPHQL = Path(__file__).resolve().parents[2] / "api" / "graphql"
PREFIX = "api.graphql."
# The shared core every feature may import; it imports no feature. (nodes.py and schema.py sit on top:
# they gather the features into `node(id:)` and the schema, so they may import any.)
CORE = {"authz", "common", "enums", "execution", "organizations", "pagination", "rate_limit", "readable"}
TOP = {"nodes", "schema"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_modules(tree: ast.AST) -> Iterator[str]:
    """Every module an import statement names, at any depth (functions too), except under TYPE_CHECKING."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            continue  # never runs: type names only
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)  # `from pkg import module`
        yield from _imported_modules(node)


def _unit(module: str) -> str | None:
    """The feature package or core module of api/graphql a dotted module name belongs to."""
    if not module.startswith(PREFIX):
        return None
    return module[len(PREFIX) :].split(".")[0]


def unit_graph(root: Path = GRAPHQL) -> dict[str, set[str]]:
    """Which api/graphql units (feature packages, core modules) each unit imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        name = relative.parts[0].removesuffix(".py")
        if name == "__init__":
            continue
        targets = graph.setdefault(name, set())
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            unit = _unit(module)
            if (
                unit is not None
                and unit != name
                and ((root / unit).exists() or (root / f"{unit}.py").exists())
            ):
                targets.add(unit)
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import circle of the graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_the_cycle_finder_reports_a_circle_and_accepts_a_tree() -> None:
    # given a three-package circle and the same graph without its closing edge
    circle = {"projects": {"construction"}, "construction": {"obligations"}, "obligations": {"projects"}}
    tree = {"projects": set(), "construction": {"projects"}, "obligations": {"projects", "construction"}}
    # when / then
    assert find_cycle(circle) == ["construction", "obligations", "projects", "construction"]
    assert find_cycle(tree) is None


def test_the_import_walk_sees_imports_inside_functions_but_not_under_type_checking() -> None:
    # given
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from api.graphql.plans.types import PlanCall\n"
        "def f():\n    from api.graphql.construction import types\n"
    )
    # when
    found = {_unit(m) for m in _imported_modules(ast.parse(source))} - {None}
    # then
    assert found == {"construction"}


def test_feature_packages_of_api_graphql_import_each_other_without_a_circle() -> None:
    # given
    graph = unit_graph()
    assert {"projects", "construction", "obligations", "sync", "live"} <= graph.keys()
    # when
    cycle = find_cycle(graph)
    # then
    assert cycle is None, "import circle: " + " → ".join(cycle or [])


def test_the_graphql_core_imports_no_feature_package() -> None:
    # given
    graph = unit_graph()
    features = graph.keys() - CORE - TOP
    # when
    upward = {core: sorted(graph[core] & features) for core in CORE if graph.get(core, set()) & features}
    # then
    assert upward == {}
