"""The ``rct`` template end to end: the Fraud Protect demo through the command line.

Two notebook runs in all (the demo, and the demo with a tampered allocation);
every bad-input case stops at the input check, before any notebook starts.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, read_results

pytestmark = pytest.mark.xdist_group("rct")

SPEC = ROOT / "evaluations" / "fraud-protect-trial.yaml"
DEMO = ROOT / "data" / "demo" / "fraud_protect"
ALLOCATION = ROOT / "evaluations" / "fraud-protect" / "allocation"
ARMS = ("bau_letter", "enhanced_letter", "advocate_call")
ACTIVE = ARMS[1:]
SECTIONS = ("Summary", "Design", "Participant flow (CONSORT)", "Baseline balance", "Effects (intention to treat)",
            "Adjusted analysis", "Complier effect", "Survey attrition and Lee bounds", "Subgroups",
            "Integrity checks", "Checks", "Strength of evidence", "Method notes")


def whatworks(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whatworks", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def copy_demo(target: Path) -> Path:
    """The demo spec, its allocation folder and its data, laid out as in the project; returns the spec."""
    (target / "evaluations").mkdir(parents=True)
    shutil.copy(SPEC, target / "evaluations" / SPEC.name)
    shutil.copytree(ROOT / "evaluations" / "fraud-protect", target / "evaluations" / "fraud-protect")
    shutil.copytree(DEMO, target / "data" / "demo" / "fraud_protect")
    return target / "evaluations" / SPEC.name


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    reports = tmp_path_factory.mktemp("rct-reports")
    out = whatworks("run", str(SPEC), "--reports", str(reports))
    assert out.returncode == 0, out.stdout + out.stderr
    return reports / SPEC.stem


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """The demo with one person's arm changed in the committed allocation file."""
    root = tmp_path_factory.mktemp("tampered")
    spec = copy_demo(root)
    alloc = root / "evaluations" / "fraud-protect" / "allocation" / "allocation.csv"
    lines = alloc.read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",")
    first[1] = next(a for a in ARMS if a != first[1])
    lines[1] = ",".join(first)
    alloc.write_text("".join(lines), encoding="utf-8")
    reports = root / "reports"
    return whatworks("run", str(spec), "--reports", str(reports)), reports / spec.stem


# -- the demo report ------------------------------------------------------------


@pytest.mark.e2e
def test_demo_estimates_are_named_by_outcome_measure_and_arm(demo):
    results = read_results(demo)
    names = {e["name"] for e in results["estimates"]}
    for arm in ACTIVE:
        for measure in ("risk_difference", "risk_ratio", "odds_ratio", "adjusted_risk_difference",
                        "adjusted_risk_ratio", "complier_effect"):
            assert f"repeat_victim.{measure}.{arm}" in names
        assert f"repeat_incidents.rate_ratio.{arm}" in names
        assert f"loss_gbp.mean_difference.{arm}" in names
        assert f"feels_protected.agree_difference.{arm}" in names
    heads = [e for e in results["estimates"] if e["headline"]]
    assert [h["name"] for h in heads] == ["repeat_victim.risk_difference.enhanced_letter"]
    rd = next(e for e in results["estimates"] if e["name"] == "repeat_victim.risk_difference.advocate_call")
    assert (rd["outcome"], rd["measure"], rd["group"]) == ("repeat_victim", "risk_difference", "advocate_call")
    assert rd["ci_low"] < rd["estimate"] < rd["ci_high"] < 0  # the advocate call lowers repeat victimisation


@pytest.mark.e2e
def test_demo_is_level_5_with_integrity_intact_and_the_ascertainment_warning(demo):
    results = read_results(demo)
    assert results["template"] == "rct"
    assert results["evidence"]["sms_level"] == 5
    checks = {c["name"]: c for c in results["checks"]}
    for name in ("record_sealed", "allocation_matches_record", "analysis_plan_unchanged", "first_allocation",
                 "trial_matches_allocation"):
        assert checks[name]["status"] == "pass", checks[name]
    assert checks["ascertainment"]["status"] == "warn"
    assert "police-recorded" in checks["ascertainment"]["message"]
    assert checks["itt_complete"]["status"] in ("pass", "warn")
    assert checks["attrition.primary.advocate_call"]["status"] == "pass"
    assert checks["attrition.survey.advocate_call"]["status"] == "warn"  # differential survey response
    assert not [c for c in results["checks"] if c["status"] == "fail"]


