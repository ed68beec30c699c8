"""Trial analysis: closed-form agreement, conventions, checks and bad input."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from whatworks.designs import rct
from whatworks.designs.rct import attrition as attr
from whatworks.designs.rct import model as eff
from whatworks.designs.rct.words import classify
from whatworks.errors import DataError, SpecError
from whatworks.results import Check
from whatworks.simulate.rct import simulate_trial

PRIMARY = {"column": "y", "type": "binary", "primary": True, "label": "Repeat victimisation",
           "smallest_effect": 0.05, "source": "administrative"}


def two_arm(x1: int, n1: int, x0: int, n0: int, **extra) -> pd.DataFrame:
    """A two-arm trial with exactly x1/n1 events in 'letter' and x0/n0 in 'bau'."""
    y = [1] * x1 + [0] * (n1 - x1) + [1] * x0 + [0] * (n0 - x0)
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(n1 + n0)],
                          "arm": ["letter"] * n1 + ["bau"] * n0, "y": y})
    for key, values in extra.items():
        frame[key] = values
    return frame


def fit(frame, outcomes=(PRIMARY,), **kw):
    return rct.fit(frame, id_column="id", arm_column="arm", control_arm="bau", outcomes=list(outcomes), **kw)


# -- closed-form agreement ------------------------------------------------------------


def test_risk_difference_matches_newcombe_wald_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80,
    # simple asymptotic (Wald) interval 0.0575 to 0.3425.
    res = fit(two_arm(56, 70, 48, 80))
    e = res.estimate("y.risk_difference")
    assert e.estimate == pytest.approx(0.2)
    assert (round(e.ci_low, 4), round(e.ci_high, 4)) == (0.0575, 0.3425)
    assert e.headline


def test_risk_and_odds_ratio_match_katz_and_woolf():
    a, n1, c, n0 = 30, 200, 45, 210
    res = fit(two_arm(a, n1, c, n0))
    rr, orr = res.estimate("y.risk_ratio"), res.estimate("y.odds_ratio")
    se_rr = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    se_or = math.sqrt(1 / a + 1 / (n1 - a) + 1 / c + 1 / (n0 - c))
    z = stats.norm.ppf(0.975)
    rr0, or0 = (a / n1) / (c / n0), (a / (n1 - a)) / (c / (n0 - c))
    assert rr.estimate == pytest.approx(rr0)
    assert (rr.ci_low, rr.ci_high) == pytest.approx((rr0 * math.exp(-z * se_rr), rr0 * math.exp(z * se_rr)))
    assert (orr.ci_low, orr.ci_high) == pytest.approx((or0 * math.exp(-z * se_or), or0 * math.exp(z * se_or)))
    assert rr.p_value == pytest.approx(2 * stats.norm.sf(abs(math.log(rr0)) / se_rr))


def test_welch_mean_difference_matches_scipy():
    rng = np.random.default_rng(1)
    y = np.r_[rng.normal(10, 2, 40), rng.normal(9, 5, 70)]
    frame = pd.DataFrame({"id": range(110), "arm": ["letter"] * 40 + ["bau"] * 70, "loss": y})
    res = fit(frame, outcomes=[{"column": "loss", "type": "continuous", "primary": True, "smallest_effect": 1}])
    ref = stats.ttest_ind(y[:40], y[40:], equal_var=False)
    ci = ref.confidence_interval(0.95)
    e = res.estimate("loss.mean_difference")
    assert (e.ci_low, e.ci_high) == pytest.approx((ci.low, ci.high))
    assert e.p_value == pytest.approx(ref.pvalue)


def test_cluster_robust_risk_difference_matches_statsmodels_cr1():
    import statsmodels.api as sm

    rng = np.random.default_rng(2)
    clusters = np.repeat(np.arange(40), 25)
    treat = (clusters % 2).astype(float)
    y = (rng.random(1000) < 0.2 + 0.05 * treat + rng.normal(0, 0.1, 40)[clusters]).astype(float)
    frame = pd.DataFrame({"id": range(1000), "arm": np.where(treat == 1, "letter", "bau"), "y": y,
                          "team": clusters})
    e = fit(frame, cluster_column="team").estimate("y.risk_difference")
    ols = sm.OLS(y, sm.add_constant(treat)).fit(cov_type="cluster", cov_kwds={"groups": clusters})
    # statsmodels' CR1 also multiplies by (N - 1)/(N - K); ours uses G/(G - 1) only.
    assert e.estimate == pytest.approx(ols.params[1])
    assert e.se * math.sqrt(999 / 998) == pytest.approx(ols.bse[1], rel=1e-10)
    assert e.ci_high - e.estimate == pytest.approx(stats.t.ppf(0.975, 39) * e.se)


def test_adjusted_linear_standardisation_equals_ols_with_hc0():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    n = 400
    treat = rng.permutation(np.r_[np.ones(200), np.zeros(200)])
    age = rng.normal(50, 10, n)
    y = 3 + 2 * treat + 0.5 * age + rng.normal(0, 4, n)
    frame = pd.DataFrame({"id": range(n), "arm": np.where(treat == 1, "letter", "bau"), "y": y, "age": age})
    res = fit(frame, outcomes=[{"column": "y", "type": "continuous", "primary": True, "smallest_effect": 1}],
              covariates=["age"])
    e = res.estimate("y.adjusted_mean_difference")
    ols = sm.OLS(y, np.column_stack([np.ones(n), treat, age])).fit(cov_type="HC0")
    assert e.estimate == pytest.approx(ols.params[1])
    assert e.se == pytest.approx(ols.bse[1], rel=1e-8)


def test_adjusted_logistic_is_the_marginal_risk_difference_not_an_odds_ratio():
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    n = 3000
    treat = rng.permutation(np.arange(n) % 2).astype(float)
    prior = (rng.random(n) < 0.3).astype(float)
    area = rng.choice(["N", "S", "E"], n)
    eta = -1.5 - 0.4 * treat + 1.2 * prior + 0.3 * (area == "S")
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    frame = pd.DataFrame({"id": range(n), "arm": np.where(treat == 1, "letter", "bau"), "y": y,
                          "prior": prior, "area": area})
    res = fit(frame, covariates=["prior"], strata_column="area")
    x = np.column_stack([np.ones(n), treat, prior, area == "N", area == "S"]).astype(float)
    logit = sm.Logit(y, x).fit(disp=0)
    x1, x0 = x.copy(), x.copy()
    x1[:, 1], x0[:, 1] = 1, 0
    p1, p0 = logit.predict(x1).mean(), logit.predict(x0).mean()
    assert res.estimate("y.adjusted_risk_difference").estimate == pytest.approx(p1 - p0, rel=1e-6)
    assert res.estimate("y.adjusted_risk_ratio").estimate == pytest.approx(p1 / p0, rel=1e-6)


def test_complier_effect_is_ratio_of_itt_effects_and_weak_first_stage_warns():
    n = 2000
    arm = np.array(["letter", "bau"] * (n // 2))
    received = np.where(arm == "letter", (np.arange(n) % 40 == 0).astype(int), 0)  # 5% receipt
    y = (np.arange(n) % 5 == 0).astype(int)
    frame = pd.DataFrame({"id": range(n), "arm": arm, "y": y, "got": received})
    res = fit(frame, received_column="got")
    e = res.estimate("y.complier_effect")
    itt_y = y[arm == "letter"].mean() - y[arm == "bau"].mean()
    itt_d = received[arm == "letter"].mean()
    assert e.estimate == pytest.approx(itt_y / itt_d)
    assert res.check("first_stage.letter").status == "pass"  # F is large with 1,000 per arm
    weak = frame.assign(got=np.where((arm == "letter") & (np.arange(n) < 10), 1, 0))  # 5 of 1,000: F about 5
    assert fit(weak, received_column="got").check("first_stage.letter").status == "warn"


def test_subgroup_interaction_test_for_two_levels_is_the_z_test_of_the_difference():
    rng = np.random.default_rng(5)
    n = 4000
    arm = np.where(rng.random(n) < 0.5, "letter", "bau")
    group = np.where(rng.random(n) < 0.4, "young", "old")
    y = (rng.random(n) < np.where((arm == "letter") & (group == "young"), 0.1, 0.2)).astype(int)
    frame = pd.DataFrame({"id": range(n), "arm": arm, "y": y, "age_group": group})
    res = fit(frame, subgroups=["age_group"])
    d, v = [], []
    for g in ("old", "young"):
        p1 = y[(arm == "letter") & (group == g)].mean()
        n1 = ((arm == "letter") & (group == g)).sum()
        p0 = y[(arm == "bau") & (group == g)].mean()
        n0 = ((arm == "bau") & (group == g)).sum()
        d.append(p1 - p0)
        v.append(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    z2 = (d[0] - d[1]) ** 2 / (v[0] + v[1])
    test = res.interactions[0]
    assert test["chi2"] == pytest.approx(z2)
    assert test["p_value"] == pytest.approx(stats.chi2.sf(z2, 1))
    assert {r["kind"] for r in res.subgroups} == {"pre-specified"}
    explo = fit(frame, exploratory_subgroups=["age_group"])
    assert {r["kind"] for r in explo.subgroups} == {"exploratory"}
    assert "exploratory" in str(rct.subgroup_table(explo))


def test_holm_adjustment_textbook_example():
    # Holm (1979): ordered p 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, 0.06
    assert eff.holm([0.04, 0.01, 0.005, 0.03]) == pytest.approx([0.06, 0.03, 0.02, 0.06])


def _holm_by_hand(p_values: list) -> list[float]:
    """Holm's step-down adjustment as whatworks wrote it before calling statsmodels."""
    p = np.asarray(p_values, float)
    out = np.full(p.size, math.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        out[idx] = running
    return out.tolist()


_HOLM_INPUTS = [
    [0.04, 0.01, 0.005, 0.03],
    [0.01, 0.04, 0.03],
    [0.2],
    [],
    [0.5, 0.5, 0.5],
    [0.01, 0.01, 0.02, 0.9],
    [0.3, 0.6, 0.9],
    [0.0, 1.0, 0.049999],
    [math.nan, 0.02, 0.04, math.nan],
    [None, 0.2, 0.01],
    [math.nan, math.nan],
    list(np.random.default_rng(11).uniform(0, 0.2, 25)),
]


@pytest.mark.parametrize("p_values", _HOLM_INPUTS, ids=range(len(_HOLM_INPUTS)))
def test_holm_equals_the_hand_formula(p_values):
    got, ref = eff.holm(p_values), _holm_by_hand(p_values)
    assert len(got) == len(ref) == len(p_values)
    for a, b in zip(got, ref, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12, (got, ref)


def test_count_rate_ratio_is_ratio_of_mean_counts():
    frame = pd.DataFrame({"id": range(8), "arm": ["letter"] * 4 + ["bau"] * 4, "k": [0, 1, 2, 1, 2, 3, 1, 2]})
    res = fit(frame, outcomes=[{"column": "k", "type": "count", "primary": True, "smallest_effect": 0.1}])
    assert res.estimate("k.rate_ratio").estimate == pytest.approx(1.0 / 2.0)
    assert res.headline.name == "k.rate_ratio"


# -- attrition ---------------------------------------------------------------------------


def test_wwc_cautious_boundary_points():
    assert attr.wwc_attrition(0.0, 0.057)["low"] and not attr.wwc_attrition(0.0, 0.058)["low"]
    # documented points of Table II.1 (v4.1): 0% -> 5.7, 13% -> 6.1 points
    assert attr.wwc_boundary(0.13) == pytest.approx(0.061)
    assert attr.wwc_boundary(0.10) == pytest.approx(0.063)
    assert attr.wwc_boundary(0.30) == pytest.approx(0.041)
    assert attr.wwc_boundary(0.305) == pytest.approx(0.040)  # stricter neighbour
    assert attr.wwc_attrition(0.57, 0.0)["low"] and not attr.wwc_attrition(0.58, 0.0)["low"]


def test_wwc_optimistic_boundary_points():
    # Table II.1, optimistic column: 0% -> 10.0, 10% -> 10.9, 30% -> 8.4, 50% -> 3.9, 57% -> 2.3 points
    for overall, limit in [(0.0, 0.100), (0.10, 0.109), (0.30, 0.084), (0.50, 0.039), (0.57, 0.023)]:
        assert attr.wwc_boundary(overall, "optimistic") == pytest.approx(limit)
    assert attr.wwc_boundary(0.375, "optimistic") == pytest.approx(0.067)  # stricter neighbour (37%: 7.0, 38%: 6.7)
    # the optimistic boundary is never stricter than the cautious one
    assert all(o >= c for o, c in zip(attr.OPTIMISTIC_BOUNDARY, attr.CAUTIOUS_BOUNDARY, strict=True))
    assert len(attr.OPTIMISTIC_BOUNDARY) == len(attr.CAUTIOUS_BOUNDARY) == 58
    # 30% overall, 5 points differential: high on the cautious boundary, low on the optimistic one
    assert not attr.wwc_attrition(0.30, 0.05)["low"]
    row = attr.wwc_attrition(0.30, 0.05, "optimistic")
    assert row["low"] and row["boundary_name"] == "optimistic"
    # beyond the transcribed table, high on either boundary
    assert not attr.wwc_attrition(0.58, 0.0, "optimistic")["low"]


def test_unknown_attrition_boundary_is_refused_naming_the_key():
    with pytest.raises(SpecError, match="attrition_boundary") as err:
        attr.boundary("liberal")
    assert "cautious" in str(err.value) and "optimistic" in str(err.value)


def test_lee_bounds_by_hand():
    # treated respond 80% (values 1..8 of 10), control 40% (mean 5): keep half of treated respondents
    y = np.r_[np.arange(1, 9), [np.nan] * 2, [4, 6, 5, 5], [np.nan] * 6]
    responded = ~np.isnan(y)
    treated = np.r_[np.ones(10, bool), np.zeros(10, bool)]
    lo, hi, clo, chi = attr.lee_bounds_interval(np.nan_to_num(y), responded, treated, ~treated, seed=1, reps=50)
    assert (lo, hi) == pytest.approx((2.5 - 5, 6.5 - 5))
    assert clo <= lo and chi >= hi


def test_survey_outcome_non_response_gives_attrition_rows_and_lee_bounds():
    res = rct.fit(simulate_trial(seed=3, n=3000), id_column="victim_id", arm_column="arm",
                  control_arm="bau_letter", responded_column="responded", exclusion_column="exclusion_reason",
                  outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True, "smallest_effect": 0.02},
                            {"column": "feels_protected", "type": "likert", "source": "survey",
                             "smallest_effect": 0.05}])
    kinds = {(r["kind"], r["arm"]) for r in res.attrition}
    assert ("survey", "advocate_call") in kinds and ("primary outcome", "advocate_call") in kinds
    assert {r["arm"] for r in res.lee} == {"advocate_call", "enhanced_letter"}
    row = next(r for r in res.attrition if r["kind"] == "survey" and r["arm"] == "advocate_call")
    assert not row["low"]  # about 60% overall attrition is beyond the cautious boundary
    assert res.evidence.sms_level == 5  # the primary outcome is not from the survey
    assert "Lee bounds" in res.evidence.explanation


