"""Tests of trial sample size and minimum detectable effect (whatworks.power).

Reference values are R's own printed output for the examples in the help
pages of ``power.prop.test`` and ``power.t.test`` (stats package), as saved
in R's example-output file ``tests/Examples/stats-Ex.Rout.save`` in the R
sources:

- ``power.prop.test(n = 50, p1 = .50, p2 = .75)``: power = 0.7401659
- ``power.prop.test(p1 = .50, p2 = .75, power = .90)``: n = 76.70693
- ``power.prop.test(n = 50, p1 = .5, power = .90)``: p2 = 0.8026141
- ``power.t.test(n = 20, delta = 1)``: power = 0.8689528
- ``power.t.test(power = .90, delta = 1)``: n = 22.02110
- ``power.t.test(power = .90, delta = 1, alternative = "one.sided")``: n = 17.84713

R solves for n or p2 with ``uniroot`` at its default tolerance
(``.Machine$double.eps^0.25``, about 1.2e-4), so solved values are compared
to that tolerance; powers are computed directly and compared to the 7
printed digits.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from whatworks.designs.rct import power as pw
from whatworks.errors import SpecError

UNIROOT_TOL = 1.3e-4


# -- R reference values ------------------------------------------------------


def test_binary_power_matches_r_power_prop_test():
    """power.prop.test(n = 50, p1 = .50, p2 = .75) prints power = 0.7401659."""
    got = pw.achieved_power(n_per_arm=50, p_control=0.50, p_treatment=0.75)
    assert got == pytest.approx(0.7401659, abs=5e-8)


def test_binary_sample_size_matches_r_power_prop_test():
    """power.prop.test(p1 = .50, p2 = .75, power = .90) prints n = 76.70693."""
    r = pw.sample_size(p_control=0.50, p_treatment=0.75, power=0.90)
    assert r.n_analysed[0] == pytest.approx(76.70693, abs=UNIROOT_TOL)
    assert r.n_per_arm == 77
    assert r.n_total == 154
    assert r.mde == pytest.approx(0.25)


def test_binary_mde_matches_r_power_prop_test():
    """power.prop.test(n = 50, p1 = .5, power = .90) prints p2 = 0.8026141."""
    m = pw.minimum_detectable_effect(n_per_arm=50, p_control=0.5, power=0.90, direction="increase")
    assert m.p_treatment[0] == pytest.approx(0.8026141, abs=UNIROOT_TOL)
    assert m.mde == pytest.approx(0.8026141 - 0.5, abs=UNIROOT_TOL)


def test_continuous_power_matches_r_power_t_test():
    """power.t.test(n = 20, delta = 1) prints power = 0.8689528."""
    got = pw.achieved_power(outcome="continuous", n_per_arm=20, effect=1, sd=1)
    assert got == pytest.approx(0.8689528, abs=5e-8)


@pytest.mark.parametrize("two_sided, expected", [(True, 22.02110), (False, 17.84713)])
def test_continuous_sample_size_matches_r_power_t_test(two_sided, expected):
    """power.t.test(power = .90, delta = 1) prints n = 22.02110; one-sided 17.84713."""
    r = pw.sample_size(outcome="continuous", effect=1, sd=1, power=0.90, two_sided=two_sided)
    assert r.n_analysed[0] == pytest.approx(expected, abs=UNIROOT_TOL)
    assert r.n_per_arm == math.ceil(expected)


def test_continuous_mde_inverts_r_power_t_test():
    """At n = 20 per arm, R's power for delta = 1 is 0.8689528, so that is the detectable delta."""
    m = pw.minimum_detectable_effect(outcome="continuous", n_per_arm=20, sd=1, power=0.8689528,
                                     direction="increase")
    assert m.mde == pytest.approx(1.0, abs=1e-5)


def test_continuous_scale_invariance():
    """Only delta / sd matters: 50 pounds with SD 400 needs what 0.125 SD needs."""
    a = pw.sample_size(outcome="continuous", effect=50, sd=400)
    b = pw.sample_size(outcome="continuous", effect=0.125, sd=1)
    assert a.n_per_arm == b.n_per_arm


# -- generalisations, by hand -------------------------------------------------


def test_unequal_allocation_binary_matches_closed_form():
    """With n1 = r n0 the pooled/unpooled power equation inverts in closed form (Fleiss, no correction):
    sqrt(n0) |d| = z_a sqrt(pbar qbar (1 + 1/r)) + z_b sqrt(p0 q0 + p1 q1 / r), pbar = (p0 + r p1)/(1 + r)."""
    p0, p1, r = 0.20, 0.15, 2.0
    za, zb = stats.norm.isf(0.025), stats.norm.ppf(0.8)
    pbar = (p0 + r * p1) / (1 + r)
    n0 = ((za * math.sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1) / r))
          / (p0 - p1)) ** 2
    res = pw.sample_size(p_control=p0, p_treatment=p1, ratio=r)
    assert res.n_analysed[0] == pytest.approx(n0, rel=1e-9)
    assert res.n_by_arm == (math.ceil(n0), math.ceil(r * n0))
    assert res.n_per_arm == (math.ceil(n0), math.ceil(r * n0))  # a list when arms differ
    assert res.to_dict()["n_per_arm"] == [math.ceil(n0), math.ceil(r * n0)]


