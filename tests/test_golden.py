"""The golden notebooks catch a changed number.

``make test`` re-runs every executed example notebook in ``tests/golden/``
with nbval and compares every output with the stored one; only image bytes,
time stamps, absolute paths, timings and version numbers are blanked
(``sanitize.cfg``). This test shows the comparison has teeth: the same
notebook with one estimate changed in its stored output fails, and the
untouched copy passes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
TEMPLATE = "before-after"  # the quickest template to re-run


def _copy(tmp_path: Path, change: bool) -> Path:
    """The golden notebook at the same depth below a folder that links to the demo data."""
    for name in ("data", "evaluations"):
        link = tmp_path / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=True)
    target = tmp_path / "tests" / "golden" / f"{TEMPLATE}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nb = json.loads((GOLDEN / f"{TEMPLATE}.ipynb").read_text(encoding="utf-8"))
    if change:
        changed = False
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                payload = output.get("data", {}).get("application/vnd.whatworks.results+json")
                if payload:
                    head = next(e for e in payload["estimates"] if e["headline"])
                    head["estimate"] = round(head["estimate"] * 1.01, 6)
                    changed = True
        assert changed, "the golden notebook holds no results payload"
    target.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return target


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval",
         "--nbval-sanitize-with", str(GOLDEN / "sanitize.cfg"), "--rootdir", str(notebook.parent),
         "-c", os.devnull, str(notebook)],
        capture_output=True, text=True, timeout=600, cwd=notebook.parent, env=env)


def test_there_is_a_golden_notebook_per_template() -> None:
    from whatworks.templates import registry

    assert sorted(p.stem for p in GOLDEN.glob("*.ipynb")) == registry().names()


@pytest.mark.parametrize("change", [False, True], ids=["unchanged", "estimate-changed"])
def test_nbval_fails_when_an_estimate_changes(tmp_path: Path, change: bool) -> None:
    result = _nbval(_copy(tmp_path, change))
    if change:
        assert result.returncode != 0, result.stdout[-2000:]
        assert "mismatch" in result.stdout.lower() or "failed" in result.stdout.lower()
    else:
        assert result.returncode == 0, result.stdout[-3000:]
