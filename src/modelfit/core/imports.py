"""The package's own import graph, read from its source: the check behind the house rules.

Every `import` and `from ... import` counts, those inside functions and under `TYPE_CHECKING`
included, since any of them can close a loop at run time. Modules sit in stages (the first
part of their name below `modelfit`); an import may reach its own stage or an earlier one,
never a later one, and no set of modules may import each other in a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "modelfit"
# The stages of the way through, in the order imports may run (a module may import its own
# stage and the ones before it). `provenance` (what a run depends on), `analysis` (the full
# answer) and `cli` are single modules at the top level.
STAGES = ("core", "inputs", "decision", "outcome", "provenance", "analysis", "views", "deliver", "run", "cli")


@dataclass(frozen=True)
class Edge:
    """`source` imports `target` (`names` from it) at line `line` of `source`'s file."""

    source: str
    target: str
    line: int
    names: tuple[str, ...]


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the package under `root` (the `modelfit` folder), by dotted name."""
    mods: dict[str, Path] = {}
    for f in sorted(root.rglob("*.py")):
        parts = [PACKAGE, *f.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = f
    return mods


def _resolve(name: str, mods: Mapping[str, Path]) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def edges(root: Path) -> list[Edge]:
    """Every import between the package's own modules, wherever in a file it stands."""
    mods = module_files(root)
    out: list[Edge] = []
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            found: list[tuple[str, tuple[str, ...]]]
            if isinstance(node, ast.Import):
                found = [(a.name, ()) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    name = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    name = node.module or ""
                # `from pkg import sub` imports the module pkg.sub when there is one.
                found = [(f"{name}.{a.name}" if f"{name}.{a.name}" in mods else name, (a.name,))
                         for a in node.names]
            else:
                continue
            for name, names in found:
                if name != PACKAGE and not name.startswith(PACKAGE + "."):
                    continue
                target = _resolve(name, mods)
                if target is None or target == mod:
                    continue
                if mods[target].name == "__init__.py" and mod.startswith(target + "."):
                    continue  # a module reading its own package's docstring-only __init__
                out.append(Edge(mod, target, node.lineno, tuple(names)))
    return out


def stage(module: str) -> str | None:
    """The stage a module belongs to (`modelfit.decision.scoring` → `decision`); None for the
    package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def loops(found: Iterable[Edge]) -> list[list[str]]:
    """The sets of modules that import each other in a loop (strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for e in found:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def problems(root: Path) -> list[str]:
    """One line per broken house rule: a loop, an import from an earlier stage to a later one,
    a private name imported from another module, a module outside the known stages."""
    found = edges(root)
    out = [f"import loop: {' <-> '.join(comp)}" for comp in loops(found)]
    rank = {s: i for i, s in enumerate(STAGES)}
    for mod in module_files(root):
        s = stage(mod)
        if s is not None and s not in rank:
            out.append(f"{mod}: not in a known stage ({', '.join(STAGES)})")
    for e in found:
        a, b = stage(e.source), stage(e.target)
        if a in rank and b in rank and rank[b] > rank[a]:
            out.append(f"{e.source} (line {e.line}) imports {e.target}: {a} may not import "
                       f"the later stage {b}")
        private = [n for n in e.names if n.startswith("_") and not n.startswith("__")]
        if private:
            out.append(f"{e.source} (line {e.line}) imports the private {', '.join(private)} "
                       f"from {e.target}")
    return out
