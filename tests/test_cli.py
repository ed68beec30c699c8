"""The command line, end to end: run, validate, templates, new, index, demo layout."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REFERENCE, ROOT, read_results
from whatworks import validation
from whatworks.cli import main

pytestmark = pytest.mark.xdist_group("e2e")

THEFT = ROOT / "data" / "demo" / "weekly_theft.csv"

SPEC = """template: before-after
title: {title}
owner: Tester
data: {data}
date_column: week
outcome_column: thefts
intervention_date: {date}
"""


def spec(tmp_path: Path, name: str = "plan", title: str = "Theft plan", data: Path = THEFT,
         date: str = "2024-01-01", extra: str = "") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SPEC.format(title=title, data=data, date=date) + extra, encoding="utf-8")
    return path


def whatworks(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The installed command, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "whatworks", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


def test_help_lists_every_command():
    out = whatworks("--help").stdout
    for name in ("run", "validate", "templates", "new", "demo", "index"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name


def test_templates_lists_parameters_with_types_defaults_and_help(capsys):
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "before-after" in out
    assert re.search(r"seasonality\s+auto \| none \| fourier \| dummies\s+default: 'auto'", out)
    assert "which direction counts as an improvement" in out
    assert re.search(r"intervention_date\s+date \(YYYY-MM-DD\), or a mapping from each unit to its date\s+required",
                     out)


def test_new_writes_a_commented_starter_that_validates(tmp_path, capsys):
    (tmp_path / "data" / "demo").mkdir(parents=True)
    shutil.copy(THEFT, tmp_path / "data" / "demo" / THEFT.name)
    target = tmp_path / "evaluations" / "mine.yaml"
    assert main(["new", "before-after", str(target)]) == 0
    text = target.read_text()
    assert text.startswith("# Spec for the 'before-after' template")
    assert "# overdispersion: quasipoisson" in text  # optional keys commented out
    assert "evaluation-guide" in capsys.readouterr().out
    assert main(["validate", str(target)]) == 0
    assert main(["new", "before-after", str(target)]) == 2  # never overwrites


def test_validate_reports_problems_in_words_without_a_kernel(tmp_path):
    good = spec(tmp_path)
    result = whatworks("validate", str(good))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "weekly data from 4 January 2021" in result.stdout
    bad = spec(tmp_path, "bad", extra="outcome_column: theft\n")
    bad.write_text(bad.read_text().replace("outcome_column: thefts\n", ""))
    result = whatworks("validate", str(bad))
    assert result.returncode == 2
    assert "NOT VALID" in result.stdout and "'theft'" in result.stdout and "thefts" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_run_writes_report_results_and_notebook(tmp_path):
    path = spec(tmp_path, title="Theft <script>alert(1)</script> & co")
    result = whatworks("run", str(path), "--reports", str(tmp_path / "reports"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "reports" / "plan"
    assert sorted(p.name for p in out.iterdir()) == ["estimates.csv", "notebook.ipynb", "report.html", "results.json",
                                                     "status.json"]
    assert "1 report produced, 0 failed" in result.stdout
    assert (tmp_path / "reports" / "index.html").is_file()

    results = read_results(out)
    assert results["template"] == "before-after"
    assert results["title"] == "Theft <script>alert(1)</script> & co"
    assert results["period"] == {"start": "2021-01-04", "end": "2025-01-05"}
    assert 1 <= results["evidence"]["sms_level"] <= 5 and results["evidence"]["explanation"]
    heads = [e for e in results["estimates"] if e["headline"]]
    assert len(heads) == 1 and heads[0]["name"] == "level_change"
    names = [e["name"] for e in results["estimates"]]
    assert len(names) == len(set(names)) and {"slope_change", "total_effect"} <= set(names)
    keys = {"name", "label", "headline", "measure", "outcome", "group", "estimate", "se", "ci_low",
            "ci_high", "p_value", "scale", "unit"}
    assert all(set(e) >= keys for e in results["estimates"])
    assert all(c["status"] in {"pass", "warn", "fail", "info"} for c in results["checks"])
    assert "time" not in json.dumps(results["provenance"]).lower().replace("timings", "")
    inputs = {i["key"]: i for i in results["provenance"]["inputs"]}
    import hashlib

    assert inputs["data"]["sha256"] == hashlib.sha256(THEFT.read_bytes()).hexdigest()
    assert results["provenance"]["template"] == "before-after"
    assert "statsmodels" in results["provenance"]["packages"]
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "ok" and status["time"]

    html = (out / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "Theft &lt;script&gt;" in html
    assert html.count(">OFFICIAL<") >= 2  # marking at top and bottom
    for noise in ("import whatworks", "Traceback", "Warning:", "injected-parameters", "ev = ww.evaluation",
                  "stderr", "Results recorded for results.json"):
        assert noise not in html, noise
    assert "Parameters used" in html and "Provenance" in html and inputs["data"]["sha256"] in html
    assert re.search(r"src=\"(?!data:)", html) is None  # every image embedded
    assert "http://" not in html and "https://" not in html  # nothing fetched from anywhere
    summary = html.index("<h2 id=\"summary\">")
    assert summary < html.index("<h2 id=\"method-notes\">") < html.index("Parameters used")


def test_input_error_inside_the_notebook_keeps_the_good_report(tmp_path, monkeypatch):
    good = spec(tmp_path)
    reports = tmp_path / "reports"
    assert main(["run", str(good), "--reports", str(reports)]) == 0
    before = (reports / "plan" / "report.html").read_bytes()
    # The same spec, now with a start date outside the data. Skip the in-process check
    # so the error is raised inside the kernel, as any error found during the analysis is.
    spec(tmp_path, date="2030-01-01")
    monkeypatch.setattr(validation, "validate", lambda spec: None)
    result = main(["run", str(good), "--reports", str(reports)])
    assert result == 2
    assert (reports / "plan" / "report.html").read_bytes() == before
    status = json.loads((reports / "plan" / "status.json").read_text())
    assert status["status"] == "failed" and status["kind"] == "input"
    assert "2030" in status["reason"] and "Traceback" not in status["reason"]
    assert not [p for p in reports.iterdir() if p.name.startswith(".")], "staging folder left behind"
    index = (reports / "index.html").read_text()
    assert "Failed:" in index and "last good one" in index


def test_batch_carries_on_past_a_failure_and_exits_non_zero(tmp_path):
    good = spec(tmp_path, "good")
    bad = spec(tmp_path, "bad", data=tmp_path / "missing.csv")
    result = whatworks("run", str(bad), str(good), "--reports", str(tmp_path / "r"), "--workers", "1")
    assert result.returncode == 2  # every failure was an input error: 2, whatever the batch's size
    assert re.search(r"\[\d/2\] FAILED .*bad\.yaml", result.stdout)
    assert re.search(r"\[\d/2\] ok .*good\.yaml", result.stdout)
    assert "2 specs: 1 report produced, 1 failed." in result.stdout
    assert "missing.csv" in result.stdout and "relative to the spec" in result.stdout
    assert not (tmp_path / "r" / "bad" / "report.html").exists()
    assert json.loads((tmp_path / "r" / "bad" / "status.json").read_text())["status"] == "failed"
    assert "Traceback" not in result.stdout + result.stderr


def test_same_spec_and_data_give_identical_results(tmp_path):
    path = spec(tmp_path)
    assert main(["run", str(path), "--reports", str(tmp_path / "a")]) == 0
    assert main(["run", str(path), "--reports", str(tmp_path / "b")]) == 0
    a, b = (tmp_path / x / "plan" for x in "ab")
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    produced = re.compile(r"<dt>Produced</dt><dd>[^<]*</dd>")
    html_a, html_b = (produced.sub("", (f / "report.html").read_text()) for f in (a, b))
    assert html_a == html_b


def test_sicily_reference_reproduces_the_published_rate_ratio(tmp_path):
    """Lopez Bernal, Cummins & Gasparrini (2017), IJE 46(1):348-355: seasonally adjusted
    quasi-Poisson model, rate ratio 0.885 (95% CI 0.839 to 0.933)."""
    data = REFERENCE / "sicily.csv"
    path = tmp_path / "sicily.yaml"
    path.write_text(
        "template: before-after\ntitle: Sicily smoking ban\nowner: Reference\n"
        f"data: {data}\ndate_column: [year, month]\noutcome_column: aces\nexposure_column: stdpop\n"
        "intervention_date: 2005-01-01\nslope_change: false\nseasonality: fourier\nautocorrelation: none\n",
        encoding="utf-8",
    )
    result = whatworks("run", str(path), "--reports", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    level = next(e for e in read_results(tmp_path / "r" / "sicily")["estimates"] if e["name"] == "level_change")
    assert round(level["estimate"], 3) == 0.885
    assert round(level["ci_low"], 3) == 0.839
    assert round(level["ci_high"], 3) == 0.933


def test_demo_reports_all_render(demo_reports):
    folders = sorted(p.name for p in demo_reports.iterdir() if p.is_dir())
    specs = sorted(p.stem for p in (ROOT / "evaluations").glob("*.yaml"))
    assert folders == specs
    index = (demo_reports / "index.html").read_text()
    for name in specs:
        assert f'href="{name}/report.html"' in index
        results = read_results(demo_reports / name)
        assert sum(e["headline"] for e in results["estimates"]) == 1
        html = (demo_reports / name / "report.html").read_text()
        # No row-level data: incident references never reach a report.
        assert not re.search(r"ASB/\d\d/\d{6}", html)


def test_run_json_prints_one_record_per_spec_that_agrees_with_status_json(tmp_path):
    good = spec(tmp_path, "good")
    bad = spec(tmp_path, "bad", data=tmp_path / "missing.csv")
    reports = tmp_path / "r"
    result = whatworks("run", str(good), str(bad), "--reports", str(reports), "--workers", "1", "--json")
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2, result.stdout
    by_spec = {Path(r["spec"]).stem: r for r in records}
    for name, record in by_spec.items():
        status = json.loads((reports / name / "status.json").read_text(encoding="utf-8"))
        assert record["status"] == status["status"] and record["kind"] == status["kind"]
        assert set(record) == {"spec", "status", "kind", "report", "output", "headline", "seconds", "messages"}
    assert by_spec["good"]["report"].endswith("report.html") and Path(by_spec["good"]["report"]).is_file()
    headline = next(e for e in read_results(reports / "good")["estimates"] if e["headline"])
    assert by_spec["good"]["headline"]["estimate"] == headline["estimate"]
    assert by_spec["bad"]["report"] is None and "missing.csv" in by_spec["bad"]["messages"][0]


def test_run_quiet_prints_only_failures(tmp_path):
    good = spec(tmp_path, "good")
    quiet = whatworks("run", str(good), "--reports", str(tmp_path / "r"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout.strip() == "", quiet.stdout
    bad = spec(tmp_path, "bad", data=tmp_path / "missing.csv")
    failed = whatworks("run", str(bad), "--reports", str(tmp_path / "r"), "--quiet")
    assert failed.returncode == 2 and "FAILED" in failed.stdout and "missing.csv" in failed.stdout


def test_exit_status_of_mixed_batches():
    from types import SimpleNamespace as O

    from whatworks.cli import exit_status

    ok, bad_input, broken = O(ok=True, kind="ok"), O(ok=False, kind="input"), O(ok=False, kind="error")
    assert exit_status([ok, ok]) == 0
    assert exit_status([ok, bad_input]) == 2
    assert exit_status([ok, bad_input, broken]) == 1
    assert exit_status([O(ok=False, kind="template")]) == 1


def test_no_progress_bar_when_not_on_a_terminal(tmp_path):
    good = spec(tmp_path, "good")
    other = spec(tmp_path, "other")
    result = whatworks("run", str(good), str(other), "--reports", str(tmp_path / "r"), "--workers", "1")
    assert result.returncode == 0 and "report/s" not in result.stderr and "%|" not in result.stderr


def test_a_batch_on_a_terminal_gets_a_progress_bar():
    import io
    from types import SimpleNamespace as O

    from whatworks.cli import Reporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    reporter = Reporter("lines", total=2, stream=screen)
    assert reporter.bar is not None
    reporter(1, 2, O(ok=True, spec="a.yaml", output=None, seconds=1.0, message=""))
    reporter.close()
    assert "1/2" in screen.getvalue()
    assert Reporter("json", total=2, stream=Terminal()).bar is None
    assert Reporter("lines", total=2, stream=io.StringIO()).bar is None


def test_new_with_an_unknown_template_is_an_input_error(tmp_path, capsys):
    assert main(["new", "befor-after", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "before-after" in err and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("output", [".", "..", "notes.docx", "mine"])
def test_output_that_whatworks_did_not_make_is_refused_and_left_alone(tmp_path, output):
    """output: . (the spec's own folder), a file, or a folder of the user's own: refused before any work."""
    (tmp_path / "notes.docx").write_bytes(b"the user's own file")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "briefing.txt").write_text("keep me")
    path = spec(tmp_path, extra=f"output: {output}\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = main(["run", str(path), "--reports", str(tmp_path / "reports")])
    assert result == 2
    assert (tmp_path / "notes.docx").read_bytes() == b"the user's own file"
    assert (tmp_path / "mine" / "briefing.txt").read_text() == "keep me"
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "reports" not in p.parts)
    assert after == [p for p in before if "reports" not in p.parts]


def test_a_report_folder_whatworks_made_is_replaced(tmp_path):
    path = spec(tmp_path, extra="output: out/plan\n")
    assert main(["run", str(path)]) == 0
    assert main(["run", str(path)]) == 0
    assert (tmp_path / "out" / "plan" / "report.html").is_file()


def test_an_internal_fault_is_recorded_where_the_report_belongs(tmp_path, monkeypatch, capsys):
    from whatworks import runner

    def broken(*args, **kwargs):
        raise TypeError("a fault inside whatworks")

    monkeypatch.delenv("WHATWORKS_DEBUG", raising=False)
    monkeypatch.setattr(runner, "render_report", broken)
    path = spec(tmp_path)
    assert main(["run", str(path), "--reports", str(tmp_path / "reports")]) == 1
    status = json.loads((tmp_path / "reports" / "plan" / "status.json").read_text())
    assert status["status"] == "failed" and status["kind"] == "error"
    assert "whatworks itself failed (TypeError)" in status["reason"] and "--debug" in status["reason"]
    assert "internal error" not in capsys.readouterr().err
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")]
    monkeypatch.setenv("WHATWORKS_DEBUG", "1")
    with pytest.raises(TypeError):
        runner.run(path, reports_root=tmp_path / "reports")
