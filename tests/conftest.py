"""Shared fixtures: the project's folders, and demo reports rendered once per test worker."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "fixtures" / "reference"
EVALUATIONS = ROOT / "evaluations"


#: Test tiers (README, "Tests"): every test gets exactly one of these markers.
TIERS = ("unit", "template", "browser", "simulation", "e2e")
#: Files whose tests execute template notebooks directly (papermill or nbval).
_TEMPLATE_FILES = {"test_notebooks.py", "test_golden.py"}
#: Files whose tests run whatworks end to end through the command line or the runner.
_E2E_FILES = {
    "test_cli.py", "test_bad_input.py", "test_before_after_template.py", "test_rct_template.py",
    "test_pir_template.py", "test_cli_trial.py", "test_hostile.py", "test_baseline.py", "test_demo_data.py",
}


def _tier(item) -> str:
    name = item.path.name
    if item.path.suffix == ".ipynb":  # a golden notebook's cell, re-run by nbval
        return "template"
    if item.get_closest_marker("browser") or name == "test_browser.py":
        return "browser"
    if name.endswith("_simulation.py") or item.get_closest_marker("slow"):
        return "simulation"
    if name in _TEMPLATE_FILES:
        return "template"
    if name in _E2E_FILES or item.get_closest_marker("e2e") or "demo_reports" in getattr(item, "fixturenames", ()):
        return "e2e"
    return "unit"


def pytest_collection_modifyitems(config, items):
    """Mark every test with its tier, so  pytest -m unit  is the fast inner loop."""
    for item in items:
        item.add_marker(getattr(pytest.mark, _tier(item)))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@contextlib.contextmanager
def _exclusive(lock: Path):
    """Hold a lock file so only one test worker does something at a time."""
    with open(lock, "w") as handle:
        try:
            import fcntl
        except ImportError:  # not on this platform: no parallel workers to guard against
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory) -> Path:
    """Every demo spec rendered once for the whole test run, shared by all workers."""
    from whatworks.runner import run_many

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's, common to workers
    out = shared / "demo-reports"
    done = shared / "demo-reports.complete"
    with _exclusive(shared / "demo-reports.lock"):
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)
            specs = sorted(EVALUATIONS.glob("*.yaml"))
            outcomes = run_many(specs, reports_root=out, workers=2)
            failed = [o for o in outcomes if not o.ok]
            assert not failed, "demo specs failed: " + "; ".join(f"{o.spec}: {o.message}" for o in failed)
            done.write_text("ok")
    return out


def read_results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def copy_demo(name: str, target: Path) -> Path:
    """Copy a demo data file next to a spec written in a test."""
    src = ROOT / "data" / "demo" / name
    shutil.copy(src, target / name)
    return target / name