def test_equal_ratio_reproduces_r_formula_exactly():
    """With equal arms the closed form is R's: ((z_a sqrt(2 pbar qbar) + z_b sqrt(p1q1 + p2q2)) / d)^2."""
    p1, p2 = 0.2, 0.15
    za, zb = stats.norm.isf(0.025), stats.norm.ppf(0.8)
    pbar = (p1 + p2) / 2
    n = ((za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) / 0.05) ** 2
    assert pw.sample_size(p_control=p1, p_treatment=p2).n_analysed[0] == pytest.approx(n, rel=1e-9)


@pytest.mark.parametrize("ratio", [0.5, 2.0, 3.0])
def test_unequal_allocation_continuous_matches_statsmodels(ratio):
    """statsmodels' TTestIndPower (noncentral t, df = n1 + n2 - 2) solves the same equation independently."""
    d = 0.3
    expected = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=ratio)
    res = pw.sample_size(outcome="continuous", effect=d, sd=1, ratio=ratio)
    assert res.n_analysed[0] == pytest.approx(expected, rel=1e-5)
    assert res.n_by_arm[1] == math.ceil(ratio * res.n_analysed[0] - 1e-9)


def test_ratio_sequence_control_first():
    """[2, 1, 1]: the control has twice as many as each active arm."""
    res = pw.sample_size(outcome="continuous", effect=0.2, ratio=[2, 1, 1], arms=3)
    n0, n1, n2 = res.n_by_arm
    assert n1 == n2
    assert abs(n0 - 2 * n1) <= 1
    assert res.n_total == n0 + n1 + n2


def test_bonferroni_several_active_arms():
    """Three arms means two comparisons with the control, each at alpha / 2."""
    three = pw.sample_size(p_control=0.2, p_treatment=0.15, arms=3)
    two_at_half = pw.sample_size(p_control=0.2, p_treatment=0.15, alpha=0.025)
    assert three.n_per_arm == two_at_half.n_per_arm
    assert three.n_total == 3 * two_at_half.n_per_arm
    assert three.alpha_per_test == pytest.approx(0.025)
    four = pw.sample_size(outcome="continuous", effect=1, sd=1, arms=4)
    assert four.alpha_per_test == pytest.approx(0.05 / 3)
    assert any("Bonferroni" in f for f in four.formulas)


def test_design_effect_and_attrition_in_whole_clusters():
    """The people shortcut, R's n = 22.02110 (delta 1, power .9) x (1 + (10 - 1) x 0.05) / (1 - 0.2) = 39.913,
    would be 4 clusters of 10; with t on 4 + 4 - 2 = 6 degrees of freedom 4 clusters fall short of 90%, so
    the trial needs 5 whole clusters per arm (50 people)."""
    res = pw.sample_size(outcome="continuous", effect=1, sd=1, power=0.9, cluster_size=10, icc=0.05,
                         attrition=0.2)
    assert res.design_effect == pytest.approx(1.45)
    assert pytest.approx(39.913, abs=1e-3) == 22.02110 * 1.45 / 0.8
    four = pw.achieved_power(outcome="continuous", n_per_arm=40, effect=1, sd=1, cluster_size=10, icc=0.05,
                             attrition=0.2)
    assert four < 0.9
    assert (res.n_per_arm, res.n_total, res.clusters_per_arm) == (50, 100, (5, 5))
    assert res.achieved_power[0] >= 0.9
    assert any("1 + (m − 1) × ICC" in f for f in res.formulas)
    assert "5 clusters of 10 per arm" in res.summary_text[0]


def test_design_effect_binary_in_whole_clusters():
    """R's n = 76.70693 x (1 + (20 - 1) x 0.05) = 149.578 people would be 7.5 clusters of 20; whole clusters
    with t on the clusters less 2 need 9 per arm (8 fall short)."""
    res = pw.sample_size(p_control=0.5, p_treatment=0.75, power=0.9, cluster_size=20, icc=0.05)
    assert res.clusters_per_arm == (9, 9) and res.n_per_arm == 180
    assert pw.achieved_power(n_per_arm=160, p_control=0.5, p_treatment=0.75, cluster_size=20, icc=0.05) < 0.9