@pytest.mark.e2e
def test_demo_results_hold_the_trial_design_and_allocation_keys(demo):
    results = read_results(demo)
    rct = results["rct"]
    assert rct["arms"] == list(ARMS) and rct["control_arm"] == "bau_letter"
    assert rct["primary_outcome"] == "repeat_victim"
    assert sum(r["allocated"] for r in rct["counts"]) == 20_000
    assert {r["kind"] for r in rct["subgroups"]} == {"pre-specified", "exploratory"}
    assert rct["lee_bounds"] and rct["first_stage"]
    power = results["power"]["sample_size"]
    assert power["n_per_arm"] > 0 and power["arms"] == 3 and power["alpha_per_comparison"] == pytest.approx(0.025)
    assert results["power"]["minimum_detectable_effect"]["mde"] < 0.03
    record = json.loads((ALLOCATION / "allocation_record.json").read_text(encoding="utf-8"))
    assert results["allocation"]["allocation_sha256"] == record["allocation"]["sha256"]
    assert results["allocation"]["method"] == "stratified"
    assert results["provenance"]["random_seed"] == 20240401


@pytest.mark.e2e
def test_demo_report_has_every_section_no_row_level_data_and_no_code(demo):
    html = (demo / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    shown = [h.replace("&amp;", "&") for h in headings]
    body = shown[shown.index("Summary"):]
    assert [s for s in body if s in SECTIONS] == list(SECTIONS)  # all present, in order
    assert [s for s in shown[:shown.index("Summary")] if s != "How to read this report"] == []
    assert body[:len(SECTIONS)] == list(SECTIONS)  # Summary first, Method notes last
    assert (demo / "report.html").stat().st_size < 5 * 2**20
    assert not re.search(r"FV\d{7}", html)  # no participant id
    data = pd.read_csv(DEMO / "follow_up.csv", nrows=50)
    for value in data["loss_gbp"][data["loss_gbp"] > 0].head(5):
        assert f"{value:.2f}" not in html  # no individual losses
    for code in ("import whatworks", "ww.trial", "ev = ", "Traceback", "def "):
        assert code not in html
    assert "does NOT match" not in html
    assert "is police-recorded" in html
    assert 'alt="' in html
    for alt in re.findall(r'alt="([^"]*)"', html):
        assert re.search(r"\d", alt), alt  # every chart's alt text states a number


@pytest.mark.e2e
def test_demo_summary_reads_every_arm_against_the_plan_with_dates_labels_and_cost(demo):
    """The plan's smallest effect worth acting on is 2 points: the enhanced letter's -1.5 (95% CI -2.8 to
    -0.1) is smaller than planned with 2 not ruled out; the advocate call's -4.0 (-5.3 to -2.7) is larger."""
    results = read_results(demo)
    summary = " ".join(results["summary"]) if isinstance(results["summary"], list) else results["summary"]
    verdicts = {(v["outcome"], v["arm"]): v for v in results["rct"]["verdict"]}
    letter, call = verdicts[("repeat_victim", "enhanced_letter")], verdicts[("repeat_victim", "advocate_call")]
    assert (letter["reading"], letter["settled"]) == ("smaller", False)
    assert (call["reading"], call["settled"]) == ("larger", True)
    assert "-1.5 percentage points (95% CI -2.8 to -0.1 percentage points). Smaller than planned" in summary
    assert "does not rule out an effect of that size" in summary and "2.0 percentage points" in summary
    assert "Larger than planned: the whole interval lies beyond" in summary
    # the survey outcome has high attrition and Lee bounds spanning zero: not "different"
    for arm in ACTIVE:
        assert verdicts[("feels_protected", arm)]["verdict"] == "cannot_tell"
    assert "Cannot tell for 2 of them" in summary and "feels able to protect themselves" in summary.split(
        "differed between arms")[1].split("Cannot tell")[1]
    nnt = {r["arm"]: r for r in results["rct"]["nnt"]}
    assert round(nnt["advocate_call"]["nnt"]) == 25 and not nnt["advocate_call"]["through_infinity"]
    assert nnt["advocate_call"]["cost_per_outcome_avoided"] == pytest.approx(18 * nnt["advocate_call"]["nnt"])
    assert "Number needed to treat: 25 people given the advocate call" in summary
    assert summary.startswith("Participants were recruited from 5 January 2026 to 27 March 2026 and followed up "
                              "to 30 September 2026.")
    assert results["period"] == {"start": "2026-01-05", "end": "2026-09-30"}
    assert "enhanced letter" in summary and "enhanced_letter" not in summary
    html = (demo / "report.html").read_text(encoding="utf-8")
    assert "business-as-usual letter" in html


# -- a tampered allocation --------------------------------------------------------


@pytest.mark.e2e
def test_a_tampered_allocation_is_an_input_error_naming_what_changed(tampered):
    """Issue item 7: an allocation that does not match its record stops the run, in words, with no report."""
    out, folder = tampered
    assert out.returncode == 2, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert "does NOT match its sealed record" in text
    assert re.search(r"arm '\w+': [\d,]+ people in the record, [\d,]+ now", text)
    assert "restore the allocation file" in text and "Traceback" not in text
    assert not (folder / "report.html").exists() and not (folder / "results.json").exists()
    assert json.loads((folder / "status.json").read_text())["kind"] == "input"
    assert not re.search(r"FV\d{7}", text)


def test_trial_arms_differing_from_the_allocation_fail_a_check(tmp_path):
    """The allocation is intact but the trial file moved someone: a failed check, not an input error."""
    from whatworks.evaluation import Evaluation
    from whatworks.spec import load_spec
    from whatworks.templates.trial import read, verify_allocation

    spec = load_spec(SPEC)
    ev = Evaluation(spec.parameters, base_dir=spec.base_dir)
    trial = read(ev).copy()
    arm = ev["arm_column"]
    trial.loc[trial.index[0], arm] = next(a for a in ARMS if a != trial.loc[trial.index[0], arm])
    checks = {c.name: c for c in verify_allocation(ev, trial).checks}
    assert checks["allocation_matches_record"].status == "pass"
    assert checks["trial_matches_allocation"].status == "fail"
    assert "1 participant in a different arm" in checks["trial_matches_allocation"].message


# -- bad input ------------------------------------------------------------------------


def _bad_follow_up(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    if kind == "unknown_arm":
        frame.loc[3, "arm"] = "advocate call"
    elif kind == "no_control":
        frame = frame[frame["arm"] != "bau_letter"]
    elif kind == "binary_values":
        frame["repeat_victim"] = frame["repeat_victim"].astype(object)
        frame.loc[5, "repeat_victim"] = "maybe"
    elif kind == "empty_arm":
        frame = frame[frame["arm"] != "enhanced_letter"]
    elif kind == "duplicate_ids":
        frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    return frame


BAD = {
    "unknown_arm": r"arm label 'advocate call' is not one of the trial's arms",
    "no_control": r"control arm 'bau_letter' is not in column 'arm'",
    "binary_values": r"column 'repeat_victim'.*values other than 0/1, yes/no or true/false: 'maybe'",
    "empty_arm": r"arm 'enhanced_letter' has no participants \(empty arm\)",
    "duplicate_ids": r"1 participant id appears more than once",
    "control_label": r"the control arm 'business_as_usual' is not in column 'arm'",
}


@pytest.mark.e2e
@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_is_an_input_error_in_words_with_no_report(tmp_path, kind):
    spec = copy_demo(tmp_path)
    if kind == "control_label":
        spec.write_text(spec.read_text(encoding="utf-8").replace("control_arm: bau_letter",
                                                                 "control_arm: business_as_usual"),
                        encoding="utf-8")
    else:
        path = tmp_path / "data" / "demo" / "fraud_protect" / "follow_up.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        _bad_follow_up(kind, frame).to_csv(path, index=False)
    reports = tmp_path / "reports"
    out = whatworks("run", str(spec), "--reports", str(reports))
    assert out.returncode == 2, out.stdout + out.stderr
    words = out.stdout + out.stderr
    assert re.search(BAD[kind], words), words
    assert "Traceback" not in words
    assert not (reports / spec.stem / "report.html").exists()


@pytest.mark.e2e
def test_validate_accepts_the_demo_and_refuses_a_bad_trial_file(tmp_path):
    spec = copy_demo(tmp_path)
    path = tmp_path / "data" / "demo" / "fraud_protect" / "follow_up.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _bad_follow_up("duplicate_ids", frame).to_csv(path, index=False)
    out = whatworks("validate", str(SPEC), str(spec))
    assert out.returncode == 2
    assert f"{SPEC}: valid, template 'rct'" in out.stdout
    assert "NOT VALID" in out.stdout and "more than once" in out.stdout


# -- the demo data and its one allocation --------------------------------------------------


def test_demo_data_remake_identically_from_the_committed_allocation(tmp_path):
    from whatworks.simulate import rct as sim

    for name, write in sim.DEMO_WRITERS.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        assert target.read_bytes() == (ROOT / "data" / "demo" / name).read_bytes(), name


def test_the_committed_allocation_is_sealed_first_and_matches_the_demo():
    import yaml

    from whatworks.allocation import analysis_plan_from_spec, verify

    record = json.loads((ALLOCATION / "allocation_record.json").read_text(encoding="utf-8"))
    participants = (DEMO / "participants.csv").read_bytes()
    assert hashlib.sha256(participants).hexdigest() == record["participants"]["sha256"]
    plan = analysis_plan_from_spec(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    checks = {c.name: c.status for c in verify(ALLOCATION / "allocation.csv", ALLOCATION / "allocation_record.json",
                                               plan, participants=DEMO / "participants.csv")}
    assert set(checks.values()) == {"pass"}, checks
    log = (ALLOCATION.parent / "allocation_log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1
    follow = pd.read_csv(DEMO / "follow_up.csv", usecols=["victim_id", "arm"], dtype=str)
    alloc = pd.read_csv(ALLOCATION / "allocation.csv", usecols=["victim_id", "arm"], dtype=str)
    merged = follow.merge(alloc, on="victim_id", suffixes=("", "_allocated"))
    assert len(merged) == len(alloc) == 20_000
    assert (merged["arm"] == merged["arm_allocated"]).all()


def test_estimates_table_keeps_one_family_of_estimates():
    from whatworks.designs import rct
    from whatworks.simulate.rct import simulate_trial

    result = rct.fit(simulate_trial(seed=4, n=3000), id_column="victim_id", arm_column="arm",
                     control_arm="bau_letter", received_column="received", covariates=["age"],
                     outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True,
                                "smallest_effect": 0.02}], exclusion_column="exclusion_reason")
    shown = {kind: [row[0] for row in result.table(kind).rows] for kind in ("itt", "adjusted", "complier")}
    assert all(" adjusted " not in r and "complier" not in r for r in shown["itt"])
    assert shown["adjusted"] and all("adjusted" in r for r in shown["adjusted"])
    assert shown["complier"] and all("complier" in r for r in shown["complier"])
    assert len(result.table().rows) == sum(len(v) for v in shown.values())
    with pytest.raises(ValueError):
        result.table("everything")


def _verified(spec: Path):
    from whatworks.evaluation import Evaluation
    from whatworks.spec import load_spec
    from whatworks.templates import trial

    loaded = load_spec(spec)
    ev = Evaluation(loaded.parameters, base_dir=loaded.base_dir)
    frame = trial.read(ev)
    return {c.name: c for c in trial.verify_allocation(ev, frame).checks}


def test_a_changed_analysis_plan_is_named_and_a_dropped_participant_is_counted(tmp_path):
    spec = copy_demo(tmp_path)
    spec.write_text(spec.read_text(encoding="utf-8").replace("smallest_effect: 0.02", "smallest_effect: 0.03")
                    .replace("subgroups: [vulnerable]", "subgroups: [vulnerable, area]"), encoding="utf-8")
    path = tmp_path / "data" / "demo" / "fraud_protect" / "follow_up.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:5] + lines[6:]), encoding="utf-8")  # one randomised victim left out
    checks = _verified(spec)
    plan = checks["analysis_plan_unchanged"]
    assert plan.status == "warn" and "CHANGED since allocation" in plan.message
    assert "smallest_effect: 0.02 at allocation, 0.03 now" in plan.message and "subgroups:" in plan.message
    dropped = checks["trial_matches_allocation"]
    assert dropped.status == "warn" and "1 randomised participant" in dropped.message
    assert "intention-to-treat" in dropped.message and not re.search(r"FV\d{7}", dropped.message)
    assert checks["allocation_matches_record"].status == "pass"
