"""How fast whatworks renders reports, measured against the alternatives in one run.

Prints three ratios, each from timings taken now on this machine:

1. per report: ``whatworks run SPEC`` against the plain command pipeline
   ``papermill template.ipynb out.ipynb -f params.yaml --cwd ...`` followed by
   ``jupyter nbconvert --to html --no-input out.ipynb`` (aim: at least 2x faster);
2. a batch of 20 specs: ``whatworks run`` on all of them against running them
   one by one through that pipeline (aim: at least 4x faster on 2 cores);
3. per report in a batch against the same analysis run as a plain Python
   script (the template's code cells executed in one fresh interpreter, no
   kernel, no report) (aim: at most 1.3x slower).

Run:  make bench   (or  .venv/bin/python benchmarks/pipeline.py [--batch 20])
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))

from whatworks.spec import load_spec  # noqa: E402

PLAIN_SCRIPT = """
import json, os, sys
os.chdir(sys.argv[2])
params = json.loads(open(sys.argv[3]).read())
cells = json.loads(open(sys.argv[1]).read())
import IPython.display
IPython.display.display = lambda *a, **k: None
namespace = dict(params)
for source in cells:
    exec(compile(source, "<template>", "exec"), namespace)
"""


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def workspace(tmp: Path, batch: int) -> tuple[list[Path], list[Path]]:
    """A copy of evaluations/ beside a link to data/, plus `batch` copies of the demo specs."""
    evaluations = tmp / "evaluations"
    shutil.copytree(ROOT / "evaluations", evaluations)
    os.symlink(ROOT / "data", tmp / "data")
    demos = sorted(evaluations.glob("*.yaml"))
    copies = []
    for i in range(batch):
        source = demos[i % len(demos)]
        target = evaluations / f"batch-{i + 1:02d}-{source.stem}.yaml"
        shutil.copy(source, target)
        copies.append(target)
    return demos, copies


def pipeline(spec_path: Path, out: Path) -> float:
    """The plain papermill + nbconvert command pipeline for one spec."""
    spec = load_spec(spec_path)
    params = out / f"{spec.name}.params.yaml"
    params.write_text(yaml.safe_dump(dict(spec.parameters)))
    notebook = out / f"{spec.name}.ipynb"
    return timed([str(BIN / "papermill"), str(spec.template.path), str(notebook), "-f", str(params),
                  "--cwd", str(spec.base_dir), "--no-progress-bar"]) + \
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(notebook)])


def plain(spec_path: Path, out: Path) -> float:
    """The template's analysis as a plain Python script in a fresh interpreter."""
    spec = load_spec(spec_path)
    nb = nbformat.read(spec.template.path, as_version=4)
    cells = [c.source for c in nb.cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    cells_file, params_file = out / f"{spec.name}.cells.json", out / f"{spec.name}.plain-params.json"
    cells_file.write_text(json.dumps(cells))
    params_file.write_text(json.dumps(dict(spec.parameters)))
    return timed([sys.executable, "-c", PLAIN_SCRIPT, str(cells_file), str(spec.base_dir), str(params_file)])


def whatworks(specs: list[Path], reports: Path, workers: int) -> float:
    return timed([sys.executable, "-m", "whatworks", "run", *map(str, specs), "--reports", str(reports),
                  "--workers", str(workers)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20, help="specs in the batch comparison (default 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="whatworks workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        demos, copies = workspace(tmp, args.batch)
        out = tmp / "pipeline"
        out.mkdir()
        print(f"{len(demos)} demo specs; batch of {len(copies)}; {args.workers} workers; "
              f"{os.cpu_count()} cores\n", flush=True)

        single_ww = [whatworks([s], tmp / "single", 1) for s in demos]
        single_pipe = [pipeline(s, out) for s in demos]
        mean_ww, mean_pipe = sum(single_ww) / len(demos), sum(single_pipe) / len(demos)
        print(f"1. one report:   whatworks run {mean_ww:6.1f} s   papermill + nbconvert {mean_pipe:6.1f} s   "
              f"-> {mean_pipe / mean_ww:.2f}x faster (aim >= 2x)", flush=True)
        sequential = whatworks(demos, tmp / "sequential", 1) / len(demos)
        print(f"   per report, the {len(demos)} demos in one run with --workers 1: {sequential:6.1f} s   "
              f"-> {mean_pipe / sequential:.2f}x faster than papermill + nbconvert", flush=True)

        batch_ww = whatworks(copies, tmp / "batch", args.workers)
        batch_pipe = sum(pipeline(s, out) for s in copies)
        print(f"2. {len(copies)} reports:    whatworks run {batch_ww:6.1f} s   one by one {batch_pipe:6.1f} s   "
              f"-> {batch_pipe / batch_ww:.2f}x faster (aim >= 4x)", flush=True)

        per_report = batch_ww / len(copies)
        plain_times = [plain(s, out) for s in demos]
        mean_plain = sum(plain_times) / len(plain_times)
        print(f"3. per report in the batch {per_report:5.1f} s   plain Python script {mean_plain:5.1f} s   "
              f"-> {per_report / mean_plain:.2f}x the script's time (aim <= 1.3x)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
