"""The import graph of the package has no cycle, counting imports made inside functions.

Every module of ``src/betascale`` is read with :mod:`ast` (never imported): each
``import`` and ``from ... import`` statement, at module level or inside a function or
class, absolute or relative, is an edge from the module to the betascale module it
names. ``from betascale.a import b`` is an edge to ``betascale.a.b`` when that is a
module, else to ``betascale.a`` (the package's ``__init__``, where the name is
defined). An import of ``betascale.a.b`` is *not* an edge to ``betascale.a``'s
``__init__``, although Python runs it first: a package's ``__init__`` that re-exports
its modules would otherwise close a cycle with each of them. Imports under
``if TYPE_CHECKING:`` never run and are left out.

Cycles are the strongly connected components of the graph (Tarjan's algorithm,
R. Tarjan, SIAM J. Comput. 1, 146 (1972)); one cycle of each is printed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "betascale"


def module_name(path: Path) -> str:
    """``betascale.a.b`` for ``src/betascale/a/b.py`` (``betascale.a`` for its __init__)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    """Every module of the package, by name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree`` (nested ones too), except TYPE_CHECKING ones."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _base(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The absolute module a (possibly relative) ``from`` import starts from."""
    if not node.level:
        return node.module or ""
    parts = name.split(".") if is_package else name.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def targets_of(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, modules) -> set:
    """The betascale modules one import statement of module ``name`` imports."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = _base(node, name, is_package)
        targets = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
            for alias in node.names
        ]
    owners = {_owner(t, modules) for t in targets if t.split(".")[0] == "betascale"}
    return owners - {None}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The betascale modules that module ``name`` (at ``path``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _import_nodes(tree):
        found |= targets_of(node, name, is_package, modules)
    return found


def _owner(target: str, modules: dict[str, Path]) -> str | None:
    """The module ``target`` names, or the deepest module holding it."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the betascale modules it imports."""
    modules = package_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A cycle through the first module of ``component`` (a path back to it)."""
    start, members = component[0], set(component)
    parents: dict[str, str] = {}
    queue = [start]
    while queue:  # breadth first: the shortest cycle through start
        node = queue.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [*reversed(path), start]
            if child not in parents:
                parents[child] = node
                queue.append(child)
    return [start, start]


def test_the_graph_reads_imports_inside_functions_and_relative_ones():
    graph = import_graph()
    assert "betascale.ensemble.mpi" in graph["betascale.ensemble.runner"]  # inside a method
    assert "betascale.store" in graph["betascale.ensemble.scheduler"]  # a package import
    assert "betascale.resources" in graph["betascale.ensemble.tasks"]  # from betascale import
    modules = package_modules()
    source = "from . import core\nfrom .sqlite import COLUMNS\nfrom .. import errors\nimport os"
    found = set()
    for node in _import_nodes(ast.parse(source)):
        found |= targets_of(node, "betascale.store", True, modules)
    assert found == {"betascale.store.core", "betascale.store.sqlite", "betascale.errors"}
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import betascale.store"
    assert not list(_import_nodes(ast.parse(guarded)))[1:]


def test_tarjan_finds_cycles_and_only_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "d"}, "e": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"], ["d"]]
    assert one_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    cycles = [" -> ".join(one_cycle(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles: " + "; ".join(cycles)
