"""Simulation checks of the difference-in-differences estimators at the two demo designs.

Each study runs 1,000 fixed seeds of a simulator in :mod:`whatworks.simulate.did`
and compares the headline estimate with the simulator's documented truth on
the model scale (log rate ratio). Bias is judged against three Monte Carlo
standard errors; coverage of the 95% interval must lie in [93.5%, 96.5%].

The headline is computed by the same functions :func:`whatworks.designs.did.fit`
uses (``build_panel`` and ``headline``); the event study, placebo in time and
displacement parts of ``fit`` are not needed here and are left out to keep
each study to a few seconds of CPU per 100 seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from whatworks.designs.did.inference import cluster_interval, headline, placebo_interval, regime_for, wild_p_value
from whatworks.designs.did.model import ESTIMATORS, PLACEBO_BATCH, design_rows
from whatworks.designs.did.panel import build_panel
from whatworks.designs.did.prevented import observed_after, prevented_from_ratio
from whatworks.simulate.did import hotspot, servator

SEEDS = range(1000)
SEED = 20240401
N_BOOT = 999


def _summary(errors: list[float], covered: list[bool]) -> dict:
    err = np.asarray(errors)
    return {"bias": float(err.mean()), "mcse": float(err.std(ddof=1) / math.sqrt(err.size)),
            "coverage": float(np.mean(covered))}


@pytest.fixture(scope="module")
def servator_study() -> dict:
    """The demo design: imputation estimator with the restricted wild cluster bootstrap."""
    errors, covered, prevented_covered = [], [], []
    for seed in SEEDS:
        series, truth = servator(seed)
        panel = build_panel(series, truth["treated_units"], truth["intervention_date"], None,
                            truth["buffer_units"], "count")
        out = headline(panel, seed=SEED, n_boot=N_BOOT)
        assert out.regime == "wild"
        est, target = out["did"], math.log(truth["did"])
        errors.append(est.estimate - target)
        covered.append(est.ci_low <= target <= est.ci_high)
        # Crimes prevented from the same inference; the truth is the expected difference
        # (means without minus with the deployments over the treated site-weeks).
        prevented = prevented_from_ratio("crimes_prevented", "", "", observed_after(panel)[0], est)
        prevented_covered.append(prevented.ci_low <= truth["crimes_prevented"] <= prevented.ci_high)
    study = _summary(errors, covered)
    study["prevented_coverage"] = float(np.mean(prevented_covered))
    return study


@pytest.mark.slow
def test_servator_interval_coverage(servator_study):
    assert 0.935 <= servator_study["coverage"] <= 0.965, servator_study


@pytest.mark.slow
def test_servator_crimes_prevented_interval_coverage(servator_study):
    # At least 93.5%: the interval is the rate ratio's carried through observed / RR - observed,
    # and the truth is the expected difference (means without minus with the deployments). It is
    # somewhat conservative here (about 97% over these seeds), as the wild cluster bootstrap is when
    # the treated units' effects differ (a ramp for four sites, a later, smaller effect for one).
    assert 0.935 <= servator_study["prevented_coverage"] <= 0.98, servator_study


@pytest.mark.slow
def test_servator_imputation_estimator_is_unbiased(servator_study):
    assert abs(servator_study["bias"]) < 3 * servator_study["mcse"], servator_study


#: The staggered design with effects that differ more by cohort and over time: the first
#: cohort's effect deepens over a year to a rate ratio of 0.5, the later site's is 0.9.
STRONG_DYNAMICS = {"full_effect": 0.5, "ramp_weeks": 52, "late_effect": 0.9}


@pytest.mark.slow
def test_plain_two_way_estimator_is_biased_under_staggered_starts_and_imputation_is_not():
    # Stated size: the plain two-way estimator overstates the log rate ratio (understates the
    # reduction) by more than 0.01, and by more than three Monte Carlo standard errors; the
    # imputation estimator's bias is under three. (At the demo design's milder effects the
    # two-way bias is about 0.003, too small to separate from zero reliably.)
    twfe, imputed = [], []
    for seed in SEEDS:
        series, truth = servator(seed, **STRONG_DYNAMICS)
        panel = build_panel(series, truth["treated_units"], truth["intervention_date"], None,
                            truth["buffer_units"], "count")
        rows, start = design_rows(panel)
        args = (panel.y[rows], panel.offset[rows], panel.mask[rows], start, "poisson")
        target = math.log(truth["did"])
        twfe.append(ESTIMATORS["twfe"](*args, influence=False)["did"].estimate - target)
        imputed.append(ESTIMATORS["imputation"](*args, influence=False)["did"].estimate - target)
    plain, ours = _summary(twfe, [True]), _summary(imputed, [True])
    assert plain["bias"] > 0.01 and plain["bias"] > 3 * plain["mcse"], plain
    assert abs(ours["bias"]) < 3 * ours["mcse"], ours


def _hotspot_study(n_comparison: int) -> dict:
    errors, covered = [], []
    for seed in SEEDS:
        series, truth = hotspot(seed, n_comparison=n_comparison)
        panel = build_panel(series, truth["treated_units"], truth["intervention_date"], None, None, "count")
        out = headline(panel, seed=SEED, n_boot=N_BOOT)
        assert out.regime == "placebo"
        est, target = out["did"], math.log(truth["did"])
        errors.append(est.estimate - target)
        covered.append(est.ci_low <= target <= est.ci_high)
    study = _summary(errors, covered)
    study["nominal"] = out["did"].coverage
    return study


@pytest.mark.slow
def test_hotspot_placebo_interval_coverage_and_bias():
    # 39 comparison streets: the [min, max] placebo interval covers with probability 38/40 = 95%.
    study = _hotspot_study(39)
    assert study["nominal"] == pytest.approx(0.95)
    assert 0.935 <= study["coverage"] <= 0.965, study
    assert abs(study["bias"]) < 3 * study["mcse"], study


@pytest.mark.slow
def test_hotspot_with_a_handful_of_streets_covers_as_the_exact_formula_says():
    # With M = 7 comparison streets no placebo interval can reach 95%: the widest, [min, max],
    # covers with probability (M - 1) / (M + 1) = 75%. Check the simulation agrees within
    # three binomial standard errors.
    study = _hotspot_study(7)
    expected = 6 / 8
    assert study["nominal"] == pytest.approx(expected)
    assert abs(study["coverage"] - expected) < 3 * math.sqrt(expected * (1 - expected) / len(SEEDS)), study
    assert abs(study["bias"]) < 3 * study["mcse"], study


def _one_treated_p_values(n_comparison: int, family: str, n_seeds: int = 1000, n_periods: int = 40,
                          start: int = 24) -> np.ndarray:
    """Placebo p-values of one treated unit with no effect, over ``n_seeds`` seeded panels.

    Units differ in level and share period shocks; counts are Poisson around
    20 a period, continuous outcomes have unit-variance noise. Each panel is
    run through the estimator and placebos that ``headline`` uses.
    """
    rng = np.random.default_rng(13)
    n = n_comparison + 1
    start_of = np.full(n, n_periods)
    start_of[0] = start
    fakes = np.full((n_comparison, n_comparison), n_periods)
    fakes[np.arange(n_comparison), np.arange(n_comparison)] = start
    offset, mask = np.zeros((n, n_periods)), np.ones((n, n_periods), bool)
    out = []
    for _ in range(n_seeds):
        unit, period = rng.normal(0, 0.5, (n, 1)), rng.normal(0, 0.2, (1, n_periods))
        if family == "poisson":
            y = rng.poisson(20 * np.exp(unit + period)).astype(float)
        else:
            y = unit + period + rng.normal(size=(n, n_periods))
        est = ESTIMATORS["single"](y, offset, mask, start_of, family, False)["did"].estimate
        placebos = PLACEBO_BATCH["single"](y[1:], offset[1:], mask[1:], fakes, family)["did"]
        out.append(placebo_interval(est, placebos).p_value)
    return np.asarray(out)


@pytest.mark.parametrize(("n_comparison", "family", "n_seeds"),
                         [(9, "gaussian", 3000), (19, "gaussian", 3000), (9, "poisson", 1000)])
def test_one_treated_unit_placebo_test_has_its_size(n_comparison, family, n_seeds):
    # With M placebos p takes the values k / (M + 1); p <= 0.10 has probability exactly 0.10 at
    # M = 9 and 19 when the treated unit's error is exchangeable with the placebos'. The placebos
    # share period effects fitted with themselves in them, which pulls them towards zero, so ranking
    # |estimate| among |placebos| rejected too often (0.12 for counts at M = 9 here, 0.13 and 0.12 in
    # the issue). Ranking distances from the mean of all the estimates: 0.100 and 0.095 over 5,000
    # continuous panels, 0.091 and 0.097 over 1,000 count panels. Continuous panels are fast, so
    # 3,000 seeds (Monte Carlo SE 0.0055); counts at M = 9 over 1,000 (about 4 s).
    p = _one_treated_p_values(n_comparison, family, n_seeds=n_seeds)
    rate = float(np.mean(p <= 0.10 + 1e-12))
    assert 0.08 <= rate <= 0.12, rate
    assert p.min() == pytest.approx(1 / (n_comparison + 1))


def _wild_size(n_treated: int, n_seeds: int = 1000, n_units: int = 40, n_periods: int = 30,
               start: int = 20, n_boot: int = 399) -> tuple[float, float]:
    """Rejection rates at 5% of the wild bootstrap and of CR1, with no effect.

    Poisson counts around 30 a period with unit sizes varying about twofold
    (log-normal, sd 0.7), unit and period effects and cell noise; the two-way
    estimator, as ``headline`` fits it with one start date.
    """
    rng = np.random.default_rng(20)
    start_of = np.full(n_units, n_periods)
    start_of[:n_treated] = start
    offset, mask = np.zeros((n_units, n_periods)), np.ones((n_units, n_periods), bool)
    wild, cr1 = [], []
    for seed in range(n_seeds):
        size = np.exp(rng.normal(0, 0.7, (n_units, 1)))
        eta = rng.normal(0, 0.5, (n_units, 1)) + rng.normal(0, 0.2, (1, n_periods))
        y = rng.poisson(30 * size * np.exp(eta + rng.normal(0, 0.1, (n_units, n_periods)))).astype(float)
        stat = ESTIMATORS["twfe"](y, offset, mask, start_of, "poisson", True)["did"]
        wild.append(wild_p_value(stat.estimate, stat.influence, stat.leverage, seed=seed, n_boot=n_boot) <= 0.05)
        cr1.append(cluster_interval(stat.estimate, stat.influence).p_value <= 0.05)
    return float(np.mean(wild)), float(np.mean(cr1))


@pytest.mark.parametrize("n_treated", [10, 20])
def test_wild_bootstrap_has_its_size_with_ten_to_twenty_treated_units(n_treated):
    # 10 and 20 treated of 40 units, 2,000 seeds each (Monte Carlo SE 0.005). Over 4,000 seeds the
    # bootstrap rejected 5.5% and 5.7%; CR1 with t(G-1), which used to run from 10 treated units,
    # 9.4% and 6.8%. Each study takes about 3 s.
    assert regime_for(n_treated) == "wild"
    wild, cr1 = _wild_size(n_treated, n_seeds=2000)
    assert 0.036 <= wild <= 0.064, wild
    if n_treated == 10:
        assert cr1 > 0.07, cr1  # why the bootstrap is used here