def test_high_attrition_on_primary_outcome_lowers_evidence():
    frame = two_arm(10, 100, 12, 100, why=[""] * 100 + ["moved away"] * 20 + [""] * 80)
    res = fit(frame, exclusion_column="why")
    assert res.evidence.sms_level == 4
    assert res.check("itt_complete").status == "warn"
    assert "moved away" in res.check("itt_complete").message
    assert res.flow[0]["arm"] == "bau" and res.flow[0]["excluded"] == 20 and res.flow[0]["analysed"] == 80


# -- checks, evidence, verdicts ----------------------------------------------------------


def test_failed_allocation_integrity_check_lowers_evidence_and_is_reported():
    bad = Check("allocation_record", "fail", "The allocation file's SHA-256 does not match the sealed record.")
    res = fit(two_arm(20, 100, 30, 100), integrity_checks=[bad])
    assert res.evidence.sms_level == 3
    assert res.check("allocation_record").status == "fail"
    assert "SHA-256" in res.evidence.explanation
    assert res.summary_text[1].startswith("Allocation check:") and "SHA-256" in res.summary_text[1]
    ok = fit(two_arm(20, 100, 30, 100), integrity_checks=[Check("allocation_record", "pass", "Matches.")])
    assert ok.evidence.sms_level == 5


