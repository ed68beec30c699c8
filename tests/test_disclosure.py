"""Small counts of people are suppressed in every file a report publishes (the spec's ``disclosure`` key).

One :class:`~whatworks.disclosure.Disclosure` policy, carried by the
evaluation and the trial result, decides how counts and shares of people are
shown in the report's tables and charts, in ``results.json``, in the executed
notebook and in ``status.json``. There is no module-level setting.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT
from whatworks import text
from whatworks.designs import rct
from whatworks.disclosure import COUNT_KEYS, Disclosure
from whatworks.evaluation import Evaluation, evaluation
from whatworks.simulate.rct import ARMS, simulate_trial

SPEC = {
    "id_column": "victim_id", "arm_column": "arm", "control_arm": "bau_letter",
    "outcomes": [{"column": "repeat_victim", "type": "binary", "primary": True, "label": "Repeat victimisation",
                  "smallest_effect": 0.02, "source": "police_recorded"}],
    "exclusion_column": "exclusion_reason",
}
REASON = "Moved out of force area"
DEMO_SPEC = ROOT / "evaluations" / "fraud-protect-trial.yaml"
DEMO_TRIAL = ROOT / "data" / "demo" / "fraud_protect" / "follow_up.csv"


def with_three_exclusions(frame: pd.DataFrame, arm: str) -> pd.DataFrame:
    """Three people in ``arm`` who were still in the analysis now leave it for a new reason."""
    frame = frame.copy()
    blank = frame["exclusion_reason"].fillna("").astype(str).str.strip() == ""
    rows = frame.index[(frame["arm"] == arm) & blank][:3]
    frame.loc[rows, "exclusion_reason"] = REASON
    frame.loc[rows, "repeat_victim"] = "" if frame["repeat_victim"].dtype == object else None
    return frame


def trial_with_three_exclusions():
    return with_three_exclusions(simulate_trial(seed=5, n=3000), ARMS[1])


# -- the policy, in the trial's tables -------------------------------------------------


def test_consort_table_shows_a_count_under_five_as_less_than_five():
    result = rct.fit(trial_with_three_exclusions(), **SPEC)
    row = next(r for r in rct.consort_table(result).rows if REASON in r[0])
    assert "<5" in row and "3" not in row


def test_disclosure_zero_shows_every_count():
    ev = evaluation({"disclosure": 0, "title": "t"})  # as a notebook's first call does
    result = rct.fit(trial_with_three_exclusions(), **SPEC, disclosure=ev.disclosure)
    row = next(r for r in rct.consort_table(result).rows if REASON in r[0])
    assert "3" in row and "<5" not in row


def test_threshold_is_configurable_and_zero_is_never_hidden():
    policy = Disclosure(10)
    assert [policy.count(v) for v in (0, 1, 9, 10, 12345)] == ["0", "<10", "<10", "10", "12,345"]


def test_the_result_carries_the_policy_and_fit_takes_a_threshold():
    result = rct.fit(trial_with_three_exclusions(), **SPEC, disclosure=10)
    assert result.disclosure == Disclosure(10)
    assert rct.fit(trial_with_three_exclusions(), **SPEC).disclosure == Disclosure(5)


def test_every_people_count_in_a_trial_result_goes_through_the_policy():
    result = rct.fit(trial_with_three_exclusions(), **SPEC)
    itt = next(c for c in result.checks if c.name == "itt_complete")
    assert f"{REASON} ({ARMS[1]}: <5)" in itt.message
    shown = Disclosure(0)
    assert f"{REASON} ({ARMS[1]}: 3)" in next(
        c for c in rct.fit(trial_with_three_exclusions(), **SPEC, disclosure=shown).checks
        if c.name == "itt_complete").message


def test_a_share_of_two_hundred_that_counts_one_person_is_withheld():
    policy = Disclosure(5)
    assert policy.share(1, 200) == "withheld"  # 0.5% of 200 is one person
    assert policy.share(197, 200) == "withheld"  # 98.5% of 200 leaves three out
    assert policy.rate(0.005, 200) == "withheld"
    assert policy.share(100, 200) == "50.0%"
    assert Disclosure(0).share(1, 200) == "0.5%"


def test_attrition_shares_that_leave_out_fewer_than_five_are_withheld():
    row = {"kind": "primary outcome", "arm": "letter", "n_arm": 200, "kept_arm": 197, "n_control": 200,
           "kept_control": 180, "rate_arm": 0.985, "rate_control": 0.9, "overall": 0.0575, "differential": 0.085,
           "boundary": 0.06, "low": False}
    cells = rct.tables.attrition_table([row], "bau", Disclosure(5)).rows[0]
    assert cells[1] == "withheld of 200" and cells[2] == "90.0% of 200"
    assert cells[4] == "withheld"  # the differential would give one arm's share from the other
    shown = rct.tables.attrition_table([row], "bau", Disclosure(0)).rows[0]
    assert shown[1] == "98.5% of 200" and shown[4] == "8.5"


def test_the_payload_holds_no_small_count():
    from whatworks.report import payload
    from whatworks.results import Evidence, Result

    r = Result(evidence=Evidence(1, "x"))
    p = payload(Evaluation({"title": "t"}), r, rct={"exclusions": [{"arm": "a", "reason": "r", "n": 3}],
                                                     "counts": [{"excluded": 0, "analysed": 4}]})
    assert p["rct"] == {"exclusions": [{"arm": "a", "reason": "r", "n": "<5"}],
                        "counts": [{"excluded": 0, "analysed": "<5"}]}
    assert payload(Evaluation({"disclosure": 0}), r, rct={"n": 3})["rct"] == {"n": 3}


def test_every_people_count_key_in_a_trial_results_record_is_suppressed():
    """The keys of the trial's results.json that count people are all in COUNT_KEYS."""
    result = rct.fit(trial_with_three_exclusions(), **SPEC, subgroups=["vulnerable"], received_column="received",
                     responded_column="responded")
    extra = result.extra()["rct"]
    keys = {k for rows in (extra["counts"], extra["exclusions"], extra["attrition"], extra["subgroups"])
            for row in rows for k, v in row.items() if isinstance(v, int) and not isinstance(v, bool)}
    assert keys <= COUNT_KEYS
    assert {"allocated", "received", "excluded", "followed_up", "responded", "analysed", "n", "n_arm",
            "n_control", "kept_arm", "kept_control", "n_per_arm", "n_by_arm", "n_total"} <= COUNT_KEYS


