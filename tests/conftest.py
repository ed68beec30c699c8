"""Shared fixtures: the project's folders, and demo reports rendered once per test worker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVALUATIONS = ROOT / "evaluations"


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: runs notebooks through the command line")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory) -> Path:
    """Every demo spec rendered once (tests that use it share one worker)."""
    from whatworks.runner import run_many

    out = tmp_path_factory.mktemp("demo-reports")
    specs = sorted(EVALUATIONS.glob("*.yaml"))
    outcomes = run_many(specs, reports_root=out, workers=2)
    failed = [o for o in outcomes if not o.ok]
    assert not failed, "demo specs failed: " + "; ".join(f"{o.spec}: {o.message}" for o in failed)
    return out


def read_results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def copy_demo(name: str, target: Path) -> Path:
    """Copy a demo data file next to a spec written in a test."""
    src = ROOT / "data" / "demo" / name
    shutil.copy(src, target / name)
    return target / name
