"""Interrupted time series: interval coverage and bias over 1,000 seeded series.

The demo design: weekly thefts, two years (104 weeks) before the plan and one
year (52 weeks) after, a yearly season of about ±15%, a baseline of 60 a week
and a true level ratio of 0.8. Each series is fitted with the defaults of
:func:`whatworks.designs.its.fit` (quasi-Poisson, automatic seasonality, level
and slope change), exactly as a report would.
"""

from __future__ import annotations

import numpy as np
import pytest

from whatworks.designs import its
from whatworks.simulate.its import simulate_counts

SEEDS = range(1000)
TRUE_RATIO = 0.8


def _study(dispersion: float) -> tuple[float, float, float, set[str]]:
    covered, errors, used = 0, [], set()
    for seed in SEEDS:
        series, truth = simulate_counts(seed, n_pre=104, n_post=52, freq="week", baseline=60.0,
                                        level_ratio=TRUE_RATIO, seasonal_amplitude=0.15,
                                        dispersion=dispersion)
        res = its.fit(series, intervention_date=truth["intervention_date"])
        used.add(res.seasonality)
        head = res.headline
        covered += head.ci_low <= TRUE_RATIO <= head.ci_high
        errors.append(np.log(head.estimate) - truth["log_level_ratio"])
    errors = np.asarray(errors)
    mc_se = errors.std(ddof=1) / np.sqrt(len(errors))
    return covered / len(errors), float(errors.mean()), float(mc_se), used


@pytest.mark.slow
@pytest.mark.parametrize("dispersion", [1.0, 2.5], ids=["poisson", "overdispersed"])
def test_level_change_interval_covers_and_is_unbiased(dispersion):
    coverage, bias, mc_se, used = _study(dispersion)
    assert used == {"fourier"}
    assert 0.935 <= coverage <= 0.965, f"coverage {coverage:.3f}"
    assert abs(bias) < 3 * mc_se, f"bias {bias:.4f}, Monte Carlo SE {mc_se:.4f}"


def test_crimes_prevented_interval_covers_the_expected_difference():
    """Crimes prevented over 52 weeks after the start, over-dispersed counts (variance 2 x mean).

    True value: the expected difference given the true model, the counterfactual
    means minus the means with the intervention, summed over the weeks after
    the start (``-truth["total_effect"]``); the effect at the end is the same
    difference in the last week.
    """
    covered = covered_end = 0
    errors = []
    for seed in SEEDS:
        series, truth = simulate_counts(seed, n_pre=104, n_post=52, freq="week", baseline=60.0,
                                        level_ratio=TRUE_RATIO, seasonal_amplitude=0.15, dispersion=2.0)
        res = its.fit(series, intervention_date=truth["intervention_date"])
        true_total = float(np.sum(truth["counterfactual"][104:] - truth["expected"][104:]))
        true_end = float(truth["counterfactual"][-1] - truth["expected"][-1])
        est, end = res.estimate("crimes_prevented"), res.estimate("crimes_prevented_end")
        covered += est.ci_low <= true_total <= est.ci_high
        covered_end += end.ci_low <= true_end <= end.ci_high
        errors.append(est.estimate - true_total)
    n = len(SEEDS)
    assert 0.935 <= covered / n <= 0.965, f"coverage {covered / n:.3f}"
    assert 0.935 <= covered_end / n <= 0.965, f"coverage at the end {covered_end / n:.3f}"
    e = np.asarray(errors)
    assert abs(e.mean()) < 3 * e.std(ddof=1) / np.sqrt(n), f"bias {e.mean():.2f}"


def test_percentage_point_change_interval_covers_the_true_change():
    """The change in percentage points over 24 months after the start, from a rising baseline rate.

    True value: the mean over the months after the start of the true rate
    minus the rate the same model gives without the change (equal
    denominators, so the weighted and plain means agree).
    """
    from whatworks.simulate.its import simulate_proportions

    trend, base = 0.005, 0.135
    t = np.arange(60, dtype=float)
    p0 = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + trend * t)))
    covered, errors = 0, []
    for seed in SEEDS:
        series, truth = simulate_proportions(seed, n_pre=36, n_post=24, baseline=base, trend=trend,
                                             level_odds_ratio=1.2, denominator=400)
        res = its.fit(series, intervention_date=truth["intervention_date"], outcome_type="proportion",
                      seasonality="none", improvement="increase")
        est = res.headline
        assert est.name == "percentage_point_change" and res.estimate("level_change").headline is False
        true_points = 100 * float(np.mean(truth["probability"][36:] - p0[36:]))
        covered += est.ci_low <= true_points <= est.ci_high
        errors.append(est.estimate - true_points)
    n = len(SEEDS)
    assert 0.935 <= covered / n <= 0.965, f"coverage {covered / n:.3f}"
    e = np.asarray(errors)
    assert abs(e.mean()) < 3 * e.std(ddof=1) / np.sqrt(n), f"bias {e.mean():.3f}"
