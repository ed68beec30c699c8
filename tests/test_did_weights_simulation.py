"""Simulation checks of population-weighted comparison areas (``weight_column``).

Each study draws 1,000 seeded panels of areas with fixed populations and
fits them with the estimators :func:`whatworks.designs.did.fit` uses
(:data:`whatworks.designs.did.model.ESTIMATORS`), weighted by population as
the template does (weights scaled to mean 1), and unweighted:

- bias: the effect differs by area and grows with population; the weighted
  estimate is unbiased (within three Monte Carlo standard errors) for the
  population-weighted average effect over the treated area-periods, the
  unweighted estimate misses it by many standard errors - for one start
  date (two-way fixed effects) and for staggered starts (imputation);
- size: with no effect, the weighted restricted wild cluster bootstrap
  (:func:`whatworks.designs.did.inference.wild_p_value` on the weighted
  fit's influences and leverages, six treated of 24 areas whose populations
  differ tenfold, noisier in smaller areas) rejects at 5% in 3.6% to 6.4% of
  the 1,000 draws; and for counts (Poisson), of the draws the panel check
  accepts (three or more effective treated areas).

The bias and first size studies use a continuous rate (crimes per 1,000
residents), so least squares applies; the panels of all draws are drawn at
once.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from whatworks.designs.did.inference import wild_p_value
from whatworks.designs.did.model import ESTIMATORS, treated_cells
from whatworks.designs.did.panel import MIN_EFFECTIVE, effective_units

N_SIMS = 1000
N_PERIODS = 20
SEED = 20240401


def _draws(seed: int, start: np.ndarray, effect: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """``N_SIMS`` panels ``(sims, areas, periods)``: area and period effects, noise larger in smaller areas."""
    rng = np.random.default_rng(seed)
    g = start.size
    area = rng.normal(20, 3, (N_SIMS, g, 1))
    period = rng.normal(0, 1, (N_SIMS, 1, N_PERIODS))
    noise = rng.normal(0, 1, (N_SIMS, g, N_PERIODS)) * np.sqrt(pop.mean() / pop)[None, :, None]
    d = treated_cells(start, N_PERIODS)
    return area + period + noise + (effect[:, None] * d)[None]


def _study(start: np.ndarray, method: str) -> dict[str, float]:
    rng = np.random.default_rng(7)
    g = start.size
    pop = np.round(np.exp(rng.uniform(np.log(2_000), np.log(40_000), g)))
    effect = np.where(start < N_PERIODS, -0.5 - 2.0 * pop / pop.max(), 0.0)  # bigger areas, bigger falls
    d = treated_cells(start, N_PERIODS)
    cells = d.sum(1) * pop
    truth_weighted = float(np.sum(effect * cells) / cells.sum())
    truth_plain = float(np.sum(effect * d.sum(1)) / d.sum())
    y = _draws(SEED, start, effect, pop)
    est = ESTIMATORS[method]
    mask, offset, w = np.ones((g, N_PERIODS), bool), np.zeros((g, N_PERIODS)), pop / pop.mean()
    weighted = np.array([est(y[s], offset, mask, start, "gaussian", False, weights=w)["did"].estimate
                         for s in range(N_SIMS)])
    plain = np.array([est(y[s], offset, mask, start, "gaussian", False)["did"].estimate for s in range(N_SIMS)])
    return {"truth_weighted": truth_weighted, "truth_plain": truth_plain,
            "bias_weighted": float(weighted.mean() - truth_weighted),
            "mcse_weighted": float(weighted.std(ddof=1) / math.sqrt(N_SIMS)),
            "bias_plain": float(plain.mean() - truth_weighted),
            "mcse_plain": float(plain.std(ddof=1) / math.sqrt(N_SIMS))}


@pytest.mark.parametrize("method, start", [
    ("twfe", np.array([10] * 8 + [N_PERIODS] * 16)),
    ("imputation", np.array([8] * 4 + [13] * 4 + [N_PERIODS] * 16)),
])
def test_weighted_estimate_is_unbiased_for_the_population_weighted_effect(method, start):
    study = _study(start, method)
    assert abs(study["truth_weighted"] - study["truth_plain"]) > 0.1  # the two averages differ
    assert abs(study["bias_weighted"]) < 3 * study["mcse_weighted"], study
    assert abs(study["bias_plain"]) > 10 * study["mcse_plain"], study


def test_weighted_wild_cluster_bootstrap_has_its_size():
    g, n_treated = 24, 6
    start = np.array([10] * n_treated + [N_PERIODS] * (g - n_treated))
    rng = np.random.default_rng(11)
    pop = np.round(np.exp(rng.uniform(np.log(4_000), np.log(40_000), g)))
    y = _draws(SEED + 1, start, np.zeros(g), pop)
    mask, offset, w = np.ones((g, N_PERIODS), bool), np.zeros((g, N_PERIODS)), pop / pop.mean()
    assert MIN_EFFECTIVE <= effective_units(w[:n_treated], y[0][:n_treated], mask[:n_treated], "gaussian") < 4
    rejected = 0
    for s in range(N_SIMS):
        stat = ESTIMATORS["twfe"](y[s], offset, mask, start, "gaussian", True, weights=w)["did"]
        p = wild_p_value(stat.estimate, stat.influence, stat.leverage, seed=s, n_boot=399)
        rejected += p is not None and p < 0.05
    assert 0.036 <= rejected / N_SIMS <= 0.064, rejected / N_SIMS


def test_weighted_wild_cluster_bootstrap_of_counts_has_its_size_where_it_is_used():
    """Counts (Poisson), populations differing threefold: size among the draws the panel check accepts.

    A count's say in a Poisson fit grows with the count, so weighting by
    population gives large areas about the square of their size: with six
    treated areas whose populations differ tenfold the effective number of
    treated areas falls to about 2 and the bootstrap rejected a true null in
    about 9% of draws. The panel check refuses fewer than ``MIN_EFFECTIVE``
    (3); of the draws it accepts (1,000 or more of 1,150) the test rejects
    at 5% in 3.6-6.4%.
    """
    n_draws = 1150
    g, n_treated = 24, 6
    start = np.array([10] * n_treated + [N_PERIODS] * (g - n_treated))
    rng = np.random.default_rng(11)
    pop = np.round(np.exp(rng.uniform(np.log(4_000), np.log(12_000), g)))
    draw = np.random.default_rng(SEED + 2)
    mu = (pop / 1000)[None, :, None] * np.exp(draw.normal(0, 0.3, (n_draws, g, 1))
                                              + draw.normal(0, 0.1, (n_draws, 1, N_PERIODS)))
    y = draw.poisson(mu).astype(float)
    mask, offset, w = np.ones((g, N_PERIODS), bool), np.zeros((g, N_PERIODS)), pop / pop.mean()
    accepted = rejected = 0
    for s in range(n_draws):
        if effective_units(w[:n_treated], y[s][:n_treated], mask[:n_treated], "poisson") < MIN_EFFECTIVE:
            continue
        accepted += 1
        stat = ESTIMATORS["twfe"](y[s], offset, mask, start, "poisson", True, weights=w)["did"]
        p = wild_p_value(stat.estimate, stat.influence, stat.leverage, seed=s, n_boot=399)
        rejected += p is not None and p < 0.05
    assert accepted >= 1000
    assert 0.036 <= rejected / accepted <= 0.064, (accepted, rejected / accepted)