def test_no_module_level_disclosure_state_is_left():
    assert not hasattr(text, "DISCLOSURE") and not hasattr(text, "set_disclosure")
    assert not hasattr(text, "fmt_count")
    lib = ROOT / "lib" / "whatworks"
    for path in lib.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "set_disclosure" not in source, path
        assert "fmt_count" not in source, path
        assert not re.search(r"\bDISCLOSURE\s*=\s*\{", source), path  # a mutable setting
        assert "text.DISCLOSURE" not in source, path


# -- end to end: every file in the report folder ---------------------------------------


def _trial_spec(folder: Path, threshold: int | None) -> Path:
    """The demo trial spec, on a copy of its trial file with three exclusions, without its allocation record."""
    folder.mkdir(parents=True)
    frame = pd.read_csv(DEMO_TRIAL, dtype=str, keep_default_na=False)  # written back as read
    frame = with_three_exclusions(frame, "enhanced_letter")
    frame.to_csv(folder / "follow_up.csv", index=False)
    spec = yaml.safe_load(DEMO_SPEC.read_text(encoding="utf-8"))
    spec.pop("allocation_record")  # the sealed record would refuse the changed trial file
    spec.update(data="follow_up.csv", title="Three exclusions")
    if threshold is not None:
        spec["disclosure"] = threshold
    path = folder / "three-exclusions.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[None, 0], ids=["default", "zero"])
def three_exclusions_report(request, tmp_path_factory) -> tuple[int | None, Path]:
    from whatworks.runner import run

    root = tmp_path_factory.mktemp("disclosure")
    spec = _trial_spec(root / "specs", request.param)
    outcome = run(spec, reports_root=root / "reports", rebuild_index=False)
    assert outcome.ok, outcome.message
    return request.param, Path(outcome.output)


def _texts(path: Path) -> list[str]:
    """The words of a file: a JSON file's strings one by one (a notebook's lines joined), or the whole text;
    HTML entities undone."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix not in (".json", ".ipynb"):
        return [html.unescape(raw)]

    def strings(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return ["".join(value)]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        return [t for v in items for t in strings(v)]

    return [html.unescape(t) for t in strings(json.loads(raw))]


def _counts_after_reason(words: str) -> list[str]:
    """The first count shown after each mention of the reason (in a table row, a sentence or a record)."""
    found = []
    for m in re.finditer(re.escape(REASON), words):
        after = re.sub(r"<[^<>]*>", " ", words[m.end():m.end() + 400])  # drop HTML tags
        count = re.search(r"<5|\d[\d,]*", after)
        if count:
            found.append(count.group())
    return found


def _exclusion_records(value) -> list[dict]:
    if isinstance(value, dict):
        own = [value] if value.get("reason") == REASON else []
        return own + [r for v in value.values() for r in _exclusion_records(v)]
    if isinstance(value, list):
        return [r for v in value for r in _exclusion_records(v)]
    return []


def _html_row(report: str) -> list[str]:
    row = next(r for r in re.findall(r"<tr.*?</tr>", report, re.S) if REASON in r)
    return [html.unescape(re.sub(r"<[^<>]*>", "", c)).strip() for c in re.findall(r"<t[dh].*?</t[dh]>", row, re.S)]


@pytest.mark.e2e
def test_every_file_in_the_report_folder_shows_the_three_exclusions_as_the_policy_says(three_exclusions_report):
    threshold, folder = three_exclusions_report
    shown = "3" if threshold == 0 else "<5"
    files = sorted(p.name for p in folder.iterdir())
    assert {"report.html", "results.json", "status.json", "notebook.ipynb"} <= set(files)
    for name in files:
        counts = [c for words in _texts(folder / name) for c in _counts_after_reason(words)]
        assert set(counts) <= {shown}, (name, counts)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert [r["n"] for r in _exclusion_records(results)] == [int(shown) if threshold == 0 else shown]
    notebook = json.loads((folder / "notebook.ipynb").read_text(encoding="utf-8"))
    assert [r["n"] for r in _exclusion_records(notebook)] == [int(shown) if threshold == 0 else shown]
    cells = _html_row((folder / "report.html").read_text(encoding="utf-8"))
    assert cells[0] == f"excluded: {REASON}" and sorted(cells[1:]) == ["", "", shown]  # one cell per arm
    assert _counts_after_reason(_texts(folder / "report.html")[0])  # the reason is shown with its count
    status = json.loads((folder / "status.json").read_text(encoding="utf-8"))
    # the input hashes (SHA-256 hex digests, for skipping unchanged reports) are not counts of people
    shown = re.sub(r'"[0-9a-f]{64}"', '""', json.dumps({k: v for k, v in status.items() if k != "time"}))
    assert status["status"] == "ok" and "3" not in shown

