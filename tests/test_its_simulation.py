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
