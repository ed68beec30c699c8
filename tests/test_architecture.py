"""The shape of the library: no import circles, a true module map, designs that never read
files, date text read only by ``whatworks.dates``.

Every import counts: at module level, inside functions and under
``TYPE_CHECKING``. ``from .pkg import name`` counts as importing ``pkg.name``
when that is a module, else ``pkg`` itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

LIB = ROOT / "lib"
PACKAGE = LIB / "whatworks"


def _module_name(path: Path) -> str:
    parts = path.relative_to(LIB).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "whatworks")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "whatworks":
                target = node.module
            else:
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    # importing a.b.c runs a and a.b first: only the named module counts as the edge
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
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


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_in_the_library() -> None:
    cycles = _cycles(import_graph())
    assert not cycles, "import circles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_package_namespace_imports_what_it_names() -> None:
    import importlib

    import whatworks

    for short, target in whatworks._MODULES.items():
        assert importlib.import_module(target, "whatworks"), short


def test_designs_never_read_files() -> None:
    reading = re.compile(r"\bopen\(|read_csv|read_excel|read_text\(|read_bytes\(|\bload_series\(|read_table\(")
    offenders = []
    for path in sorted((PACKAGE / "designs").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if reading.search(code) and not code.lstrip().startswith((">>>", "...")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, "designs read files: " + ", ".join(offenders)


_DATE_TEXT = re.compile(r"\bto_datetime\(|strptime\(|fromisoformat\(|dateutil")

#: Design modules that still read date text themselves, as ``path:function``; phase 2
#: moves them onto ``whatworks.dates`` and deletes this list.
KNOWN_DESIGN_OFFENDERS = {
    "designs/_before_after_activity.py:activity",
    "designs/_benefits_inputs.py:Cell.date",
    "designs/_did_input.py:_parse_date",
    "designs/_its_analysis.py:tidy_frame",
    "designs/benefits.py:_date",
    "designs/its.py:_to_timestamp",
}


def _function_at(tree: ast.AST, line: int) -> str:
    """The dotted name of the innermost class or function holding ``line``."""
    best: list[str] = []

    def walk(node: ast.AST, names: list[str]) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if child.lineno <= line <= (child.end_lineno or child.lineno):
                    best = [*names, child.name]
                    walk(child, best)
            else:
                walk(child, names)

    walk(tree, [])
    return ".".join(best) or "<module>"


def date_text_readers() -> list[str]:
    """Every ``path:function`` outside ``dates.py`` that reads date text itself."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "dates.py":
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for number, line in enumerate(source.splitlines(), 1):
            code = line.split("#")[0]
            if _DATE_TEXT.search(code) and not code.lstrip().startswith((">>>", "...")):
                found.add(f"{path.relative_to(PACKAGE).as_posix()}:{_function_at(tree, number)}")
    return sorted(found)


def test_date_text_is_read_only_by_the_dates_module() -> None:
    outside = [o for o in date_text_readers() if not o.startswith("designs/")]
    assert not outside, "read date text outside whatworks.dates: " + ", ".join(outside)


def test_no_design_starts_reading_date_text_itself() -> None:
    new = sorted(set(o for o in date_text_readers() if o.startswith("designs/"))
                 - KNOWN_DESIGN_OFFENDERS)
    assert not new, "designs that read date text, use whatworks.dates: " + ", ".join(new)


@pytest.mark.xfail(strict=True, reason="designs switch to whatworks.dates in phase 2")
def test_designs_read_date_text_only_through_the_dates_module() -> None:
    inside = [o for o in date_text_readers() if o.startswith("designs/")]
    assert not inside, "designs read date text: " + ", ".join(inside)
