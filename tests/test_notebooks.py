"""Every template: stored clean, typed parameters that validate, and runs top to bottom on its defaults."""

from __future__ import annotations

import ast

import nbformat
import pytest

from conftest import ROOT
from whatworks.report import read_payload
from whatworks.spec import coerce
from whatworks.templates import registry

TEMPLATES = registry().names()


def test_there_are_templates():
    assert "before-after" in TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_stored_without_outputs(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{name}: cell {cell.get('id')} has stored outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_thin(name):
    """No function or class definitions and no loops in a template: logic lives in the library."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda)
        bad = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, banned)]
        assert not bad, f"{name}: cell {cell.get('id')} defines {bad}"
        assert len(cell.source.splitlines()) <= 60 if "parameters" in cell.metadata.get("tags", []) else (
            len([line for line in cell.source.splitlines() if line.strip()]) <= 6), f"{name}: cell too long"


@pytest.mark.parametrize("name", TEMPLATES)
def test_defaults_are_valid_spec_values(name):
    """Each default passes the same validation a spec value would, and demo files exist."""
    template = registry().get(name)
    for p in template.parameters:
        if p.default is None:
            assert p.optional, f"{name}: {p.name} defaults to blank but is not Optional"
            continue
        assert coerce(p, p.default, file=f"{name}.ipynb") == p.default, f"{name}: default of {p.name}"
        if p.kind in ("file", "table") and isinstance(p.default, str):
            assert (ROOT / "notebooks" / p.default).is_file(), f"{name}: {p.default} missing"


@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_runs_on_its_defaults(name, tmp_path):
    """As in JupyterLab: working folder notebooks/, no parameters given."""
    import papermill

    from whatworks.kernels import start_kernel as start

    km = start(ROOT / "notebooks", warm=False)
    try:
        papermill.execute_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"), str(tmp_path / "out.ipynb"),
                                   kernel_name=km.kernel_name, km=km, progress_bar=False)
    finally:
        km.shutdown_kernel(now=True)
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    payload = read_payload(nb)
    assert payload is not None, f"{name} did not record its results"
    assert sum(e["headline"] for e in payload["estimates"]) == 1
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("name", TEMPLATES)
def test_papermill_lists_every_parameter_with_its_type_and_help(name):
    """``papermill --help-notebook`` shows each parameter, typed, with its help (choices included)."""
    import papermill

    template = registry().get(name)
    listed = papermill.inspect_notebook(str(template.path))
    assert list(listed) == list(template.names), f"{name}: papermill lists {sorted(set(template.names) - set(listed))} "
    for p in template.parameters:
        entry = listed[p.name]
        assert entry["inferred_type_name"] not in (None, "None", "Any"), f"{name}: {p.name} has no real type"
        assert entry["help"].strip(), f"{name}: {p.name} has no help comment"
        for choice in p.choices or ():
            assert str(choice) in entry["help"], f"{name}: the help of {p.name} does not list '{choice}'"
