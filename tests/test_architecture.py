"""The shape of the library: no import circles, a true module map, designs that never read
files, date text read only by ``whatworks.dates``.

Date text is read by ``to_datetime``, ``strptime``, ``fromisoformat`` or
``dateutil`` anywhere, and in the designs also by ``pd.Timestamp(value)`` on a
value that may be text (not a number, and not a parameter annotated as a date).

Every import counts: at module level, inside functions and under
``TYPE_CHECKING``. ``from .pkg import name`` counts as importing ``pkg.name``
when that is a module, else ``pkg`` itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

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

#: Annotations that make a parameter a date already, so ``pd.Timestamp(param)`` reads no text.
_DATE_TYPE = re.compile(r"\b(?:date|datetime|Timestamp|datetime64)\b")


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


def _date_parameters(tree: ast.AST) -> dict[int, set[str]]:
    """For each line, the parameters of the enclosing functions annotated as dates."""
    out: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            named = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
                     if a.annotation is not None and "str" not in ast.unparse(a.annotation)
                     and _DATE_TYPE.search(ast.unparse(a.annotation))}
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                out.setdefault(line, set()).update(named)
    return out


def timestamp_readers(source: str) -> list[int]:
    """Lines calling ``pd.Timestamp(value)`` on one value that may be text.

    ``pd.Timestamp(2024, 3, 1)``, ``pd.Timestamp(0)`` and ``pd.Timestamp(d)`` with
    ``d: date`` (or ``datetime``, ``pd.Timestamp``) a parameter of the function
    build a timestamp from a date; anything else (a literal string, a name not
    known to be a date, a cell, an attribute) may read text, which
    :func:`whatworks.dates.parse_date` should do instead.
    """
    tree = ast.parse(source)
    dated = _date_parameters(tree)
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) == 1):
            continue
        func = node.func
        named = (isinstance(func, ast.Attribute) and func.attr == "Timestamp"
                 and isinstance(func.value, ast.Name) and func.value.id in ("pd", "pandas")) \
            or (isinstance(func, ast.Name) and func.id == "Timestamp")
        arg = node.args[0]
        if not named or (isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float))):
            continue
        if isinstance(arg, ast.Name) and arg.id in dated.get(node.lineno, set()):
            continue
        lines.append(node.lineno)
    return sorted(lines)


def test_the_timestamp_scan_tells_dates_from_text() -> None:
    source = (
        "import datetime as _dt\n"
        "import pandas as pd\n"
        "def known(when: _dt.date, text: str, maybe, t: pd.Timestamp | None):\n"
        "    a = pd.Timestamp(when)\n"           # 4: a date parameter
        "    b = pd.Timestamp(t)\n"              # 5: a timestamp parameter
        "    c = pd.Timestamp(2024, 3, 1)\n"     # 6: built from numbers
        "    d = pd.Timestamp(text)\n"           # 7: text
        "    e = pd.Timestamp(maybe)\n"          # 8: not known to be a date
        "    f = pd.Timestamp('03/04/2024')\n"   # 9: a literal
        "    return [pd.Timestamp(v) for v in maybe]\n"  # 10
    )
    assert timestamp_readers(source) == [7, 8, 9, 10]


def date_text_readers() -> list[str]:
    """Every ``path:function`` outside ``dates.py`` that reads date text itself."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "dates.py":
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        where = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(source.splitlines(), 1):
            code = line.split("#")[0]
            if _DATE_TEXT.search(code) and not code.lstrip().startswith((">>>", "...")):
                found.add(f"{where}:{_function_at(tree, number)}")
        if where.startswith("designs/"):
            found.update(f"{where}:{_function_at(tree, n)}" for n in timestamp_readers(source))
    return sorted(found)


def test_date_text_is_read_only_by_the_dates_module() -> None:
    outside = [o for o in date_text_readers() if not o.startswith("designs/")]
    assert not outside, "read date text outside whatworks.dates: " + ", ".join(outside)


def test_designs_read_date_text_only_through_the_dates_module() -> None:
    inside = [o for o in date_text_readers() if o.startswith("designs/")]
    assert not inside, "designs read date text: " + ", ".join(inside)
