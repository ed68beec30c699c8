"""The same reports, whichever way the notebooks run: every demo rendered in-process and in kernels.

Renders every demo spec twice from fresh commands, once with the default in-process engine
(``--workers 2``: warm worker processes running several reports each) and once with ``--kernel``
(a Jupyter kernel per report, as before the in-process engine), then compares, demo by demo:

- ``results.json`` and ``estimates.csv``: byte for byte;
- ``report.html``: byte for byte once the one time in it (the "Produced" line) is set aside;
- the executed notebook: the same cells and sources, the same injected parameters cell, and the same
  outputs (type, data, metadata, text, execution counts) cell by cell.

With ``--against REV`` it also renders the demos with the library of git revision ``REV`` (e.g. the
commit before the speed changes, run through its own runner) and compares ``results.json`` with the
commit recorded in provenance set aside (it names the revision that ran, and an exported revision
is not a git checkout, so it records none), the rest byte for byte.

Exit status 0 when everything matches; the differences are printed otherwise.

Run:  .venv/bin/python benchmarks/identical.py [--against REV]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRODUCED = re.compile(rb"<dt>Produced</dt><dd>[^<]*</dd>")


def render(lib: Path, reports: Path, *extra: str, cwd: Path = ROOT) -> None:
    specs = sorted(str(p) for p in (cwd / "evaluations").glob("*.yaml"))
    env = {**os.environ, "PYTHONPATH": str(lib)}
    done = subprocess.run([sys.executable, "-m", "whatworks", "run", *specs, "--reports", str(reports), "--force",
                           "--quiet", *extra], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"whatworks run {' '.join(extra)} failed:\n{done.stdout}\n{done.stderr}")


def outputs(path: Path) -> list[Any]:
    """What the executed notebook holds, without the times papermill and the kernel record."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], c["source"], c.get("execution_count"), c.get("outputs"),
             sorted(c["metadata"].get("tags", []))) for c in nb["cells"]]


def compare(a: Path, b: Path, *, notebooks: bool = True, ignore_commit: bool = False) -> list[str]:
    problems = []
    demos = sorted(p.name for p in a.iterdir() if (p / "results.json").is_file())
    if demos != sorted(p.name for p in b.iterdir() if (p / "results.json").is_file()):
        return [f"different reports: {demos}"]
    for demo in demos:
        left, right = (a / demo / "results.json").read_bytes(), (b / demo / "results.json").read_bytes()
        if ignore_commit:
            left, right = (re.sub(rb'"git_commit": [^\n]*\n', b"", x) for x in (left, right))
        if left != right:
            problems.append(f"{demo}: results.json differs")
        if (a / demo / "estimates.csv").read_bytes() != (b / demo / "estimates.csv").read_bytes():
            problems.append(f"{demo}: estimates.csv differs")
        html = [PRODUCED.sub(b"", (x / demo / "report.html").read_bytes()) for x in (a, b)]
        if ignore_commit:
            html = [re.sub(rb" \(commit <code>[0-9a-f]+</code>\)", b"", h) for h in html]
        if html[0] != html[1]:
            problems.append(f"{demo}: report.html differs")
        if notebooks and outputs(a / demo / "notebook.ipynb") != outputs(b / demo / "notebook.ipynb"):
            problems.append(f"{demo}: the executed notebooks' cells or outputs differ")
        print(f"  {demo:<40} {'same' if not any(p.startswith(demo + ':') for p in problems) else 'DIFFERENT'}",
              flush=True)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also compare with the library of this git revision")
    args = parser.parse_args()
    lib = ROOT / "lib"
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        render(lib, tmp / "inprocess", "--workers", "2")
        render(lib, tmp / "kernel", "--kernel", "--workers", "1")
        print("in-process (--workers 2) against a kernel per report:")
        problems += compare(tmp / "inprocess", tmp / "kernel")
        if args.against:
            archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, capture_output=True, check=True)
            old = tmp / "old"
            old.mkdir()
            archive_path = tmp / "old.tar"
            archive_path.write_bytes(archive.stdout)
            with tarfile.open(archive_path) as tar:
                tar.extractall(old, filter="data")
            render(old / "lib", tmp / "old-reports", "--workers", "1", cwd=old)
            print(f"in-process against the runner of {args.against} (its commit in provenance set aside):")
            problems += compare(tmp / "inprocess", tmp / "old-reports", notebooks=False, ignore_commit=True)
    for problem in problems:
        print(problem)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
