"""How fast whatworks renders reports, measured against the naive pipeline in one run.

Every timing is a fresh command started from this script (a new interpreter, a
new empty reports folder, ``whatworks run --force``): no kernel, pool or report
is left over from an earlier measurement. whatworks and the naive pipeline are
interleaved round by round on the same templates and parameters (the order
within a round alternates, so a machine that slows down during the run harms
both alike), and each figure is the median of the rounds' paired ratios.

The naive pipeline for one spec is the plain command pair
``papermill template.ipynb out.ipynb -f params.yaml --cwd SPEC_FOLDER`` then
``jupyter nbconvert --to html --no-input out.ipynb``.

Prints:

1. one report: ``whatworks run SPEC --force`` against the naive pipeline
   (aim: at least 2x faster);
2. the batch: 20 specs (copies of the demos, round-robin) with
   ``whatworks run --workers 2 --force`` against the naive pipeline run on
   them one by one (aim: at least 4x faster on 2 cores);
3. the trial demo (``fraud-protect-trial``) alone, ``whatworks run --force``
   (aim: under 8 s);
4. the batch run again with nothing changed (no ``--force``: every report is
   up to date and skipped);
5. what each demo report costs, one at a time in one run (``--workers 1``),
   from ``--json``: the per-report costs docs/scale.md sizes a portfolio from;
6. with ``--plain``: per report in the batch against the same analysis as a
   plain Python script (the template's code cells in one fresh interpreter,
   no kernel, no report).

Run:  make bench   (or  .venv/bin/python benchmarks/pipeline.py [--rounds 3] [--batch 20] [--workers 2])
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))
# every command started from here (whatworks, papermill and its kernel) uses this checkout's library
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "lib"), *filter(None, [os.environ.get("PYTHONPATH")])])

from whatworks.spec import load_spec  # noqa: E402

TRIAL = "fraud-protect-trial"

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


class Folders:
    """A new, empty folder for every measurement."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.count = tmp, 0

    def __call__(self, name: str) -> Path:
        self.count += 1
        folder = self.tmp / f"{self.count:03d}-{name}"
        folder.mkdir()
        return folder


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


def whatworks(specs: list[Path], reports: Path, workers: int, *, force: bool = True) -> float:
    return timed([sys.executable, "-m", "whatworks", "run", *map(str, specs), "--reports", str(reports),
                  "--workers", str(workers), *(["--force"] if force else [])])


def per_report_costs(specs: list[Path], reports: Path) -> dict[str, float]:
    """Each demo's own time in one sequential run (``--workers 1 --json``)."""
    done = subprocess.run([sys.executable, "-m", "whatworks", "run", *map(str, specs), "--reports", str(reports),
                           "--workers", "1", "--force", "--json"], capture_output=True, text=True, check=True)
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {Path(r["spec"]).stem: float(r["seconds"]) for r in records}


