"""The `pir` template end to end: demo specs, results.json, report, bad input.

Runs three notebooks in all: the two demo reviews (one command) and one
review whose free text tries to inject markup. Bad input is refused before
any kernel starts, so those runs are cheap.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from whatworks import cli, validation
from whatworks.designs import benefits
from whatworks.simulate import demo
from whatworks.spec import load_spec

pytestmark = pytest.mark.xdist_group("pir")

ROOT = Path(__file__).resolve().parents[1]
SPECS = {
    "pir-auto-redaction": ROOT / "evaluations" / "pir-auto-redaction.yaml",
    "pir-performance-report-automation": ROOT / "evaluations" / "pir-performance-report-automation.yaml",
}
MEASURED = {"pir-auto-redaction": ("R1", "R2", "R3"),
            "pir-performance-report-automation": ("P1", "P2", "P3", "P4", "P7", "P8")}
NOT_MEASURED = {"pir-auto-redaction": ("R4", "R5"), "pir-performance-report-automation": ("P5", "P6")}
SECTIONS = ("summary", "headline-figures", "realised-against-forecast", "hours-released-by-benefit",
            "the-financial-year-profile", "where-the-released-hours-went", "baselines", "dis-benefits",
            "costs-and-value-for-money", "checks",
            "lessons-recommendations-process-findings-and-sign-off", "strength-of-evidence", "method-notes")
TOTAL_KEYS = {"financial_year", "confidence_grade", "hours", "fte", "cashable_gbp", "non_cashable_gbp"}


def whatworks(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whatworks", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pir-reports")
    done = whatworks("run", *map(str, SPECS.values()), "--reports", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def results(reports: Path, name: str) -> dict:
    return json.loads((reports / name / "results.json").read_text(encoding="utf-8"))


def report(reports: Path, name: str) -> str:
    return (reports / name / "report.html").read_text(encoding="utf-8")


# -- the template itself (no kernel) ----------------------------------------------------------
def test_notebook_is_a_thin_template_stored_without_outputs():
    nb = nbformat.read(ROOT / "notebooks" / "pir.ipynb", as_version=4)
    assert nb.metadata["whatworks"]["design"] == "pir" and nb.metadata["whatworks"]["description"]
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].metadata["tags"] == ["remove-cell"]
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert nb.cells[-1].source == "ww.emit(ev, result)"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not any(re.search(r"^\s*(def|for|while|class) ", c.source, re.M) for c in code)
    headings = [line for c in nb.cells[1:] if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("#")]
    assert headings[0] == "## Summary" and headings[-1] == "## Method notes"
    assert all(h.startswith(("## ", "### ")) for h in headings)


def test_parameters_are_the_issue_keys():
    from whatworks.templates import registry

    t = registry().get("pir")
    keys = {"benefits", "process_timings", "volumes", "rates", "productive_hours_per_fte", "weeks_per_year",
            "reporting_year", "reinvestment", "outputs_maintained", "rating_thresholds", "review_date", "lessons",
            "recommendations", "process_findings", "signoff", "seed", "title", "owner", "classification", "disclosure",
            "costs", "as_of", "go_live", "horizon", "price_base"}
    assert set(t.names) == keys
    assert {p.name for p in t.parameters if p.required} == {"benefits", "title", "owner"}
    assert t.parameter("benefits").kind == "table" and t.parameter("rates").kind == "table"


def test_demo_writer_regenerates_the_shipped_inputs(tmp_path):
    target = tmp_path / "pir"
    demo.WRITERS["pir"](target)
    shipped = ROOT / "data" / "demo" / "pir"
    files = sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    for f in files:
        assert (target / f).read_bytes() == (shipped / f).read_bytes(), f


# -- the two demo reviews, through the command line -------------------------------------------
@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(SPECS))
def test_results_json(reports, name):
    r = results(reports, name)
    assert r["template"] == "pir"
    heads = [e for e in r["estimates"] if e["headline"]]
    assert [e["name"] for e in heads] == ["hours_released_per_year"]
    est = {e["name"]: e for e in r["estimates"]}
    for key in ("fte_released", "cashable_gbp", "non_cashable_gbp"):
        assert key in est
    hours = est["hours_released_per_year"]
    assert hours["ci_low"] < hours["estimate"] < hours["ci_high"]  # timed tasks carry an interval
    assert est["fte_released"]["estimate"] == pytest.approx(hours["estimate"] / 1600)  # default FTE hours
    assert {n for n in est if n.endswith(".realised_share")} == {f"{b}.realised_share" for b in MEASURED[name]}
    assert r["evidence"]["sms_level"] == 1

    totals = r["benefit_totals"]
    assert totals and all(set(row) == TOTAL_KEYS for row in totals)
    # the review's year (2025/26) is projected at the measured run rate: it equals the headline's year
    projected = [row for row in totals if row["confidence_grade"] == "projected"]
    assert [row["financial_year"] for row in projected if row["hours"]] == ["2025/26"]
    assert sum(row["hours"] for row in projected) == pytest.approx(hours["estimate"])
    known = sum(row["hours"] for row in totals if row["confidence_grade"] == "known")
    assert known == pytest.approx(est["known_hours_to_date"]["estimate"])
    assert {c["name"] for c in r["checks"]} == set(benefits.CHECK_NAMES)
    assert r["pir"]["lessons"] and r["pir"]["recommendations"] and r["pir"]["signoff"]


@pytest.mark.e2e
def test_the_numbers_the_demos_are_built_on(reports):
    perf = {b["id"]: b for b in results(reports, "pir-performance-report-automation")["pir"]["benefits"]}
    # the performance pack's run rate: (50 - 12) hours a week x 52 weeks
    assert perf["P1"]["hours_per_year"]["estimate"] == pytest.approx((50 - 12) * 52)
    assert perf["P3"]["cashable_gbp"]["estimate"] == pytest.approx(24000)  # budget line reduced
    assert perf["P4"]["merged_into"] == "P1" and perf["P4"]["counted"] is False
    assert perf["P2"]["months_tracked"] == pytest.approx(4.0)
    red = results(reports, "pir-auto-redaction")
    assert red["pir"]["rates"]["default_used"] is True
    assert {b["id"]: b["counted_as"] for b in red["pir"]["benefits"]}["R3"] == "non_cash_releasing"
    assert {b["id"]: b["status"] for b in red["pir"]["benefits"]}["R4"] == "withheld"


@pytest.mark.e2e
def test_every_check_shows_across_the_two_reviews(reports):
    shown = set()
    for name in SPECS:
        page = report(reports, name)
        for check in results(reports, name)["checks"]:
            assert html.escape(check["message"]) in page, check["name"]
            if check["status"] != "pass":
                shown.add(check["name"])
    assert shown == set(benefits.CHECK_NAMES)
    statuses = {c["name"]: c["status"] for c in results(reports, "pir-auto-redaction")["checks"]}
    assert statuses["tracking_under_3_months"] == "fail" and statuses["default_rates"] == "info"


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(SPECS))
def test_report_sections_and_no_code(reports, name):
    page = report(reports, name)
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    body = ids[ids.index("summary"):ids.index("method-notes") + 1]
    assert body == list(SECTIONS)  # Summary first, Method notes last, nothing else at h2 between
    for code in ("import whatworks", "ww.emit", "result.", "ev = ", "Traceback", "DataError"):
        assert code not in page
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', page)
    assert len(alts) >= 2 and all(re.search(r"\d", a) for a in alts)
    r = results(reports, name)
    for point in r["pir"]["lessons"] + r["pir"]["recommendations"] + r["pir"]["process_findings"]:
        assert html.escape(point) in page
    assert html.escape(r["pir"]["signoff"]["decision"]) in page
    for b in MEASURED[name] + NOT_MEASURED[name]:
        assert f">{b}<" in page  # every benefit in the register table


@pytest.mark.e2e
def test_shipped_rates_are_named_as_illustrative(reports):
    page = report(reports, "pir-auto-redaction")
    assert "shipped illustrative hourly costs" in page and "Illustrative, not a published table" in page
    assert "Illustrative, not a published table" not in report(reports, "pir-performance-report-automation")


@pytest.mark.e2e
def test_in_process_check_reads_the_inputs_as_the_notebook_does(reports):
    for name, path in SPECS.items():
        checked = benefits.fit_inputs(validation.validate(load_spec(path)))
        headline = next(e for e in results(reports, name)["estimates"] if e["headline"])
        assert checked.headline.estimate == pytest.approx(headline["estimate"])


# -- hostile free text ------------------------------------------------------------------------
REGISTER_ROW = {"id": "B1", "description": "Report production <b>bold</b>", "owner": "Head of Performance",
                "category": "time_saving", "measure": "hours of report production", "unit": "hours per week",
                "direction": "decrease", "baseline": 50, "forecast": 10, "actual": 20,
                "baseline_start": "2023-04-01", "baseline_end": "2024-03-31", "tracking_start": "2024-04-01",
                "tracking_end": "2025-03-31", "evidence": "Timesheets", "budget_line_reduced": False,
                "grade": "Police Staff Scale 5"}


def write_spec(folder: Path, name: str, **keys) -> Path:
    spec = {"template": "pir", "title": "Test review", "owner": "Benefits Manager", **keys}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_hostile_free_text_is_escaped(tmp_path):
    spec = write_spec(tmp_path, "hostile", title="Review <script>alert('title')</script>",
                      benefits=[REGISTER_ROW],
                      lessons=["<script>alert('lesson')</script> & more"],
                      recommendations=["<img src=x onerror=alert(1)>"],
                      signoff={"reviewed_by": "<i>A. Reviewer</i>"})
    done = whatworks("run", str(spec), "--reports", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "out" / "hostile" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<i>A. Reviewer" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;lesson&#x27;)&lt;/script&gt; &amp; more" in page
    assert "Review &lt;script&gt;alert(" in page
    r = json.loads((tmp_path / "out" / "hostile" / "results.json").read_text(encoding="utf-8"))
    assert r["title"] == "Review <script>alert('title')</script>"  # kept as written in results.json
    assert r["estimates"][0]["estimate"] == pytest.approx((50 - 20) * 52)


# -- bad input: exit code 2, the benefit and the field named, no report -----------------------
TIMED = dict(REGISTER_ROW, id="B3", measure="minutes per file", unit="minutes per file", baseline=30,
             forecast=15, actual=None, grade=None, task="redact", tracking_start="2024-10-01")
TIMINGS = ([{"task": "redact", "period": "before", "minutes": m, "grade": "Police Staff Scale 4"}
            for m in (30, 34, 26, 30)]
           + [{"task": "redact", "period": "after", "minutes": m, "grade": "Police Staff Scale 4"}
              for m in (20, 22, 18, 20)])
VOLUMES = [{"task": "redact", "total_occurrences": 100, "per": "week"}]
BAD = {
    "missing-baseline": (dict(benefits=[dict(REGISTER_ROW, baseline=None)]), ("'B1'", "'baseline'")),
    "negative-minutes": (dict(benefits=[TIMED], volumes=VOLUMES,
                              process_timings=[dict(t, minutes=-3) if i == 5 else t for i, t in enumerate(TIMINGS)]),
                         ("'B3'", "'minutes'", "negative", "row 6")),
    "grade-without-rate": (dict(benefits=[TIMED], volumes=VOLUMES,
                                process_timings=[dict(t, grade="Special Constable") for t in TIMINGS]),
                           ("'B3'", "'grade'", "Special Constable")),
    "tracking-dates-out-of-order": (dict(benefits=[dict(REGISTER_ROW, tracking_start="2025-03-31",
                                                        tracking_end="2024-04-01")]),
                                    ("'B1'", "'tracking_end'", "before tracking_start")),
    "duplicate-id": (dict(benefits=[REGISTER_ROW, dict(REGISTER_ROW, measure="another measure")]),
                     ("'B1'", "'id'", "twice")),
    "timing-without-volume": (dict(benefits=[TIMED], process_timings=TIMINGS,
                                   volumes=[{"task": "other", "total_occurrences": 5, "per": "week"}]),
                              ("'B3'", "'redact'", "'task'", "no volume")),
}


@pytest.fixture(scope="module")
def bad_specs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pir-bad")
    return {case: write_spec(folder, case, **keys) for case, (keys, _) in BAD.items()}


def test_validate_accepts_the_demos_and_refuses_bad_input_in_words(bad_specs):
    done = whatworks("validate", *map(str, SPECS.values()), *map(str, bad_specs.values()))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for path in SPECS.values():
        assert f"{path}: valid, template 'pir'." in lines
    for case, path in bad_specs.items():
        at = lines.index(f"{path}: NOT VALID")
        message = lines[at + 1]
        for word in BAD[case][1]:
            assert word in message, (case, word, message)
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("case", sorted(BAD))
def test_run_refuses_bad_input_with_no_report(bad_specs, tmp_path, capsys, case):
    code = cli.main(["run", str(bad_specs[case]), "--reports", str(tmp_path)])
    said = capsys.readouterr().out
    assert code == 2, said
    for word in BAD[case][1]:
        assert word in said, (word, said)
    out = tmp_path / case
    assert not (out / "report.html").exists() and not (out / "results.json").exists()
    assert json.loads((out / "status.json").read_text())["kind"] == "input"


def test_run_exits_2_as_a_process(bad_specs, tmp_path):
    done = whatworks("run", str(bad_specs["missing-baseline"]), "--reports", str(tmp_path))
    assert done.returncode == 2 and "'B1'" in done.stdout and "'baseline'" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr and not (tmp_path / "missing-baseline" / "report.html").exists()


# -- the demos checked by hand, as the Benefits team would ----------------------------------------
# Written from the demo's documented inputs (data/demo/pir/README.md, the registers, the timings as
# read from the files and the rates), with no whatworks valuation function: the financial-year rules
# are those of the guide. Years run 2024/25 (go-live) to 2028/29 (three years after the review's year).
YEARS = ("2024/25", "2025/26", "2026/27", "2027/28", "2028/29")
DEMO = ROOT / "data" / "demo" / "pir"
DEFAULT_RATES = {"Police Constable": 44.0, "Detective Constable": 45.0, "Police Sergeant": 49.0,
                 "Police Staff Scale 3": 20.0, "Police Staff Scale 4": 23.0, "Police Staff Scale 5": 26.0,
                 "Police Staff Scale 6": 30.0}
# the sergeants' rate is priced in 2023/24 (£47): uprated to 2024/25 by the shipped deflator, 103.0 / 100.0
PERF_RATES = {"Police Staff Scale 5": 26.0, "Police Staff Scale 6": 30.0, "Police Sergeant": 47.0 * 103.0 / 100.0}


def _task(folder: str, task: str, rates: dict[str, float]) -> tuple[float, float, float, float]:
    """Mean minutes before and after, and mean pounds a task before and after (each timing at its grade)."""
    import csv

    rows = [r for r in csv.DictReader((DEMO / folder / "timings.csv").open()) if r["task"] == task]

    def mean(xs):
        return sum(xs) / len(xs)

    out = []
    for period in ("before", "after"):
        mine = [r for r in rows if r["period"] == period]
        out.append((mean([float(r["minutes"]) for r in mine]),
                    mean([float(r["minutes"]) * rates[r["grade"]] / 60 for r in mine])))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _cells(rows):
    return {(r["financial_year"], r["confidence_grade"]): (r["hours"], r["cashable_gbp"], r["non_cashable_gbp"])
            for r in rows}


def _add(table, fy, grade, hours=0.0, cash=0.0, noncash=0.0):
    h, c, n = table.get((fy, grade), (0.0, 0.0, 0.0))
    table[(fy, grade)] = (h + hours, c + cash, n + noncash)


def _vfm(table, costs, first_months):
    flows = []
    for fy in YEARS:
        benefit = sum(c + n for (y, _), (h, c, n) in table.items() if y == fy)
        flows.append((benefit, costs[fy]))
    npv = sum((b - (one + rec)) / 1.035 ** t for t, (b, (one, rec)) in enumerate(flows))
    cum, payback = 0.0, None
    for t, (b, (one, rec)) in enumerate(flows):
        months = first_months if t == 0 else 12
        monthly = (b - rec) / months
        if payback is None and cum - one < 0 and cum + b - one - rec >= 0:
            k = -(-(one - cum) // monthly)  # months into the year, rounded up
            start = 4 + (12 - months)
            index = start - 1 + int(k) - 1
            payback = f"{int(YEARS[t][:4]) + index // 12}-{index % 12 + 1:02d}"
        cum += b - one - rec
    return npv, cum, payback


def _check_table(got_rows, want):
    got = {k: v for k, v in _cells(got_rows).items() if any(v)}
    want = {k: v for k, v in want.items() if any(abs(x) > 1e-9 for x in v)}
    assert set(got) == set(want)
    for key, values in want.items():
        assert got[key] == pytest.approx(values, rel=1e-9), key


@pytest.mark.e2e
def test_performance_review_by_hand(reports):
    r = results(reports, "pir-performance-report-automation")
    want: dict = {}
    # P1: known = the monthly actuals released in 2024/25 (50 - level a week, x 52 / 12 each month)
    levels = [34, 26, 20, 17, 15, 14, 13, 13, 12, 12, 12, 12]
    p1_known = sum(50 - x for x in levels) * 52 / 12  # 1,733.3 hours, not the run rate's 1,976
    p1_rate = (50 - 12) * 52
    _add(want, "2024/25", "known", p1_known, 0, p1_known * 26)
    _add(want, "2025/26", "projected", p1_rate, 0, p1_rate * 26)
    # P2: timed 1 December 2024 to 31 March 2025 (121 of 365 days) at 2 a week for 12 analysts
    mb, ma, gb, ga = _task("performance_reports", "adhoc_data_request", PERF_RATES)
    occ = 2 * 52 * 12
    p2_h, p2_gbp = (mb - ma) / 60 * occ, (gb - ga) * occ
    _add(want, "2024/25", "known", p2_h * 121 / 365, 0, p2_gbp * 121 / 365)
    _add(want, "2025/26", "projected", p2_h, 0, p2_gbp)
    # P3: the licence, £24,000 a year; its budget line falls in 2025/26, so cashable from then
    _add(want, "2024/25", "known", 0, 0, 24000)
    _add(want, "2025/26", "projected", 0, 24000, 0)
    # P6: forecast only, (40 - 10) hours a month x 12 at £26, every year from go-live
    for fy in YEARS:
        _add(want, fy, "anticipated", 360, 0, 360 * 26)
    # P7: a one-off £8,000, cashable in 2024/25
    _add(want, "2024/25", "known", 0, 8000, 0)
    # P8: courier £500 a month until 30 September 2025: a full 2024/25 known, 183 days of 2025/26 projected
    _add(want, "2024/25", "known", 0, 0, 6000)
    _add(want, "2025/26", "projected", 0, 0, 6000 * 183 / 365)
    for fy in YEARS[2:]:
        _add(want, fy, "anticipated", p1_rate + p2_h, 24000, p1_rate * 26 + p2_gbp)
    # P4 is merged into P1: shown, never added
    _check_table(r["benefit_totals"], want)

    est = {e["name"]: e["estimate"] for e in r["estimates"]}
    assert est["known_hours_to_date"] == pytest.approx(p1_known + p2_h * 121 / 365)
    assert est["P1.realised_share"] == pytest.approx((50 - 12) / (50 - 10))
    assert est["P2.realised_share"] == pytest.approx((mb - ma) / (mb - 90))
    assert est["P4.realised_share"] == pytest.approx((6 - 3) / (6 - 2))
    costs = {fy: (60000 if fy == "2024/25" else 0, 12000) for fy in YEARS}
    npv, net, payback = _vfm(want, costs, 12)
    assert est["npv_gbp"] == pytest.approx(npv)
    assert est["net_benefit_gbp"] == pytest.approx(net)
    assert r["pir"]["value_for_money"]["payback_month"] == payback
    checks = {c["name"]: c["status"] for c in r["checks"]}
    assert checks["double_counting"] == "info" and checks["reinvested_exceeds_released"] == "warn"
    assert checks["review_timing"] == "warn" and checks["cash_not_validated"] == "warn"


@pytest.mark.e2e
def test_redaction_review_by_hand(reports):
    r = results(reports, "pir-auto-redaction")
    want: dict = {}
    # measured 1 October 2024 to 31 March 2025: 182 of 365 days of 2024/25 known; reviewed 15 April 2025,
    # so 2025/26 is projected at the run rate, later years anticipated
    mb1, ma1, gb1, ga1 = _task("redaction", "case_file_redaction", DEFAULT_RATES)
    mb2, ma2, gb2, ga2 = _task("redaction", "disclosure_schedule_check", DEFAULT_RATES)
    r1_h, r1_gbp = 0.9 * (mb1 - ma1) / 60 * 420 * 12, 0.9 * (gb1 - ga1) * 420 * 12
    r2_h, r2_gbp = (mb2 - ma2) / 60 * 3 * 52 * 25, (gb2 - ga2) * 3 * 52 * 25
    r3 = (18000 - 9000) * 12  # overtime: no budget line reduced, so non-cashable
    r6_h = -15 * 52  # the dis-benefit: sergeants' extra checking
    hours, gbp = r1_h + r2_h + r6_h, r1_gbp + r2_gbp + r3 + r6_h * 49
    _add(want, "2024/25", "known", hours * 182 / 365, 0, gbp * 182 / 365)
    _add(want, "2025/26", "projected", hours, 0, gbp)
    for fy in YEARS[2:]:
        _add(want, fy, "anticipated", hours, 0, gbp)
    _check_table(r["benefit_totals"], want)

    est = {e["name"]: e["estimate"] for e in r["estimates"]}
    assert est["hours_released_per_year"] == pytest.approx(hours)
    assert est["R1.realised_share"] == pytest.approx((mb1 - ma1) / (mb1 - 30))
    assert est["R2.realised_share"] == pytest.approx((mb2 - ma2) / (mb2 - 20))
    assert est["R3.realised_share"] == pytest.approx(0.75)
    costs = {fy: (20000 if fy == "2024/25" else 0, 15000) for fy in YEARS}
    npv, net, payback = _vfm(want, costs, 6)
    assert est["npv_gbp"] == pytest.approx(npv)
    assert est["net_benefit_gbp"] == pytest.approx(net)
    assert r["pir"]["value_for_money"]["payback_month"] == payback
    assert {c["name"]: c["status"] for c in r["checks"]}["time_and_money"] == "warn"


def _known_to_date(name: str) -> float:
    """Hours released to the review date, known from measurement, worked out from the demo's files."""
    if name == "pir-performance-report-automation":
        # P1's monthly actuals (50 - level a week, x 52 / 12), P2 timed 121 of 365 days; P4 merged into P1
        levels = [34, 26, 20, 17, 15, 14, 13, 13, 12, 12, 12, 12]
        mb, ma, _, _ = _task("performance_reports", "adhoc_data_request", PERF_RATES)
        return sum(50 - x for x in levels) * 52 / 12 + (mb - ma) / 60 * 2 * 52 * 12 * 121 / 365
    # R1, R2 and the dis-benefit R6, measured 182 of 365 days
    mb1, ma1, _, _ = _task("redaction", "case_file_redaction", DEFAULT_RATES)
    mb2, ma2, _, _ = _task("redaction", "disclosure_schedule_check", DEFAULT_RATES)
    return (0.9 * (mb1 - ma1) / 60 * 420 * 12 + (mb2 - ma2) / 60 * 3 * 52 * 25 - 15 * 52) * 182 / 365


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(SPECS))
def test_the_trajectory_ends_at_the_hours_released_to_date(reports, name):
    """The chart's last cumulative actual is the known hours to date: one number for one quantity."""
    want = _known_to_date(name)
    est = {e["name"]: e["estimate"] for e in results(reports, name)["estimates"]}
    assert est["known_hours_to_date"] == pytest.approx(want)
    chart = benefits.fit_inputs(validation.validate(load_spec(SPECS[name]))).plot()
    assert chart.alt.startswith("Hours released to the review date")
    shown = re.search(r"about ([\d,]+),", chart.alt)
    assert shown is not None and int(shown.group(1).replace(",", "")) == round(want)
    assert html.escape(chart.alt) in report(reports, name)


@pytest.mark.e2e
def test_the_efficiencies_return_is_the_sum_of_the_profiles(reports):
    import csv

    rows = list(csv.DictReader((reports / "efficiencies.csv").open()))
    assert rows and set(rows[0]) == {"programme", "financial_year", "confidence_grade", "cashable_gbp",
                                     "non_cashable_gbp", "hours", "fte"}
    for field in ("cashable_gbp", "non_cashable_gbp", "hours"):
        for fy in YEARS:
            for grade in benefits.GRADES:
                parts = sum(sum(x[field] for x in results(reports, n)["benefit_totals"]
                                if x["financial_year"] == fy and x["confidence_grade"] == grade) for n in SPECS)
                total = [float(x[field]) for x in rows if x["programme"] == "Total" and x["financial_year"] == fy
                         and x["confidence_grade"] == grade]
                assert total == [pytest.approx(parts)]
    assert (reports / "efficiencies.xlsx").is_file()
