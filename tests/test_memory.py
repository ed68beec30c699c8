"""A large incident export is validated in bounded memory.

A 500 MB export (several million incidents, the size of a force's year of
calls) is written in chunks, and ``whatworks validate`` must peak under
2 GB of memory: only the columns the spec names are read.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("memory")]

TARGET = 500 * 1024 * 1024
LIMIT_KB = 2 * 1024 * 1024  # ru_maxrss is in kilobytes on Linux


def write_export(path: Path, *, size: int = TARGET, chunk: int = 200_000) -> int:
    """An incident export of about ``size`` bytes, written ``chunk`` rows at a time; the rows written."""
    rng = np.random.default_rng(11)
    days = pd.date_range("2022-01-01", "2024-12-31", freq="D").strftime("%Y-%m-%d").to_numpy()
    types = np.array(["Burglary", "Theft from vehicle", "Shoplifting", "Criminal damage", "ASB"])
    written = rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("incident_id,reported_date,offence,ward,officer,notes\n")
        while written < size:
            ids = np.arange(rows, rows + chunk)
            frame = pd.DataFrame({
                "incident_id": np.char.add("INC-", ids.astype(str)),
                "reported_date": days[rng.integers(0, len(days), chunk)],
                "offence": types[rng.integers(0, len(types), chunk)],
                "ward": np.char.add("Ward ", rng.integers(1, 40, chunk).astype(str)),
                "officer": np.char.add("PC ", rng.integers(1000, 9999, chunk).astype(str)),
                "notes": "Reported by caller; attended; no further action at this time",
            })
            text = frame.to_csv(index=False, header=False)
            fh.write(text)
            written += len(text)
            rows += chunk
    return rows


def test_validate_a_500_mb_export_under_2_gb(tmp_path):
    data = tmp_path / "incidents.csv"
    write_export(data)
    assert data.stat().st_size >= TARGET
    spec = tmp_path / "plan.yaml"
    spec.write_text("template: before-after\ntitle: Large export\nowner: Tester\ndata: incidents.csv\n"
                    "date_column: reported_date\naggregate: week\nintervention_date: 2024-01-01\n")
    lib = Path(__file__).resolve().parents[1] / "lib"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-m", "whatworks", "validate", str(spec)], capture_output=True,
                         text=True, cwd=tmp_path, env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"},
                         timeout=600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert out.returncode == 0, out.stdout + out.stderr
    assert "valid" in out.stdout
    assert peak < LIMIT_KB, f"validate peaked at {peak / 1024:.0f} MB (before: {before / 1024:.0f} MB)"
