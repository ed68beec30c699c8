"""Nothing redone that need not be, and a portfolio on a Dask cluster.

A report records what it was made from (status.json ``inputs``: hashes of the spec, every data file it
names, the template notebook and the library); ``whatworks run`` skips it while they are unchanged and
its report is ok, and redoes it with ``--force``. ``run_many`` takes any ``concurrent.futures``-style
executor; a Dask ``LocalCluster`` gives the same results.json as a local run.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from whatworks import cli, runner
from whatworks.runner import fingerprint, run, run_many, unchanged
from whatworks.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
EVALUATIONS = ROOT / "evaluations"
SPEC = "town-centre-shop-theft"

pytestmark = pytest.mark.e2e


def _whatworks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whatworks", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def _workspace(tmp_path: Path, demo_reports: Path) -> tuple[Path, Path]:
    """One demo spec and its data copied to ``tmp_path`` (same layout), beside a copy of its report."""
    spec_text = (EVALUATIONS / f"{SPEC}.yaml").read_text(encoding="utf-8")
    (tmp_path / "evaluations").mkdir()
    spec_path = tmp_path / "evaluations" / f"{SPEC}.yaml"
    spec_path.write_text(spec_text, encoding="utf-8")
    for path in load_spec(EVALUATIONS / f"{SPEC}.yaml").input_files().values():
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    reports = tmp_path / "reports"
    shutil.copytree(demo_reports / SPEC, reports / SPEC)
    return spec_path, reports


def test_the_demo_portfolio_run_again_unchanged_is_not_redone(demo_reports, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(demo_reports, reports)
    before = {p: p.read_bytes() for p in reports.glob("*/results.json")}
    specs = sorted(str(p.relative_to(ROOT)) for p in EVALUATIONS.glob("*.yaml"))
    started = time.perf_counter()
    done = _whatworks("run", *specs, "--reports", str(reports), "--json")
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == len(specs)
    assert all(r["status"] == "ok" and r["kind"] == "unchanged" for r in records), records
    assert all(r["report"] and r["headline"] for r in records)
    assert seconds < 3, f"an unchanged portfolio took {seconds:.1f} s"
    assert {p: p.read_bytes() for p in reports.glob("*/results.json")} == before
    lines = _whatworks("run", specs[0], "--reports", str(reports))
    assert "same" in lines.stdout and "unchanged" in lines.stdout and lines.returncode == 0


def test_a_changed_spec_or_data_file_is_redone_and_force_redoes_an_unchanged_one(demo_reports, tmp_path):
    spec_path, reports = _workspace(tmp_path, demo_reports)
    first = run(spec_path, reports_root=reports)
    assert first.ok and first.skipped  # a copy of the same inputs: the copied report stands

    forced = run_many([spec_path], reports_root=reports, force=True)[0]
    assert forced.ok and not forced.skipped

    with open(spec_path, "a", encoding="utf-8") as fh:
        fh.write("# reviewed\n")
    again = run(spec_path, reports_root=reports)
    assert again.ok and not again.skipped
    assert run(spec_path, reports_root=reports).skipped

    data = next(iter(load_spec(spec_path, reports_root=reports).input_files().values()))
    with open(data, "a", encoding="utf-8") as fh:
        fh.write("\n")
    changed = run_many([spec_path], reports_root=reports)[0]
    assert changed.ok and not changed.skipped


def test_a_changed_template_or_library_or_a_failed_report_is_not_up_to_date(demo_reports, tmp_path, monkeypatch):
    spec_path, reports = _workspace(tmp_path, demo_reports)
    spec = load_spec(spec_path, reports_root=reports)
    assert unchanged(spec)

    notebook = tmp_path / "template.ipynb"
    notebook.write_bytes(spec.template.path.read_bytes().replace(b'"cells": [', b'"cells": [ ', 1))
    edited = dataclasses.replace(spec, template=dataclasses.replace(spec.template, path=notebook))
    assert fingerprint(edited)["template_sha256"] != fingerprint(spec)["template_sha256"]
    assert not unchanged(edited)

    assert not unchanged(spec, pdf=True)  # a PDF asked for now was not printed then

    with monkeypatch.context() as m:  # any change to the library (code, page templates, package versions)
        m.setattr(runner, "_library_sha256", lambda: "another library")
        assert not unchanged(spec)

    (reports / SPEC / "estimates.csv").unlink()  # a report with a file missing is not done
    assert not unchanged(spec)
    shutil.copy(demo_reports / SPEC / "estimates.csv", reports / SPEC / "estimates.csv")
    assert unchanged(spec)

    status = reports / SPEC / "status.json"
    record = json.loads(status.read_text(encoding="utf-8"))
    status.write_text(json.dumps({**record, "status": "failed", "kind": "error"}), encoding="utf-8")
    assert not unchanged(spec)  # a failed earlier run never counts as done


def test_the_library_hash_covers_the_page_templates(tmp_path, monkeypatch):
    pages = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", pages)
    monkeypatch.setattr(runner.assets, "page_templates", lambda: pages)
    try:
        runner._library_sha256.cache_clear()
        before = runner._library_sha256()
        with open(pages / "report.css", "a", encoding="utf-8") as fh:
            fh.write("\n/* a page template edited */\n")
        runner._library_sha256.cache_clear()
        assert runner._library_sha256() != before
    finally:
        monkeypatch.undo()
        runner._library_sha256.cache_clear()


def test_scheduler_without_the_distributed_extra_names_the_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    status = cli.main(["run", str(EVALUATIONS / f"{SPEC}.yaml"), "--scheduler", "tcp://127.0.0.1:1"])
    assert status == cli.EXIT_INPUT
    assert "pip install whatworks[distributed]" in capsys.readouterr().err


def _comparable(path: Path) -> bytes:
    """results.json as written. Nothing is dropped: it holds no timings, host names or paths of the run
    (its provenance is versions, the commit and hashes of the inputs), so on one machine a cluster run
    matches byte for byte. Across machines, ``provenance.packages`` differs if their installs differ."""
    return path.read_bytes()


def test_the_demo_portfolio_on_a_dask_cluster_matches_a_local_run(demo_reports, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the distributed extra (make test installs it)")
    specs = sorted(EVALUATIONS.glob("*.yaml"))
    reports = tmp_path / "reports"
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=50) as cluster,
          distributed.Client(cluster) as client):
        outcomes = run_many(specs, reports_root=reports, executor=client.get_executor(), force=True)
    assert [o.spec for o in outcomes] == [str(p) for p in specs]
    assert all(o.ok and not o.skipped for o in outcomes), [o.message for o in outcomes if not o.ok]
    for spec in specs:
        assert _comparable(reports / spec.stem / "results.json") == _comparable(
            demo_reports / spec.stem / "results.json"), spec.name
    assert (reports / "index.html").is_file()


def test_a_folder_stands_for_every_spec_in_it(tmp_path):
    (tmp_path / "b.yaml").write_text("template: before-after\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("template: before-after\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a spec\n", encoding="utf-8")
    assert cli._expand([str(tmp_path), "c.yaml"]) == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "c.yaml"]
    with pytest.raises(cli.InputError, match="holds no .yaml specs"):
        cli._expand([str(tmp_path / "empty")] if (tmp_path / "empty").mkdir() is None else [])