@pytest.mark.parametrize(("effect", "icc", "m"), [(0.5, 0.05, 30), (0.3, 0.02, 30), (0.4, 0.1, 12), (1.0, 0.05, 10)])
def test_whole_cluster_power_matches_statsmodels(effect, icc, m):
    """Independent implementation: statsmodels' two-sample t power on the effective sample (people / design
    effect) with df = clusters - 2, one tail at alpha / 2 (the strict two-tail adds a negligible lower tail)."""
    from statsmodels.stats.power import TTestIndPower

    res = pw.sample_size(outcome="continuous", effect=effect, sd=1, cluster_size=m, icc=icc)
    k = res.clusters_per_arm[0]
    deff = 1 + (m - 1) * icc

    def sm(clusters: int) -> float:
        return float(TTestIndPower().power(effect_size=effect, nobs1=clusters * m / deff, alpha=0.025, ratio=1,
                                           df=2 * clusters - 2, alternative="larger"))

    assert res.achieved_power[0] == pytest.approx(sm(k), abs=1e-9)
    assert sm(k) >= 0.8 > sm(k - 1)  # the fewest whole clusters that reach the target
    mde = pw.minimum_detectable_effect(outcome="continuous", n_per_arm=k * m, sd=1, cluster_size=m, icc=icc,
                                       power=res.achieved_power[0], direction="increase")
    assert mde.mde == pytest.approx(effect, rel=1e-6)


def test_the_issue_example_six_clusters_of_thirty():
    """157 people per arm looked like '6 clusters' of 30 at 80.2% power; 6 whole clusters (180 people, df 10)
    are judged with t on 10 degrees of freedom and the answer is given in clusters."""
    from statsmodels.stats.power import TTestIndPower

    deff = 1 + 29 * 0.05
    power6 = pw.achieved_power(outcome="continuous", n_per_arm=180, effect=0.5, sd=1, cluster_size=30, icc=0.05)
    assert power6 == pytest.approx(TTestIndPower().power(0.5, 180 / deff, 0.025, df=10, alternative="larger"),
                                   abs=1e-9)
    assert round(power6, 2) == 0.78
    res = pw.sample_size(outcome="continuous", effect=0.5, sd=1, cluster_size=30, icc=0.05)
    assert (res.clusters_per_arm, res.n_per_arm) == ((7, 7), 210) and res.achieved_power[0] >= 0.8
    assert "7 clusters of 30 per arm (210 people)" in res.summary_text[0]


def test_attrition_alone_by_hand():
    """R's n = 76.70693 / (1 - 0.1) = 85.23 -> 86 per arm."""
    assert pw.sample_size(p_control=0.5, p_treatment=0.75, power=0.9, attrition=0.1).n_per_arm == 86


def test_design_effect_helper():
    assert pw.design_effect(1, 0.3) == 1.0
    assert pw.design_effect(21, 0.1) == pytest.approx(3.0)


def test_mde_and_sample_size_agree():
    """The effect found for n people, fed back, needs no more than n people (and n - 1 falls short)."""
    m = pw.minimum_detectable_effect(n_per_arm=5000, p_control=0.2, attrition=0.1)
    assert m.p_treatment[0] < 0.2  # default direction is a decrease
    back = pw.sample_size(p_control=0.2, p_treatment=m.p_treatment[0] - 1e-9, attrition=0.1)
    assert back.n_per_arm in (4999, 5000)
    assert pw.achieved_power(n_per_arm=5000, p_control=0.2, p_treatment=m.p_treatment[0],
                             attrition=0.1) == pytest.approx(0.8, abs=1e-6)


def test_result_prints_and_serialises():
    res = pw.sample_size(p_control=0.2, effect=-0.05, arms=3, attrition=0.1)
    out = res.to_dict()
    json.dumps(out)  # JSON-safe
    for key in ("n_per_arm", "n_total", "mde", "formulas", "achieved_power"):
        assert key in out
    assert out["mde"] == pytest.approx(0.05)
    assert out["n_total"] == 3 * out["n_per_arm"]
    words = str(res)
    assert "per arm" in words and "Formulas" in words and "Bonferroni" in words
    assert "<" in res._repr_html_()
    chart = res.plot()
    assert chart.png[:4] == b"\x89PNG" and "power" in chart.alt


def test_result_is_frozen():
    res = pw.sample_size(p_control=0.2, p_treatment=0.15)
    with pytest.raises(AttributeError):  # a frozen dataclass refuses assignment
        res.n_total = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(p_control=1.2, p_treatment=0.5), "p_control"),
        (dict(p_control=0.2), "p_treatment"),
        (dict(p_control=0.2, p_treatment=0.2), "p_treatment"),
        (dict(p_control=0.2, p_treatment=0.15, arms=1), "arms"),
        (dict(p_control=0.2, p_treatment=0.15, cluster_size=20), "icc"),
        (dict(p_control=0.2, p_treatment=0.15, attrition=1.0), "attrition"),
        (dict(p_control=0.2, p_treatment=0.15, ratio=[1, 0]), "ratio"),
        (dict(p_control=0.2, p_treatment=[0.15, 0.1], arms=2), "p_treatment"),
        (dict(outcome="count", p_control=0.2, p_treatment=0.1), "outcome"),
        (dict(outcome="continuous"), "effect"),
    ],
)
def test_bad_input_names_the_key(kwargs, key):
    with pytest.raises(SpecError) as info:
        pw.sample_size(**kwargs)
    assert info.value.key == key


