"""The package layout keeps its shape: foundations import no domain, and no import loop
forms between packages (DESIGN.md's architecture; STYLE.md: no domain imports another in a
loop). Imports inside functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import allo

ROOT = Path(allo.__file__).parent
#: the schema registry (`allo.db` imports every domain's models for migrations) and the CLI are
#: allowed to see everything
ENTRY_POINTS = frozenset({"db", "cli"})
#: foundations every domain may use: they import no domain package
FOUNDATIONS = {"ops": {"db"}, "privacy": {"db", "ops"}}


def package_imports() -> dict[str, set[str]]:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2:
            continue  # allo/runtime.py, allo/settings.py…: shared modules, not packages
        owner = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "allo" and len(bits) > 1 and bits[1] in packages - {owner}:
                    graph[owner].add(bits[1])
    return graph


def loops(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected groups of two or more packages (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_foundations_import_no_domain() -> None:
    graph = package_imports()
    for package, allowed in FOUNDATIONS.items():
        assert graph[package] <= allowed, (package, graph[package] - allowed)


def test_no_import_loop() -> None:
    graph = {
        p: targets - ENTRY_POINTS
        for p, targets in package_imports().items()
        if p not in ENTRY_POINTS
    }
    assert loops(graph) == []


def test_the_layers() -> None:
    """The directory knows no fiche, the knowledge base no contact, search no contact or office:
    each layer reads only those below it (the editors' watch is handed the advisors'
    consultations, the fiche's « où s'adresser » is composed in the knowledge base)."""
    graph = package_imports()
    assert not graph["directory"] & {"kb", "search", "contacts", "stats", "backlog"}
    assert not graph["kb"] & {"contacts", "search", "stats", "backlog"}
    assert not graph["search"] & {"contacts", "directory", "stats", "backlog"}


def test_the_loop_finder_sees_a_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert loops(graph) == [frozenset({"a", "b", "c"})]


def test_domains_know_nothing_of_the_web_layer() -> None:
    graph = package_imports()
    assert not {p for p, targets in graph.items() if "web" in targets} - ENTRY_POINTS - {"web"}
