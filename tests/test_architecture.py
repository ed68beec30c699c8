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


def _map_text() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return text[text.index("## Module map"):text.index("## Conventions")]


def _map_rows() -> dict[str, str]:
    """First cell of each module-map row (a path) -> the whole row."""
    rows = {}
    for line in _map_text().splitlines():
        found = re.match(r"^\| `([^`]+)` \|", line)
        if found:
            rows[found.group(1)] = line
    return rows


def test_the_module_map_names_every_module_and_only_modules_that_exist() -> None:
    rows = _map_rows()
    named_files = {p for p in rows if p.endswith(".py")}
    named_packages = {p.rstrip("/") for p in rows if p.endswith("/")}
    for path in named_files:
        assert (PACKAGE / path).is_file(), f"ARCHITECTURE.md names {path}, which does not exist"
    for folder in named_packages:
        assert (PACKAGE / folder).is_dir(), f"ARCHITECTURE.md names {folder}/, which does not exist"
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in named_files:
            continue
        folder = path.parent.relative_to(PACKAGE).as_posix()
        row = rows.get(folder + "/")
        if row is not None and (path.stem == "__init__" or f"`{path.stem}`" in row):
            continue
        missing.append(relative)
    assert not missing, "modules missing from ARCHITECTURE.md's module map: " + ", ".join(missing)


def test_every_design_is_a_package_split_by_concept() -> None:
    designs = sorted(p for p in (PACKAGE / "designs").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert [p.name for p in designs] == ["benefits", "did", "its", "performance", "rct", "spc"]
    for design in designs:
        modules = {p.stem for p in design.glob("*.py")}
        for concept in ("model", "checks", "words", "plots", "result", "fit", "__init__"):
            assert concept in modules, f"designs/{design.name}/ has no {concept} module"
    assert not list((PACKAGE / "designs").glob("*.py"))[1:], "designs/ holds only its sub-packages"


def test_package_inits_of_designs_only_re_export() -> None:
    for init in sorted((PACKAGE / "designs").glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        for node in tree.body:
            allowed = (ast.ImportFrom, ast.Import, ast.Expr, ast.Assign)
            assert isinstance(node, allowed), f"{init.relative_to(ROOT)} holds logic ({type(node).__name__})"
            if isinstance(node, ast.Assign):
                assert [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"], init


def test_no_forwarding_methods_on_results() -> None:
    """A result method whose body only hands ``self`` to a function elsewhere is a forwarding method."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                body = [n for n in fn.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
                if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call):
                    call = body[0].value
                    args = [a for a in call.args if isinstance(a, ast.Name)]
                    if [a.id for a in args] == ["self"] and len(call.args) == 1 and not call.keywords:
                        offenders.append(f"{path.relative_to(PACKAGE)}:{cls.name}.{fn.name}")
    assert not offenders, "forwarding methods: " + ", ".join(offenders)


def test_chart_functions_are_named_plot_something() -> None:
    """Every public function of a design's plots or sections module that returns a chart is plot_<what>."""
    offenders = []
    for path in sorted((PACKAGE / "designs").glob("*/*.py")):
        if path.stem not in ("plots", "sections"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")):
            returns = ast.unparse(fn.returns) if fn.returns else ""
            if "Chart" in returns and not fn.name.startswith("plot_"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{fn.name}")
    assert not offenders, "chart functions not named plot_<what>: " + ", ".join(offenders)