def test_arm_sizes_checked_only_for_simple_randomisation_and_do_not_downgrade():
    frame = two_arm(60, 600, 40, 400)
    simple = fit(frame, intended_ratios={"bau": 1, "letter": 1}, allocation_method="simple")
    assert simple.check("arm_sizes").status == "warn"  # 600 v 400: p < 0.001
    assert simple.evidence.sms_level == 5
    block = fit(frame, intended_ratios={"bau": 1, "letter": 1}, allocation_method="block")
    assert block.check("arm_sizes").status == "info"
    fair = fit(two_arm(50, 510, 50, 490), intended_ratios={"bau": 1, "letter": 1}, allocation_method="simple")
    assert fair.check("arm_sizes").status == "pass"


def test_ascertainment_warning_only_for_police_recorded_primary_with_reporting_message():
    police = dict(PRIMARY, source="police_recorded")
    frame = two_arm(20, 100, 30, 100)
    assert fit(frame, [police], message_encourages_reporting=True).check("ascertainment").status == "warn"
    with pytest.raises(KeyError):
        fit(frame, [police], message_encourages_reporting=False).check("ascertainment")
    with pytest.raises(KeyError):
        fit(frame, [PRIMARY], message_encourages_reporting=True).check("ascertainment")


def test_verdict_classification():
    assert classify(-0.045, -0.019, 0.02, False) == "clear_effect"
    assert classify(-0.015, 0.012, 0.02, False) == "no_important_effect"
    assert classify(-0.025, 0.004, 0.02, False) == "inconclusive"
    assert classify(0.85, 1.05, 0.10, True) == "inconclusive"  # 0.85 is below 1 - 0.10
    assert classify(0.95, 1.05, 0.10, True) == "no_important_effect"
    assert classify(0.95, 1.05, None, True) == "no_clear_effect"


