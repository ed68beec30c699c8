"""A normal install works: the wheel carries everything a run needs.

The wheel is built from this checkout, installed without ``-e`` into a fresh
virtual environment, and used from a folder outside the checkout:
``whatworks templates``, ``whatworks new``, ``whatworks run`` on a demo spec
and ``whatworks index``. The fresh environment borrows the test
environment's third-party packages through a path file (so the test needs
no network), never its editable copy of whatworks.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(base)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(base.glob("whatworks-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("whatworks/assets/notebooks/before-after.ipynb", "whatworks/assets/templates/report.css",
                   "whatworks/assets/docs/evaluation-guide.md",
                   "whatworks/assets/evaluations/servator-deployments.yaml",
                   "whatworks/resources/hourly_rates.csv"):
        assert needed in names, f"the wheel lacks {needed}"
    assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names), "the wheel has no LICENSE"
    env = base / "env"
    venv.create(env, with_pip=False)
    bindir = env / ("Scripts" if sys.platform == "win32" else "bin")
    python = bindir / ("python.exe" if sys.platform == "win32" else "python")
    inner = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    borrowed = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(inner) / "borrowed.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    # install the wheel's files without pip: unpack into the environment (what an installer does)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(inner)
    launcher = bindir / "whatworks"
    launcher.write_text(f"#!{python}\nimport sys\nfrom whatworks.cli import main\nsys.exit(main())\n",
                        encoding="utf-8")
    launcher.chmod(0o755)
    return bindir


def _run(bindir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run([str(bindir / "whatworks"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def test_the_installed_package_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, "--version", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    found = subprocess.run([str(installed / "python"), "-c", "import whatworks; print(whatworks.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert str(ROOT) not in found.stdout, "the fresh environment imported the checkout, not the wheel"

    listed = _run(installed, "templates", cwd=tmp_path)
    assert listed.returncode == 0 and "before-after" in listed.stdout and "rct" in listed.stdout, listed.stderr

    started = _run(installed, "new", "before-after", "mine.yaml", cwd=tmp_path)
    assert started.returncode == 0 and (tmp_path / "mine.yaml").is_file(), started.stderr

    evaluations = tmp_path / "evaluations"
    evaluations.mkdir()
    shutil.copy(ROOT / "evaluations" / "town-centre-shop-theft.yaml", evaluations)
    (tmp_path / "data" / "demo").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "demo" / "weekly_theft.csv", tmp_path / "data" / "demo")
    ran = _run(installed, "run", "evaluations/town-centre-shop-theft.yaml", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    report = tmp_path / "reports" / "town-centre-shop-theft"
    assert (report / "report.html").is_file()
    assert json.loads((report / "results.json").read_text(encoding="utf-8"))["estimates"]

    (tmp_path / "reports" / "index.html").unlink()
    indexed = _run(installed, "index", "reports", cwd=tmp_path)
    assert indexed.returncode == 0 and (tmp_path / "reports" / "index.html").is_file(), indexed.stderr
