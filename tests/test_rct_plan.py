"""Trial effects judged against the analysis plan: readings, attrition honesty, NNT, cost, furniture."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from whatworks.designs import rct
from whatworks.designs.rct.plan import against_plan, number_needed_to_treat
from whatworks.errors import SpecError

PRIMARY = {"column": "y", "type": "binary", "primary": True, "label": "Repeat victimisation",
           "smallest_effect": 0.02, "better": "lower", "source": "administrative"}


def two_arm(x1: int, n1: int, x0: int, n0: int) -> pd.DataFrame:
    """A two-arm trial with exactly x1/n1 events in 'letter' and x0/n0 in 'bau'."""
    y = [1] * x1 + [0] * (n1 - x1) + [1] * x0 + [0] * (n0 - x0)
    return pd.DataFrame({"id": [f"P{i}" for i in range(n1 + n0)], "arm": ["letter"] * n1 + ["bau"] * n0, "y": y})


def fit(frame, outcomes=(PRIMARY,), **kw):
    return rct.fit(frame, id_column="id", arm_column="arm", control_arm="bau", outcomes=list(outcomes), **kw)


# -- readings against the smallest effect of interest ------------------------------------


@pytest.mark.parametrize(("est", "low", "high", "code", "settled"), [
    (-0.040, -0.053, -0.027, "larger", True),        # whole interval beyond 2 points
    (-0.025, -0.040, -0.010, "larger", False),       # beyond 2, but 1 point not ruled out
    (-0.015, -0.028, -0.001, "smaller", False),      # the Fraud Protect enhanced letter
    (-0.010, -0.015, -0.005, "smaller", True),       # real, and rules 2 out
    (0.002, -0.012, 0.016, "smaller", True),         # no effect worth acting on
    (-0.010, -0.030, 0.010, "inconclusive", False),  # includes 0 and 2
    (0.030, 0.021, 0.039, "larger", True),           # the other direction reads the same
])
def test_each_reading_by_where_the_interval_lies(est, low, high, code, settled):
    r = against_plan(est, low, high, 0.02)
    assert (r.code, r.settled) == (code, settled)


def test_ratio_readings_use_the_symmetric_log_band():
    # smallest 10%: the band is 0.9 to 1/0.9 = 1.111; 0.80 (0.74 to 0.88) lies wholly beyond 0.9
    assert against_plan(0.80, 0.74, 0.88, 0.1, ratio=True).code == "larger"
    assert against_plan(1.15, 1.12, 1.18, 0.1, ratio=True).code == "larger"     # beyond 1.111 upwards
    assert against_plan(1.05, 1.01, 1.10, 0.1, ratio=True).code == "smaller"
    assert against_plan(0.95, 0.85, 1.05, 0.1, ratio=True).code == "inconclusive"


def test_equivalence_and_non_inferiority_readings():
    assert against_plan(0.0, -0.015, 0.015, 0.02, hypothesis="equivalence").code == "equivalent"
    assert against_plan(0.0, -0.025, 0.015, 0.02, hypothesis="equivalence").code == "not_shown"
    # better lower: worse is higher; the interval must stay below +2 points
    assert against_plan(0.005, -0.01, 0.019, 0.02, hypothesis="non_inferiority", better="lower").code == \
        "non_inferior"
    assert against_plan(0.005, -0.01, 0.021, 0.02, hypothesis="non_inferiority", better="lower").code == "not_shown"
    assert against_plan(-0.005, -0.019, 0.01, 0.02, hypothesis="non_inferiority", better="higher").code == \
        "non_inferior"
    with pytest.raises(ValueError):
        against_plan(0.0, -0.01, 0.01, 0.02, hypothesis="non_inferiority")


def test_readings_in_the_words_of_a_fit():
    smaller = fit(two_arm(185, 1000, 200, 1000)).verdicts[0]  # -1.5 points, interval includes 0 and 2
    assert smaller["reading"] == "inconclusive" and "Inconclusive" in smaller["text"]
    big = fit(two_arm(1600, 10000, 2000, 10000)).verdicts[0]  # -4.0 points (about -5.1 to -2.9)
    assert big["reading"] == "larger" and big["settled"] and "Larger than planned" in big["text"]
    sure = fit(two_arm(19000, 100000, 20000, 100000)).verdicts[0]  # -1.0 (about -1.35 to -0.65)
    assert sure["reading"] == "smaller" and sure["settled"]
    assert "rules out an effect that large" in sure["text"]
    eq = fit(two_arm(2000, 20000, 2000, 20000), [{**PRIMARY, "hypothesis": "equivalence"}]).verdicts[0]
    assert eq["reading"] == "equivalent" and "Equivalent, as the plan set out to show" in eq["text"]


def test_plan_keys_are_checked():
    with pytest.raises(SpecError, match="hypothesis"):
        fit(two_arm(10, 100, 10, 100), [{**PRIMARY, "hypothesis": "better"}])
    with pytest.raises(SpecError, match="which direction is better"):
        fit(two_arm(10, 100, 10, 100), [{**{k: v for k, v in PRIMARY.items() if k != "better"},
                                          "hypothesis": "non_inferiority"}])
    with pytest.raises(SpecError, match="margin"):
        fit(two_arm(10, 100, 10, 100), [{**{k: v for k, v in PRIMARY.items() if k != "smallest_effect"},
                                          "hypothesis": "equivalence"}])


# -- attrition honesty -----------------------------------------------------------------------


def _survey_trial(seed: int = 3, n: int = 2000, effect: float = 0.0) -> pd.DataFrame:
    """Survey answers with high, differential non-response: 30% answer in bau, 60% in letter."""
    rng = np.random.default_rng(seed)
    arm = np.where(np.arange(n) < n // 2, "letter", "bau")
    answered = rng.random(n) < np.where(arm == "letter", 0.6, 0.3)
    agree = rng.random(n) < 0.4 + effect * (arm == "letter")
    q = np.where(answered, np.where(agree, 5, 2), np.nan)
    return pd.DataFrame({"id": np.arange(n).astype(str), "arm": arm, "y": rng.integers(0, 2, n),
                         "q": q, "responded": answered.astype(int)})


def test_high_attrition_with_lee_bounds_spanning_zero_is_cannot_tell():
    frame = _survey_trial(effect=0.1)
    survey = {"column": "q", "type": "likert", "label": "Feels safe", "smallest_effect": 0.05, "source": "survey"}
    res = fit(frame, [PRIMARY, survey], responded_column="responded")
    row = next(r for r in res.attrition if r["kind"] == "survey")
    lee = res.lee[0]
    assert not row["low"] and row["boundary_name"] == "cautious"
    assert lee["ci_low"] <= 0 <= lee["ci_high"]
    v = next(v for v in res.verdicts if v["outcome"] == "q")
    est = res.estimate("q.agree_difference")
    assert est.ci_low > 0  # the naive comparison says "different"...
    assert v["verdict"] == "cannot_tell"  # ...but it cannot be told apart from who answered
    assert v["text"].startswith("Cannot tell") and "cautious boundary" in v["text"]
    assert any("Cannot tell" in p for p in res.summary_text)


def _moderate_attrition_trial(n: int = 2000) -> pd.DataFrame:
    """Survey answers from 72.5% of the letter arm and 67.5% of bau: 30% overall, 5 points differential."""
    rng = np.random.default_rng(11)
    half = n // 2
    arm = np.where(np.arange(n) < half, "letter", "bau")
    position = np.arange(n) % half
    answered = position < np.where(arm == "letter", int(0.725 * half), int(0.675 * half))
    agree = rng.random(n) < 0.40 + 0.03 * (arm == "letter")
    q = np.where(answered, np.where(agree, 5, 2), np.nan)
    return pd.DataFrame({"id": np.arange(n).astype(str), "arm": arm, "y": rng.integers(0, 2, n),
                         "q": q, "responded": answered.astype(int)})


def test_the_spec_chooses_the_attrition_boundary():
    frame = _moderate_attrition_trial()
    survey = {"column": "q", "type": "likert", "label": "Feels safe", "smallest_effect": 0.05, "source": "survey"}
    cautious = fit(frame, [PRIMARY, survey], responded_column="responded")
    optimistic = fit(frame, [PRIMARY, survey], responded_column="responded", attrition_boundary="optimistic")
    row_c = next(r for r in cautious.attrition if r["kind"] == "survey")
    row_o = next(r for r in optimistic.attrition if r["kind"] == "survey")
    assert row_c["overall"] == pytest.approx(0.30) and row_c["differential"] == pytest.approx(0.05)
    assert not row_c["low"] and row_c["boundary_name"] == "cautious" and row_c["boundary"] == pytest.approx(0.041)
    assert row_o["low"] and row_o["boundary_name"] == "optimistic" and row_o["boundary"] == pytest.approx(0.084)
    lee = cautious.lee[0]
    assert lee["ci_low"] <= 0 <= lee["ci_high"]
    v_c = next(v for v in cautious.verdicts if v["outcome"] == "q")
    v_o = next(v for v in optimistic.verdicts if v["outcome"] == "q")
    assert v_c["verdict"] == "cannot_tell" and "cautious boundary" in v_c["text"]
    assert v_o["verdict"] != "cannot_tell"
    notes = " ".join(optimistic.notes)
    assert "optimistic boundary" in notes and "Table II.1" in notes
    with pytest.raises(SpecError, match="attrition_boundary"):
        fit(frame, [PRIMARY, survey], responded_column="responded", attrition_boundary="liberal")


def test_low_attrition_keeps_the_verdict():
    frame = _survey_trial(effect=0.1)
    frame["responded"] = 1
    frame["q"] = frame["q"].fillna(2)
    survey = {"column": "q", "type": "likert", "label": "Feels safe", "smallest_effect": 0.05, "source": "survey"}
    res = fit(frame, [PRIMARY, survey], responded_column="responded")
    assert next(v for v in res.verdicts if v["outcome"] == "q")["verdict"] != "cannot_tell"


# -- number needed to treat and cost ---------------------------------------------------------------


def test_nnt_inverts_the_interval_through_infinity_as_altman_1998_sets_out():
    # Altman (1998), BMJ 317:1309: when the risk difference's interval includes no effect, its inverse runs
    # from NNT benefit (1 / the benefit end) through infinity to NNT harm (1 / the harm end). A benefit of
    # 0.052 (-0.0095 to 0.1135) gives NNT 1/0.052 = 19.2, from NNTB 1/0.1135 = 8.8 to NNTH 1/0.0095 = 105.3.
    n = number_needed_to_treat(0.052, -0.0095, 0.1135, better="higher")
    assert n.kind == "benefit" and n.through_infinity
    assert n.nnt == pytest.approx(19.23, abs=0.01)
    assert (round(n.low, 1), round(n.high, 1)) == (8.8, 105.3)
    plain = number_needed_to_treat(-0.04, -0.06, -0.02, better="lower")
    assert (plain.kind, plain.nnt, plain.low, plain.high, plain.through_infinity) == (
        "benefit", pytest.approx(25), pytest.approx(1 / 0.06), pytest.approx(50), False)
    harm = number_needed_to_treat(0.04, 0.02, 0.06, better="lower")
    assert harm.kind == "harm" and harm.high == pytest.approx(50)


def test_nnt_through_infinity_in_the_summary_and_cost_per_outcome_avoided():
    res = fit(two_arm(185, 1000, 200, 1000), cost_per_participant={"letter": 2.0})
    row = res.nnt[0]
    assert row["through_infinity"] and row["kind"] == "benefit"
    rd = res.estimate("y.risk_difference")
    assert row["nnt"] == pytest.approx(1 / 0.015)
    assert row["ci_low"] == pytest.approx(1 / -rd.ci_low) and row["ci_high"] == pytest.approx(1 / rd.ci_high)
    assert row["cost_per_outcome_avoided"] == pytest.approx(2.0 / 0.015)
    assert row["cost_ci_low"] == pytest.approx(2.0 / -rd.ci_low) and math.isinf(row["cost_ci_high"])
    words = " ".join(res.summary_text)
    assert "through infinity" in words and "to no upper limit" in words
    sure = fit(two_arm(1600, 10000, 2000, 10000), cost_per_participant=10)
    r = sure.nnt[0]
    assert r["cost_ci_low"] == pytest.approx(10 * r["ci_low"]) and r["cost_ci_high"] == pytest.approx(10 * r["ci_high"])


def test_cost_is_refused_without_a_binary_outcome_or_for_an_unknown_arm():
    frame = two_arm(10, 100, 10, 100)
    with pytest.raises(SpecError, match="does not apply") as info:
        fit(frame, [{"column": "y", "type": "continuous", "primary": True, "smallest_effect": 1}],
            cost_per_participant={"letter": 5})
    assert info.value.key == "cost_per_participant"
    with pytest.raises(SpecError, match="not an active arm"):
        fit(frame, cost_per_participant={"bau": 5})
    with pytest.raises(SpecError, match="0 or more"):
        fit(frame, cost_per_participant={"letter": -1})


# -- furniture: dates and arm labels ---------------------------------------------------------------


def test_trial_dates_reach_the_header_and_summary():
    res = fit(two_arm(10, 100, 12, 100), recruitment_start="2026-01-05", recruitment_end="25/03/2026",
              follow_up_end="30 September 2026")
    assert (res.period_start.isoformat(), res.period_end.isoformat()) == ("2026-01-05", "2026-09-30")
    assert res.summary_text[0].startswith("Participants were recruited from 5 January 2026 to 25 March 2026 and "
                                          "followed up to 30 September 2026.")
    assert res.to_dict()["rct"]["dates"]["recruitment_end"] == "2026-03-25"
    with pytest.raises(SpecError, match="before"):
        fit(two_arm(10, 100, 12, 100), recruitment_start="2026-03-01", recruitment_end="2026-01-01")


def test_arm_labels_replace_codes_everywhere():
    labels = {"letter": "enhanced letter", "bau": "usual letter"}
    res = fit(two_arm(10, 100, 12, 100), arm_labels=labels)
    shown = " ".join([*res.summary_text, *res.notes, *(v["text"] for v in res.verdicts),
                      *(e.label for e in res.estimates), str(rct.consort_table(res)), str(rct.baseline_table(res)),
                      res.plot().alt, rct.plot_consort(res).alt])
    assert "enhanced letter" in shown and "usual letter" in shown
    for code in ("letter vs", "with the letter", "with the bau", "bau "):
        assert code not in shown.replace("enhanced letter", "").replace("usual letter", "")
    assert res.estimates[0].name == "y.risk_difference"  # names keep the codes
    with pytest.raises(SpecError, match="not an arm"):
        fit(two_arm(10, 100, 12, 100), arm_labels={"call": "a call"})
