"""Remake the golden executed notebooks: one per template, run on its defaults (``make golden``).

``pytest --nbval tests/golden`` re-runs each notebook and compares every
output with the stored one, after blanking only what may differ between
runs (``sanitize.cfg``: image bytes, time stamps, absolute paths, timings and
version numbers). A deliberate change of output remakes the goldens in the
same commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "lib"))

from whatworks import assets  # noqa: E402
from whatworks.templates import registry  # noqa: E402


def relative_to_here(value: str) -> str:
    """A default file path (relative to the notebooks folder) rewritten relative to this folder."""
    target = (assets.notebooks() / value).resolve()
    return Path(*[".."] * 2, target.relative_to(HERE.parents[1])).as_posix()


def make(name: str) -> Path:
    template = registry().get(name)
    parameters = {}
    for p in template.parameters:
        relative = isinstance(p.default, str) and p.default.startswith("../")  # e.g. a folder of files
        if (p.kind in ("file", "table") and isinstance(p.default, str) and p.default) or relative:
            parameters[p.name] = relative_to_here(p.default)
    out = HERE / f"{name}.ipynb"
    papermill.execute_notebook(str(template.path), str(out), parameters=parameters, cwd=str(HERE),
                               kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, out)
    return out


if __name__ == "__main__":
    for name in sys.argv[1:] or registry().names():
        print("golden:", make(name).relative_to(HERE.parents[1]))
