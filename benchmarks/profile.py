"""Where one report's time goes: ``whatworks run SPEC --force`` split into its phases.

Runs one report in this (fresh) interpreter and prints, per phase, the wall-clock time and the CPU
time of this process (CPU time is the figure to trust on a busy machine: it hardly moves with load).
The phases are the runner's own steps, timed by wrapping them; the notebook's cells are timed from
the durations Papermill records in the executed notebook. With ``--engine kernel`` the cells run in a
Jupyter kernel, whose CPU time is not this process's (it shows as wall time in "execute").

Run:  .venv/bin/python benchmarks/profile.py [SPEC] [--engine inprocess|kernel] [--cells]
"""

from __future__ import annotations

import time

STARTED_WALL, STARTED_CPU = time.perf_counter(), time.process_time()

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

PHASES: dict[str, list[float]] = {}


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = PHASES.setdefault(name, [0.0, 0.0])
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("spec", nargs="?", default="town-centre-shop-theft")
    parser.add_argument("--engine", default="inprocess", choices=("inprocess", "kernel"))
    parser.add_argument("--cells", action="store_true", help="also list every code cell's time")
    args = parser.parse_args()

    wall, cpu = time.perf_counter(), time.process_time()
    from whatworks import index, render, runner, spec, validation

    PHASES["import whatworks (cli, runner)"] = [time.perf_counter() - wall, time.process_time() - cpu]
    spec.load_spec = runner.load_spec = timed("load spec", spec.load_spec)  # type: ignore[assignment]
    runner.fingerprint = timed("fingerprint (hash inputs, library)", runner.fingerprint)  # type: ignore[assignment]
    runner.warm_up = timed("import libraries (warm_up)", runner.warm_up)  # type: ignore[assignment]
    validation.validate = timed("validate (read and check the data)", validation.validate)  # type: ignore[assignment]
    runner.execute = timed("execute notebook (papermill)", runner.execute)  # type: ignore[assignment]
    runner.read_payload = timed("read payload", runner.read_payload)  # type: ignore[assignment]
    runner.provenance = timed("provenance (git, versions)", runner.provenance)  # type: ignore[assignment]
    runner.render_report = timed("render report.html", runner.render_report)  # type: ignore[assignment]
    runner.estimates_frame = timed("estimates.csv", runner.estimates_frame)  # type: ignore[assignment]
    runner.write_status = timed("status.json", runner.write_status)  # type: ignore[assignment]
    index.build = timed("index build", index.build)  # type: ignore[assignment]
    _ = render

    path = ROOT / "evaluations" / f"{args.spec}.yaml"
    with tempfile.TemporaryDirectory() as reports:
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = runner.run(path, reports_root=reports, force=True, engine=args.engine)
        run_wall, run_cpu = time.perf_counter() - wall, time.process_time() - cpu
        if not outcome.ok:
            print(outcome.message)
            return 1
        nb = json.loads((Path(reports) / path.stem / "notebook.ipynb").read_text(encoding="utf-8"))
    total_wall, total_cpu = time.perf_counter() - STARTED_WALL, time.process_time() - STARTED_CPU
    cells = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    durations = [float(c["metadata"].get("papermill", {}).get("duration") or 0.0) for _, c in cells]

    print(f"{args.spec} ({args.engine}): whole process {total_wall:.2f} s wall, {total_cpu:.2f} s CPU")
    print(f"{'phase':<40} {'wall s':>7} {'CPU s':>7}")
    accounted = 0.0
    for name, (w, c) in PHASES.items():
        print(f"{name:<40} {w:7.2f} {c:7.2f}")
        accounted += w
    print(f"{'  of which the cells (papermill timing)':<40} {sum(durations):7.2f}")
    first = PHASES["import whatworks (cli, runner)"]
    rest_wall = run_wall + first[0] - accounted
    rest_cpu = run_cpu + first[1] - sum(c for _, c in PHASES.values())
    print(f"{'rest of run() (files, swap, checks)':<40} {rest_wall:7.2f} {rest_cpu:7.2f}")
    if args.cells:
        for (i, c), d in zip(cells, durations):
            source = "".join(c["source"]).splitlines()
            print(f"   cell {i:>2} {d:6.2f}  {(source[-1] if source else '')[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