def test_verdict_words_end_to_end():
    clear = fit(two_arm(100, 1000, 200, 1000))
    assert clear.verdicts[0]["verdict"] == "clear_effect" and "lowered" in clear.summary_text[1]
    none = fit(two_arm(2000, 20000, 2010, 20000))
    assert none.verdicts[0]["verdict"] == "no_important_effect" and none.verdicts[0]["reading"] == "smaller"
    assert "no effect worth acting on" in none.summary_text[1]
    unsure = fit(two_arm(10, 100, 12, 100))
    assert unsure.verdicts[0]["verdict"] == "inconclusive"
    assert "Inconclusive" in unsure.summary_text[1]


# -- names, shapes, no row-level data --------------------------------------------------------


def test_estimate_names_and_fields_two_and_three_arms():
    two = fit(two_arm(20, 100, 30, 100))
    names = {e.name for e in two.estimates}
    assert {"y.risk_difference", "y.risk_ratio", "y.odds_ratio"} <= names
    e = two.estimate("y.risk_ratio")
    assert (e.outcome, e.measure, e.group, e.scale) == ("y", "risk_ratio", "letter", "ratio")
    frame = pd.concat([two_arm(20, 100, 30, 100), two_arm(25, 100, 0, 0).assign(arm="call", id=lambda d: "C" + d.id)])
    three = fit(frame, intended_ratios={"bau": 1, "call": 1, "letter": 1})
    assert three.headline.name == "y.risk_difference.call"  # first active arm in intended order
    assert three.estimate("y.odds_ratio.letter").group == "letter"
    assert [h["family"] for h in three.holm] == ["primary outcome across arms"] * 2