def children_cpu() -> float:
    """CPU seconds used so far by every finished command started from here (and their own children:
    kernels, worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: CPU seconds of each side's measurements, in the order of the last :func:`paired` call.
CPU: dict[str, list[float]] = {"ours": [], "theirs": []}


def paired(rounds: int, ours: Callable[[], float], theirs: Callable[[], float]) -> tuple[list[float], list[float]]:
    """``rounds`` interleaved pairs of timings; the first of each pair alternates. The CPU time of each
    measurement goes to :data:`CPU` (a figure that a busy machine hardly moves)."""
    a: list[float] = []
    b: list[float] = []
    CPU["ours"], CPU["theirs"] = [], []

    def measure(fn: Callable[[], float], times: list[float], side: str) -> None:
        before = children_cpu()
        times.append(fn())
        CPU[side].append(children_cpu() - before)

    for i in range(rounds):
        if i % 2 == 0:
            measure(ours, a, "ours")
            measure(theirs, b, "theirs")
        else:
            measure(theirs, b, "theirs")
            measure(ours, a, "ours")
    return a, b


def ratios(ours: list[float], theirs: list[float]) -> str:
    each = [t / o for o, t in zip(ours, theirs)]
    return (f"median of {len(each)} paired ratios {statistics.median(each):.2f}x "
            f"({', '.join(f'{r:.2f}' for r in each)})")


def cpu_line() -> str:
    ours, theirs = CPU["ours"], CPU["theirs"]
    return (f"   CPU time: whatworks median {statistics.median(ours):6.1f} s, naive median "
            f"{statistics.median(theirs):6.1f} s -> {ratios(ours, theirs)} less CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds per comparison (default 3, at least 3)")
    parser.add_argument("--batch", type=int, default=20, help="specs in the batch comparison (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="whatworks workers for the batch (default 2)")
    parser.add_argument("--spec", default="town-centre-shop-theft", help="the demo timed as one report")
    parser.add_argument("--plain", action="store_true", help="also time the analysis as a plain Python script")
    args = parser.parse_args()
    rounds = max(3, args.rounds)
    # An installed package has its bytecode compiled; a checkout writes it on first import, unless
    # PYTHONDONTWRITEBYTECODE is set, when every command (and kernel) would compile whatworks again.
    compileall.compile_dir(ROOT / "lib", quiet=1)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        demos, copies = workspace(tmp, args.batch)
        new = Folders(tmp)
        one = next(s for s in demos if s.stem == args.spec)
        trial = next(s for s in demos if s.stem == TRIAL)
        print(f"{len(demos)} demo specs; batch of {len(copies)} with --workers {args.workers}; {rounds} rounds; "
              f"{os.cpu_count()} cores; load average at the start {os.getloadavg()[0]:.1f}\n", flush=True)

        ww, pipe = paired(rounds, lambda: whatworks([one], new("one"), 1), lambda: pipeline(one, new("one-pipe")))
        print(f"1. one report ({one.stem}): whatworks run median {statistics.median(ww):5.1f} s   "
              f"papermill + nbconvert median {statistics.median(pipe):5.1f} s\n"
              f"   -> {ratios(ww, pipe)} faster (aim >= 2x)\n{cpu_line()}", flush=True)

        batch_folders: list[Path] = []

        def batch_ww() -> float:
            batch_folders.append(new("batch"))
            return whatworks(copies, batch_folders[-1], args.workers)

        def batch_pipe() -> float:
            out = new("batch-pipe")
            return sum(pipeline(s, out) for s in copies)

        ww, pipe = paired(rounds, batch_ww, batch_pipe)
        print(f"2. {len(copies)} reports: whatworks run --workers {args.workers} median {statistics.median(ww):6.1f} s"
              f"   one by one through papermill + nbconvert median {statistics.median(pipe):6.1f} s\n"
              f"   -> {ratios(ww, pipe)} faster (aim >= 4x)\n{cpu_line()}", flush=True)

        trial_times, trial_cpu = [], []
        for _ in range(rounds):
            before = children_cpu()
            trial_times.append(whatworks([trial], new("trial"), 1))
            trial_cpu.append(children_cpu() - before)
        print(f"3. the trial demo ({TRIAL}): whatworks run median {statistics.median(trial_times):5.1f} s "
              f"({', '.join(f'{t:.1f}' for t in trial_times)}) (aim < 8 s); CPU time median "
              f"{statistics.median(trial_cpu):.1f} s", flush=True)

        again = [whatworks(copies, batch_folders[-1], args.workers, force=False) for _ in range(rounds)]
        print(f"4. the {len(copies)} reports again, nothing changed (all skipped): median "
              f"{statistics.median(again):4.1f} s (aim < 3 s)", flush=True)

        costs = per_report_costs(demos, new("costs"))
        print("5. per-report cost, the demos one after another in one run (--workers 1), seconds:", flush=True)
        for stem, seconds in costs.items():
            print(f"   {stem:<40} {seconds:6.1f}", flush=True)
        print(f"   {'mean':<40} {statistics.mean(costs.values()):6.1f}", flush=True)

        if args.plain:
            per_report = statistics.median(ww) / len(copies)
            out = new("plain")
            mean_plain = statistics.mean(plain(s, out) for s in demos)
            print(f"6. per report in the batch {per_report:5.1f} s   plain Python script {mean_plain:5.1f} s   "
                  f"-> {per_report / mean_plain:.2f}x the script's time (aim <= 1.3x)", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