def test_warns_when_normal_approximation_is_poor():
    res = pw.sample_size(p_control=0.02, p_treatment=0.3)
    assert res.check("normal_approximation").status == "warn"


def test_warns_with_few_clusters():
    res = pw.sample_size(outcome="continuous", effect=0.5, cluster_size=50, icc=0.01)
    assert res.check("few_clusters").status == "warn"


# -- simulation: the computed n gives the promised power ----------------------


def _binary_rejections(n: int, p0: float, p1: float, alpha: float, seeds: range) -> np.ndarray:
    """Pooled two-proportion z-test (no continuity correction) on trials simulated one per seed."""
    z = stats.norm.isf(alpha / 2)
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        x0, x1 = rng.binomial(n, p0), rng.binomial(n, p1)
        pbar = (x0 + x1) / (2 * n)
        se = math.sqrt(pbar * (1 - pbar) * 2 / n)
        out.append(abs(x1 / n - x0 / n) / se > z if se > 0 else False)
    return np.asarray(out)


def _t_rejections(n: int, delta: float, alpha: float, seeds: range) -> np.ndarray:
    """Two-sample equal-variance t-test on normal outcomes simulated one trial per seed."""
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        a, b = rng.normal(0, 1, n), rng.normal(delta, 1, n)
        out.append(stats.ttest_ind(b, a).pvalue < alpha)
    return np.asarray(out)


@pytest.mark.slow
def test_simulated_power_binary_at_computed_n():
    """Over 1,000 seeded trials at the computed n, the rejection rate is within 3 Monte Carlo SEs of 80%."""
    res = pw.sample_size(p_control=0.20, p_treatment=0.15)
    hits = _binary_rejections(res.n_per_arm, 0.20, 0.15, 0.05, range(1000))
    target = res.achieved_power[0]
    mcse = math.sqrt(target * (1 - target) / len(hits))
    assert abs(hits.mean() - target) < 3 * mcse


@pytest.mark.slow
def test_simulated_power_continuous_at_computed_n():
    """Noncentral t power is exact for normal data: rejection rate within 3 Monte Carlo SEs."""
    res = pw.sample_size(outcome="continuous", effect=0.5, sd=1, power=0.8)
    hits = _t_rejections(res.n_per_arm, 0.5, 0.05, range(1000))
    target = res.achieved_power[0]
    mcse = math.sqrt(target * (1 - target) / len(hits))
    assert abs(hits.mean() - target) < 3 * mcse


def test_different_effects_per_arm_sized_for_the_hardest():
    """Active arms aiming at -5 and -3 points: the -3 point comparison sets n, and is the mde."""
    both = pw.sample_size(p_control=0.2, p_treatment=[0.15, 0.17], arms=3)
    hardest = pw.sample_size(p_control=0.2, p_treatment=0.17, alpha=0.025)
    assert both.n_per_arm == hardest.n_per_arm
    assert both.mde == pytest.approx(0.03)
    assert min(both.achieved_power) == pytest.approx(hardest.achieved_power[0])
    assert both.achieved_power[0] > 0.99  # the easier comparison is over-powered


def test_mde_impossible_sample_is_a_clear_error():
    """With 20 people per arm and a 2% base rate no fall can reach 80% power."""
    with pytest.raises(SpecError) as info:
        pw.minimum_detectable_effect(n_per_arm=20, p_control=0.02)
    assert info.value.key == "n_per_arm" and "Increase the sample" in str(info.value)


def test_mde_design_effect_and_attrition_shrink_the_sample_alike():
    """Clusters of 10 with ICC 0.02 (design effect 1.18) leave 300 / 1.18 effective people per arm, as does
    attrition of 1 - 1/1.18; the clustered design also has only 30 + 30 - 2 = 58 degrees of freedom, so its
    detectable effect is a little larger, and both are larger than with neither."""
    clustered = pw.minimum_detectable_effect(outcome="continuous", n_per_arm=300, cluster_size=10, icc=0.02)
    attrited = pw.minimum_detectable_effect(outcome="continuous", n_per_arm=300, attrition=1 - 1 / 1.18)
    plain = pw.minimum_detectable_effect(outcome="continuous", n_per_arm=300)
    assert clustered.mde > attrited.mde > plain.mde
    assert clustered.mde == pytest.approx(attrited.mde, rel=0.02)