def test_yes_no_and_true_false_read_as_binary():
    base = fit(two_arm(20, 100, 30, 100)).estimate("y.risk_difference").estimate
    frame = two_arm(20, 100, 30, 100)
    words = frame.assign(y=frame["y"].map({1: " Yes", 0: "no"}))
    truth = frame.assign(y=frame["y"].map({1: "TRUE", 0: "False"}))
    assert fit(words).estimate("y.risk_difference").estimate == pytest.approx(base)
    assert fit(truth).estimate("y.risk_difference").estimate == pytest.approx(base)


def test_likert_agreement_means_four_or_five():
    frame = pd.DataFrame({"id": range(8), "arm": ["letter"] * 4 + ["bau"] * 4, "y": [0] * 8,
                          "q": [5, 4, 3, None, 4, 2, 1, 1]})
    res = fit(frame, [PRIMARY, {"column": "q", "type": "likert", "source": "survey", "smallest_effect": 0.1}])
    assert res.estimate("q.agree_difference").estimate == pytest.approx(2 / 3 - 1 / 4)
    assert res.estimate("q.mean_difference").estimate == pytest.approx(4 - 2)


def test_result_holds_no_row_level_data_and_is_frozen():
    frame = simulate_trial(seed=9, n=1500)
    res = rct.fit(frame, id_column="victim_id", arm_column="arm", control_arm="bau_letter",
                  outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True, "smallest_effect": 0.02}],
                  covariates=["age", "fraud_type"], received_column="received",
                  exclusion_column="exclusion_reason")
    payload = json.dumps(res.to_dict())
    assert "FV0000001" not in payload and "FV0001500" not in payload
    assert len(payload) < 60_000
    assert set(res.to_dict()["rct"]) >= {"counts", "attrition", "holm", "verdict"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.arms = ()


def test_charts_and_tables():
    res = fit(two_arm(100, 1000, 150, 1000, got=[1] * 900 + [0] * 100 + [0] * 1000), received_column="got")
    chart = res.plot()
    assert chart.png[:4] == b"\x89PNG"
    assert "-5.0 percentage points" in chart.alt
    assert "2,000 randomised" in rct.plot_consort(res).alt
    assert "Allocated" in str(rct.consort_table(res))
    assert "Holm-adjusted p" in str(res.table())


def test_baseline_standardised_mean_differences():
    age = np.r_[np.full(50, 40.0), np.full(50, 50.0), np.full(50, 42.0), np.full(50, 46.0)]
    frame = two_arm(10, 100, 10, 100, age=age, sex=["F", "M"] * 50 + ["F"] * 30 + ["M"] * 70)
    res = fit(frame, covariates=["age", "sex"])
    rows = {(r["covariate"], r["level"]): r for r in res.baseline}
    a1, a0 = age[:100], age[100:]
    smd = (a1.mean() - a0.mean()) / math.sqrt((a1.var(ddof=1) + a0.var(ddof=1)) / 2)
    assert rows[("age", None)]["smd:letter"] == pytest.approx(smd)
    p1, p0 = 0.5, 0.3
    v1, v0 = p1 * (1 - p1) * 100 / 99, p0 * (1 - p0) * 100 / 99
    assert rows[("sex", "F")]["smd:letter"] == pytest.approx((p1 - p0) / math.sqrt((v1 + v0) / 2))
    assert "SMD letter" in str(rct.baseline_table(res))
    assert res.check("baseline_balance").status == "info"


# -- bad input --------------------------------------------------------------------------------


def test_arm_label_not_in_the_trial_arms():
    frame = two_arm(20, 100, 30, 100)
    frame.loc[5, "arm"] = "leter"
    with pytest.raises(DataError) as err:
        fit(frame, intended_ratios={"bau": 1, "letter": 1})
    assert "'leter'" in str(err.value) and "row 7" in str(err.value) and "'arm'" in str(err.value)


def test_no_control_arm():
    with pytest.raises(SpecError) as err:
        rct.fit(two_arm(20, 100, 30, 100), id_column="id", arm_column="arm", control_arm="usual",
                outcomes=[PRIMARY])
    assert err.value.key == "control_arm" and "bau, letter" in str(err.value)
    with pytest.raises(DataError, match="no active arm"):
        fit(two_arm(20, 100, 30, 100).assign(arm="bau"))


def test_binary_outcome_with_other_values():
    frame = two_arm(20, 100, 30, 100).astype({"y": object})
    frame.loc[[3, 8], "y"] = "maybe"
    with pytest.raises(DataError) as err:
        fit(frame)
    text = str(err.value)
    assert "column 'y'" in text and "rows 5, 10" in text and "'maybe'" in text
    frame = two_arm(20, 100, 30, 100)
    frame.loc[0, "y"] = 2
    with pytest.raises(DataError, match="row 2"):
        fit(frame)
    with pytest.raises(DataError, match="'y'"):  # only yes/no, true/false and 0/1 are read
        fit(two_arm(20, 100, 30, 100).assign(y=lambda d: d["y"].map({1: "y", 0: "n"})))


def test_empty_arm():
    with pytest.raises(DataError, match="'call' has no participants"):
        fit(two_arm(20, 100, 30, 100), intended_ratios={"bau": 1, "letter": 1, "call": 1})
    frame = two_arm(20, 100, 30, 100, why=["withdrew"] * 100 + [""] * 100)
    with pytest.raises(DataError, match="'letter' has no participants left"):
        fit(frame, exclusion_column="why")


def test_duplicate_participant_ids():
    frame = two_arm(20, 100, 30, 100)
    frame.loc[150, "id"] = "P3"
    with pytest.raises(DataError) as err:
        fit(frame)
    # the rows and the column are named; the id itself is not quoted (ids can identify people)
    assert "P3" not in str(err.value) and "rows 5, 152" in str(err.value) and "'id'" in str(err.value)
    assert "1 participant id appears more than once" in str(err.value)


def test_allocation_not_matching_its_record_is_a_failed_check_not_a_crash():
    check = Check("allocation_record", "fail", "Participant P7's arm differs from the sealed allocation.")
    res = fit(two_arm(20, 100, 30, 100), integrity_checks=(check,))
    assert res.check_list.checks[0] == check
    assert res.evidence.sms_level < 5


def test_missing_outcome_values_and_primary_count():
    frame = two_arm(20, 100, 30, 100).astype({"y": float})
    frame.loc[4, "y"] = np.nan
    with pytest.raises(DataError, match="row 6"):
        fit(frame)
    # the same gap in a survey outcome is non-response
    fit(frame.assign(z=1), [dict(PRIMARY, column="z"), {"column": "y", "type": "binary", "source": "survey"}])
    with pytest.raises(SpecError) as err:
        fit(frame.fillna(0), [dict(PRIMARY, primary=False)])
    assert err.value.key == "outcomes" and "exactly one" in str(err.value)
    with pytest.raises(SpecError, match="exactly one"):
        fit(frame.fillna(0).assign(z=1), [PRIMARY, dict(PRIMARY, column="z")])


def test_missing_column_is_named_with_its_key():
    with pytest.raises(DataError) as err:
        fit(two_arm(20, 100, 30, 100), received_column="delivered")
    assert "'delivered'" in str(err.value) and "received_column" in str(err.value)
