"""Simulation check of the pooled pre-trend test under staggered starts.

Sixty units over twelve periods: 24 treated in three cohorts starting in
periods 3, 4 and 8 (so most have three or four periods before their start),
36 never treated; unit and period effects and normal noise, no effect
before the start. The pooled test (:func:`whatworks.designs.did.model.cohort_leads`,
:func:`~whatworks.designs.did.model.pretrend_stats`, then the wild cluster
bootstrap of the Wald statistic in :func:`~whatworks.designs.did.inference.joint_p`,
which ``fit`` uses whenever a covered cohort has 20 or fewer units: CR1 with
its F test rejects about 12% here, as each cohort's bins rest on its eight units)
should reject at 5% in 3.6-6.4% of 1,000 seeds under parallel trends, and
often under a linear trend in the treated units before their start.
"""

from __future__ import annotations

import numpy as np
import pytest

from whatworks.designs.did.inference import Analysis, joint_p
from whatworks.designs.did.model import cohort_leads, pretrend_stats

SEEDS = 1000
N_BOOT = 399
N_UNITS, N_PERIODS = 60, 12
STARTS = np.array([3] * 8 + [4] * 8 + [8] * 8 + [N_PERIODS] * 36)


def _p_values(slope: float) -> np.ndarray:
    """The pooled pre-trend p-value for each seed; ``slope`` is the treated units' pre-start trend per period."""
    leads = cohort_leads(STARTS, N_PERIODS, N_UNITS)
    names = [f"lead:{c}:{lo}:{hi}" for c, group in leads.items() for lo, hi in group]
    rng = np.random.default_rng(20240401)
    rel = np.arange(N_PERIODS)[None, :] - STARTS[:, None]
    trend = slope * np.where(STARTS[:, None] < N_PERIODS, np.minimum(rel, 0), 0)
    a = rng.normal(0, 1, (SEEDS, N_UNITS, 1))
    g = rng.normal(0, 0.5, (SEEDS, 1, N_PERIODS))
    y = a + g + trend[None] + rng.normal(0, 1, (SEEDS, N_UNITS, N_PERIODS))
    mask = np.ones((N_UNITS, N_PERIODS), bool)
    out = np.empty(SEEDS)
    for s in range(SEEDS):
        stats = pretrend_stats(y[s], np.zeros_like(y[s]), mask, STARTS, "gaussian", leads)
        p = joint_p(Analysis("wild", stats, {}), names, N_UNITS, seed=s, n_boot=N_BOOT)
        out[s] = np.nan if p is None else p
    return out


@pytest.mark.slow
def test_pooled_pre_trend_test_has_its_size_under_staggered_starts():
    leads = cohort_leads(STARTS, N_PERIODS, N_UNITS)
    assert sorted(leads) == [3, 4, 8]  # every cohort covered, though the earliest has three periods
    p = _p_values(0.0)
    assert np.isfinite(p).all()
    size = float(np.mean(p < 0.05))
    assert 0.036 <= size <= 0.064, size


@pytest.mark.slow
def test_pooled_pre_trend_test_has_power_against_a_linear_pre_trend():
    power = float(np.mean(_p_values(0.3) < 0.05))
    assert power > 0.8, power
