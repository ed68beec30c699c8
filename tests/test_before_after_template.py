"""The before-after template with comparison areas, end to end through the command line.

The Servator demo (five deployment sites, one starting later, three buffer
sites, twelve comparison sites) and the hotspot demo (one street against 39
comparison streets) are rendered once for the module; bad inputs are refused
by ``whatworks validate`` and ``whatworks run`` with words naming the units,
before any notebook starts.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import EVALUATIONS, ROOT, read_results
from whatworks.cli import main
from whatworks.simulate.did import HOTSPOT_SEED, SERVATOR_SEED, hotspot, servator

pytestmark = pytest.mark.xdist_group("before-after")

SERVATOR = EVALUATIONS / "servator-deployments.yaml"
HOTSPOT = EVALUATIONS / "hotspot-problem-solving.yaml"
SERVATOR_DATA = ROOT / "data" / "demo" / "servator_weekly.csv"
NOISE = ("import whatworks", "Traceback", "Warning:", "injected-parameters", "ev = ww.evaluation", "stderr",
         "Results recorded for results.json", "result.")


def whatworks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whatworks", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    """Both demo specs rendered once (two notebooks)."""
    out = tmp_path_factory.mktemp("before-after-reports")
    result = whatworks("run", str(SERVATOR), str(HOTSPOT), "--reports", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


def test_servator_results_have_did_headline_design_keys_spc_and_level_3(reports):
    results = read_results(reports / "servator-deployments")
    assert results["template"] == "before-after"
    heads = [e for e in results["estimates"] if e["headline"]]
    assert [e["name"] for e in heads] == ["did"]
    names = {e["name"] for e in results["estimates"]}
    assert {"did", "did.2023-07-03", "did.2024-01-01", "did_twfe", "placebo_in_time", "buffer_did", "wdq"} <= names
    _, truth = servator(SERVATOR_SEED)
    did = heads[0]
    assert did["measure"] == "rate ratio" and did["ci_low"] < truth["did"] < did["ci_high"]

    design = results["did"]
    assert design["estimator"] == "imputation" and design["inference"] == "wild"
    assert (design["n_treated"], design["n_buffer"], design["n_comparison"]) == (5, 3, 12)
    assert design["seed"] == 20240401 and design["n_boot"] == 999
    assert sorted(set(design["starts"])) == ["2023-07-03", "2024-01-01"]
    assert design["event_study"] and {"kind", "from", "to", "estimate", "ci_low", "ci_high"} <= set(
        design["event_study"][0])
    assert 0 <= design["pretrend_p"] <= 1 and design["wdq"] is not None
    assert design["displacement"].startswith(("Crime appears to have moved", "Benefits appear to have spread",
                                              "No evidence either way"))

    spc = results["spc"]
    assert (spc["rules"], spc["rebase"]) == ("nhs", "none")
    assert [u["unit"] for u in spc["units"]] == truth["treated_units"]
    for unit in spc["units"]:
        # one set of limits from the baseline before the start, extended past it (Making Data Count)
        (phase,) = unit["phases"]
        assert set(phase) == {"start", "end", "mean", "lower_limit", "upper_limit", "trial_limits",
                              "baseline_start", "baseline_end", "starts_on_shift"}
        assert phase["baseline_end"] < phase["end"] and phase["lower_limit"] >= 0  # counts: never below zero
        assert unit["variation"] in {"common_cause", "improving_high", "improving_low", "concerning_high",
                                     "concerning_low"} and unit["assurance"] is None
        assert all(set(s) == {"date", "rule", "direction"} for s in unit["signals"])
    site05 = spc["units"][4]["phases"]
    assert site05[0]["baseline_end"] == "2023-12-25"  # the baseline ends at its own, later, start

    checks = {c["name"]: c["status"] for c in results["checks"]}
    assert {"inference", "parallel_trends", "placebo_in_time", "displacement", "staggered_twfe"} <= set(checks)
    assert results["evidence"]["sms_level"] == 3
    assert "Chosen in May 2023" in results["evidence"]["explanation"]


def test_servator_report_reads_in_order_with_displacement_and_activity_in_words(reports):
    html = (reports / "servator-deployments" / "report.html").read_text(encoding="utf-8")
    headings = _headings(html)
    order = ["Summary", "What happened", "Estimates", "(event study)", "(placebo in time)",
             "Displacement and diffusion", "Signals in the figures", "Activity", "Checks", "Strength of evidence",
             "Method notes"]
    found = [next(i for i, h in enumerate(headings) if word in h) for word in order]
    assert found == sorted(found), headings
    assert "Passing this test does not prove" in html  # the event study's caveat
    assert "weighted displacement quotient" in html.lower() and "Here the WDQ is" in html
    assert re.search(r"Crime appears to have moved|Benefits appear to have spread|No evidence either way", html)
    assert "not evidence of impact" in html  # outputs are not outcomes
    assert html.count("<img ") >= 8  # treated vs comparison, event study, five SPC charts, activity
    for site in ("Site 01", "Site 05"):
        assert f"{site}: XmR chart" in html
    for noise in NOISE:
        assert noise not in html, noise
    assert "2022-01-03,11" not in html and "Site 01,2022" not in html  # no rows of the export


def test_hotspot_uses_placebo_in_space_with_the_coarse_interval_warning(reports):
    results = read_results(reports / "hotspot-problem-solving")
    heads = [e for e in results["estimates"] if e["headline"]]
    assert [e["name"] for e in heads] == ["did"]
    assert results["did"]["inference"] == "placebo" and results["did"]["estimator"] == "single"
    assert (results["did"]["n_treated"], results["did"]["n_comparison"]) == (1, 39)
    _, truth = hotspot(HOTSPOT_SEED)
    assert heads[0]["ci_low"] < truth["did"] < heads[0]["ci_high"]
    checks = {c["name"]: c for c in results["checks"]}
    assert checks["coarse_interval"]["status"] == "warn" and "39 placebo" in checks["coarse_interval"]["message"]
    assert [u["unit"] for u in results["spc"]["units"]] == ["Hotspot"]
    assert results["evidence"]["sms_level"] == 3
    html = (reports / "hotspot-problem-solving" / "report.html").read_text(encoding="utf-8")
    assert "Displacement was not assessed" in html
    assert "(event study)" in html and "Problem solving visits" in html
    for noise in NOISE:
        assert noise not in html, noise


def test_demo_specs_validate():
    result = whatworks("validate", str(SERVATOR), str(HOTSPOT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3,120 rows, weekly data" in result.stdout and "1,440 rows, monthly data" in result.stdout


# -- bad input ------------------------------------------------------------------------------


def _bad_spec(folder: Path, name: str, frame: pd.DataFrame | None = None, **keys: str) -> Path:
    """The Servator spec on (a changed copy of) its data, with some keys replaced."""
    frame = pd.read_csv(SERVATOR_DATA) if frame is None else frame
    frame.to_csv(folder / f"{name}.csv", index=False)
    text = SERVATOR.read_text(encoding="utf-8").replace("../data/demo/servator_weekly.csv", f"{name}.csv")
    for key, value in keys.items():
        text, n = re.subn(rf"^{key}:.*(\n  .*)*$", f"{key}: {value}", text, flags=re.M)
        if not n:
            text += f"{key}: {value}\n"
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _data() -> pd.DataFrame:
    return pd.read_csv(SERVATOR_DATA)


def _missing_weeks() -> pd.DataFrame:
    d = _data()
    return d[~((d.site == "Site 10") & d.week.between("2023-01-02", "2023-01-16"))]


def _late_unit() -> pd.DataFrame:
    d = _data()
    return d[~((d.site == "Site 11") & (d.week < "2022-03-01"))]


def _case_clash() -> pd.DataFrame:
    d = _data()
    d.loc[(d.site == "Site 12") & (d.week > "2024-06-01"), "site"] = "site  12"
    return d


ALL_OTHERS = "[" + ", ".join(f"Site {i:02d}" for i in range(6, 21)) + "]"

BAD = {
    "unknown-treated": (None, {"treated_units": "[Site 01, Site 02, Site 03, Site 04, Site 99]"},
                        ["'Site 99'", "not in the data"]),
    "missing-weeks": (_missing_weeks, {}, ["'Site 10'", "no row for 3 weeks"]),
    "missing-leading-weeks": (_late_unit, {}, ["'Site 11'", "missing periods"]),
    "no-comparison": (None, {"buffer_units": ALL_OTHERS}, ["no comparison unit is left"]),
    "no-pre-period": (None, {"intervention_date": "{Site 01: 2023-07-03, Site 02: 2023-07-03, Site 03: 2023-07-03, "
                                                  "Site 04: 2023-07-03, Site 05: 2021-06-07}"},
                      ["'Site 05' has no period before its start"]),
    "case-or-spaces": (_case_clash, {}, ["'Site 12'", "'site  12'", "look like the same unit"]),
    "treated-case-or-spaces": (None, {"treated_units": "[site  01, Site 02, Site 03, Site 04, Site 05]"},
                               ["'site  01'", "Did you mean 'Site 01'?"]),
    "units-without-unit-column": (None, {"unit_column": "null"}, ["unit_column", "treated_units is set"]),
    "spc-unknown": (None, {"spc": "every"}, ["spc", "none, treated, all"]),
    "spc-rebase-unknown": (None, {"spc_rebase": "yearly"}, ["spc_rebase", "at_change"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_by_validate_naming_the_units(tmp_path, capsys, name):
    make, keys, words = BAD[name]
    path = _bad_spec(tmp_path, name, make() if make else None, **keys)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "NOT VALID" in out.out
    for word in words:
        assert word in out.out, (word, out.out)
    assert "Traceback" not in out.out + out.err


@pytest.mark.parametrize("name", ["unknown-treated", "no-pre-period"])
def test_bad_input_run_exits_2_without_a_report(tmp_path, name):
    make, keys, words = BAD[name]
    path = _bad_spec(tmp_path, name, make() if make else None, **keys)
    result = whatworks("run", str(path), "--reports", str(tmp_path / "r"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert words[0] in result.stdout
    assert not (tmp_path / "r" / name / "report.html").exists()
    status = json.loads((tmp_path / "r" / name / "status.json").read_text())
    assert status["status"] == "failed" and status["kind"] == "input"


def test_outcome_label_names_the_outcome_in_sentences():
    from whatworks.data import load_series

    series = load_series(SERVATOR_DATA, date_column="week", outcome_column="crimes", unit_column="site",
                         outcome_label="crimes and disorder")
    assert series.outcome_label == "crimes and disorder"


# -- SPC charts: which units, many units --------------------------------------------------------


def test_spc_all_draws_one_grid_and_spc_none_draws_no_chart(tmp_path):
    every = _bad_spec(tmp_path, "spc-all", spc="all", spc_rules="police-2sd", target="8")
    none = _bad_spec(tmp_path, "spc-none", spc="none")
    result = whatworks("run", str(every), str(none), "--reports", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = read_results(tmp_path / "r" / "spc-all")
    assert len(out["spc"]["units"]) == 20 and out["spc"]["rules"] == "police-2sd"
    assert {u["assurance"] for u in out["spc"]["units"]} <= {"consistent_pass", "consistent_fail", "inconsistent"}
    html = (tmp_path / "r" / "spc-all" / "report.html").read_text(encoding="utf-8")
    assert "XmR charts of crimes for 20 units, one panel each" in html  # one grid, not 20 charts
    assert html.count('role="img"') >= 40  # a variation and an assurance icon per unit
    assert "force performance reports (mean ± 2 SD)" in html
    assert read_results(tmp_path / "r" / "spc-none")["spc"]["units"] == []
    assert "No SPC charts were drawn (spc: none)." in (tmp_path / "r" / "spc-none" / "report.html").read_text(
        encoding="utf-8")


@pytest.mark.e2e
def test_report_for_200_treated_units_stays_under_5_mb(tmp_path):
    rng = np.random.default_rng(16)
    weeks = pd.date_range("2023-01-02", periods=60, freq="7D")
    mu = rng.uniform(5, 20, 220)
    frame = pd.DataFrame({
        "site": np.repeat([f"Area {k:03d}" for k in range(220)], 60),
        "week": np.tile(weeks.strftime("%Y-%m-%d"), 220),
        "crimes": rng.poisson(np.repeat(mu, 60) * np.where(
            (np.repeat(np.arange(220), 60) < 200) & (np.tile(np.arange(60), 220) >= 30), 0.8, 1.0)),
    })
    frame.to_csv(tmp_path / "many.csv", index=False)
    treated = ", ".join(f"Area {k:03d}" for k in range(200))
    (tmp_path / "many.yaml").write_text(
        "template: before-after\ntitle: Many treated areas\nowner: Test\ndata: many.csv\ndate_column: week\n"
        f"outcome_column: crimes\nunit_column: site\ntreated_units: [{treated}]\nintervention_date: 2023-07-31\n"
        "comparison_rationale: invented\n", encoding="utf-8")
    result = whatworks("run", str(tmp_path / "many.yaml"), "--reports", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    report = tmp_path / "r" / "many" / "report.html"
    assert report.stat().st_size < 5 * 1024 * 1024
    assert len(read_results(tmp_path / "r" / "many")["spc"]["units"]) == 200
    assert "XmR charts of crimes for 200 units" in report.read_text(encoding="utf-8")


def test_servator_opens_with_crimes_prevented_net_of_displacement(reports):
    results = read_results(reports / "servator-deployments")
    named = {e["name"]: e for e in results["estimates"]}
    net = named["crimes_prevented_net"]
    assert (net["unit"], net["scale"]) == ("crimes", "count") and net["ci_low"] < net["estimate"] < net["ci_high"]
    assert net["estimate"] == pytest.approx(named["net_effect_treated"]["estimate"]
                                            + named["net_effect_buffer"]["estimate"])
    _, truth = servator(SERVATOR_SEED)
    prevented = named["crimes_prevented"]
    assert prevented["ci_low"] < truth["crimes_prevented"] < prevented["ci_high"]
    assert results["summary"].startswith("Net of displacement, about")
    assert results["did"]["wdq_reading"].startswith("Here the WDQ is")


@pytest.mark.e2e
def test_crime_allocation_demo_is_headlined_in_percentage_points(demo_reports):
    results = read_results(demo_reports / "crime-allocation-policy")
    (head,) = [e for e in results["estimates"] if e["headline"]]
    assert head["name"] == "percentage_point_change" and head["unit"] == "percentage points"
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    odds = next(e for e in results["estimates"] if e["name"] == "level_change")
    assert odds["measure"] == "odds ratio"
    assert re.search(r"the rate of .* was 16\.0%, against 14\.3% expected from the trend before it "
                     r"\(13\.5% before it began\): 1\.7 percentage points higher", results["summary"])
