"""The committed demo data is exactly what the seeded script makes."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_make_demo_data_reproduces_the_committed_files(tmp_path):
    out = tmp_path / "demo"
    subprocess.run([sys.executable, str(ROOT / "data" / "make_demo_data.py"), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=300)
    committed = ROOT / "data" / "demo"
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert made == kept, "data/demo/ and the script disagree on which files exist"
    for rel in made:
        assert (out / rel).read_bytes() == (committed / rel).read_bytes(), f"{rel} differs: run `make data`"
