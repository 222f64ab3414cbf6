"""The package's modules import each other without a cycle, counting imports inside functions and
under TYPE_CHECKING: each stage sits above the ones it uses; and no module grows past what a reader
takes in at once."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"


def imports_of(path: Path) -> set[str]:
    """The sitegen modules a module imports, wherever in the module the import is."""
    names = {module.stem for module in PACKAGE.glob("*.py")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import views
                found.update(alias.name for alias in node.names if alias.name in names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sitegen."):
            found.add((node.module or "").split(".")[1])
    return found - {path.stem}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node):], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, ())):
            cycle = visit(target, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node, [])
        if cycle:
            return cycle
    return None


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = {path.stem: imports_of(path) for path in PACKAGE.glob("*.py")}
    assert graph["build"] >= {"plan", "render", "cache"}, "the imports are found"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_a_cycle_is_found() -> None:
    assert find_cycle({"plan": {"render"}, "render": {"views", "plan"}, "views": set()}) == ["plan", "render", "plan"]
    assert find_cycle({"plan": {"render"}, "render": {"views"}, "views": set()}) is None


LONGEST_MODULE = 450
"""Lines a module of the package may have at most: a module longer than this does more than one job,
and should be split where its jobs part."""


def test_no_module_is_longer_than_the_longest_allowed() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert "build.py" in lengths, "the package's modules were found"
    too_long = {name: count for name, count in lengths.items() if count > LONGEST_MODULE}
    assert not too_long, f"modules over {LONGEST_MODULE} lines: {too_long}"
