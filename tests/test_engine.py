"""Notebooks run in-process: the same report as from a kernel, and nothing of one report left for the next.

The default engine runs a template's cells in whatworks' own process (a fresh IPython shell and
namespace per notebook; Papermill still injects the parameters and records every cell). These tests
hold it to a kernel's results byte for byte, to a kernel's record of a failed cell, and to isolation
between notebooks run one after another in the same process.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from whatworks import kernels
from whatworks.runner import run

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "evaluations" / "town-centre-shop-theft.yaml"
PRODUCED = re.compile(rb"<dt>Produced</dt><dd>[^<]*</dd>")

pytestmark = pytest.mark.e2e


def _cells(path: Path) -> list[object]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], c["source"], c.get("execution_count"), c.get("outputs"), c["metadata"].get("tags"))
            for c in nb["cells"]]


def test_in_process_and_a_kernel_give_the_same_report_byte_for_byte(tmp_path):
    ours = run(SPEC, reports_root=tmp_path / "inprocess", force=True)
    theirs = run(SPEC, reports_root=tmp_path / "kernel", force=True, engine="kernel")
    assert ours.ok and theirs.ok, (ours.message, theirs.message)
    a, b = Path(ours.output or ""), Path(theirs.output or "")
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert (a / "estimates.csv").read_bytes() == (b / "estimates.csv").read_bytes()
    assert PRODUCED.sub(b"", (a / "report.html").read_bytes()) == PRODUCED.sub(b"", (b / "report.html").read_bytes())
    # the audit record: the same cells, injected parameters, outputs and execution counts
    assert _cells(a / "notebook.ipynb") == _cells(b / "notebook.ipynb")
    nb = json.loads((a / "notebook.ipynb").read_text(encoding="utf-8"))
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert nb["metadata"]["language_info"]["name"] == "python"
    assert all("duration" in c["metadata"]["papermill"] for c in nb["cells"])


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def _execute(source: Path, out: Path, cwd: Path) -> nbformat.NotebookNode:
    kernels.register_engine()
    return papermill.execute_notebook(str(source), str(out), engine_name=kernels.ENGINE, kernel_name="python3",
                                      progress_bar=False, request_save_on_cell_execute=False, cwd=str(cwd))


def test_nothing_of_one_notebook_reaches_the_next_in_the_same_process(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    kernels.warm_up()  # the libraries' own settings at import are kept; a notebook's changes are not
    rc_before = dict(matplotlib.rcParams)
    main_module, stdout = sys.modules["__main__"], sys.stdout
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os, warnings\nimport matplotlib as mpl\nimport matplotlib.pyplot as plt\nleak = 1",
        "mpl.rcParams['lines.linewidth'] = 9\nfig = plt.figure()\nwarnings.simplefilter('error')\n"
        "print(os.getcwd())",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import sys\nimport matplotlib as mpl\nimport matplotlib.pyplot as plt\n"
        "assert 'leak' not in globals() and 'fig' not in globals()\n"
        "assert mpl.rcParams['lines.linewidth'] != 9 and plt.get_fignums() == []\n"
        "print('a note', file=sys.stderr)\n'still running'",
    )
    done = _execute(first, tmp_path / "first-out.ipynb", tmp_path)
    assert done.cells[1].outputs[0]["text"].strip() == str(tmp_path)  # the notebook ran in its folder
    after = _execute(second, tmp_path / "second-out.ipynb", ROOT)
    assert [c.execution_count for c in after.cells] == [1]  # a fresh shell counts from 1, as a new kernel does
    outputs = after.cells[0].outputs
    assert any(o.get("name") == "stderr" and "a note" in o["text"] for o in outputs)
    assert outputs[-1]["data"]["text/plain"] == "'still running'" and outputs[-1]["execution_count"] == 1
    assert dict(matplotlib.rcParams) == rc_before and plt.get_fignums() == []
    assert sys.modules["__main__"] is main_module and sys.stdout is stdout
    assert Path.cwd() != tmp_path


def test_a_failing_cell_is_recorded_and_reported_as_from_a_kernel(tmp_path):
    source = _notebook(tmp_path / "fails.ipynb", "x = 1", "print('before')\nraise ValueError('no such column')",
                       "never = True")
    with pytest.raises(PapermillExecutionError) as caught:
        _execute(source, tmp_path / "out.ipynb", tmp_path)
    assert caught.value.ename == "ValueError" and caught.value.evalue == "no such column"
    assert caught.value.exec_count == 2
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [o["output_type"] for o in code[1].outputs] == ["stream", "error"]
    assert code[1].metadata.papermill.exception is True and code[2].execution_count is None
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)  # papermill's marker


def test_a_report_run_in_process_reads_its_data_once(tmp_path, monkeypatch):
    """The runner checks the data before the notebook starts; the notebook's load(ev) takes what was read."""
    import functools

    from whatworks import handover
    from whatworks.templates import before_after

    reads: list[object] = []
    inner = before_after.load.__wrapped__

    @functools.wraps(inner)
    def counted(ev):
        reads.append(ev)
        return inner(ev)

    monkeypatch.setattr(before_after, "load", handover.reads_once(counted))
    outcome = run(SPEC, reports_root=tmp_path, force=True)
    assert outcome.ok, outcome.message
    assert len(reads) == 1  # the check before the notebook; the notebook's own call took its result
    assert handover._KEPT == {}  # nothing held after the run


def test_inputs_left_by_a_failed_notebook_are_let_go(tmp_path, monkeypatch):
    from whatworks import handover, runner
    from whatworks.errors import RunError

    def fails(*args, **kwargs):
        assert len(handover._KEPT) == 1  # kept for the notebook while it runs
        raise RunError("the template stopped")

    monkeypatch.setattr(runner, "execute", fails)
    outcome = run(SPEC, reports_root=tmp_path, force=True)
    assert (outcome.status, outcome.kind) == ("failed", "error"), outcome.message
    assert handover._KEPT == {}


def test_warm_up_pauses_the_collector_and_freezes_only_what_it_imported(tmp_path, monkeypatch):
    import gc

    kernels.warm_up()
    frozen = gc.get_freeze_count()
    kernels.warm_up()  # nothing new to import: nothing more is frozen
    assert gc.get_freeze_count() == frozen and gc.isenabled()
    (tmp_path / "ww_warm_probe.py").write_text(
        "import gc\nCOLLECTING = gc.isenabled()\nMADE = [[] for _ in range(1000)]\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "ww_warm_probe", raising=False)
    kernels.warm_up("ww_warm_probe")
    probe = sys.modules["ww_warm_probe"]
    assert probe.COLLECTING is False  # the collector was paused while it loaded
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(probe.MADE)  # and what it made is frozen
