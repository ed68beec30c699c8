"""Laney's p′ chart on simulated rates with a known truth.

A stable process whose true rate varies from month to month (beta-binomial,
as outcome rates do) with large denominators: the ordinary p chart flags
most months, p′ only about as many as three-sigma limits should (0.27% of
points for a normal process; a little more with limits estimated from 36
months). A process with no extra variation (binomial): σ_z is close to 1,
so p′ is the p chart.
"""

from __future__ import annotations

import numpy as np

from whatworks.designs.spc import laney

N_SIMS, MONTHS = 1000, 36


def _outside_share(x: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    """Share of points beyond p′ limits, beyond p-chart limits, and the mean σ_z."""
    beyond_laney = beyond_p = 0
    sigma_z = []
    for xs, ns in zip(x, n):
        chart = laney(xs, ns)
        beyond_laney += len(chart.outside)
        p = xs / ns
        half = 3 * np.sqrt(chart.centre * (1 - chart.centre) / ns)
        beyond_p += int(np.sum(np.abs(p - chart.centre) > half))
        sigma_z.append(chart.sigma_z)
    total = x.size
    return beyond_laney / total, beyond_p / total, float(np.mean(sigma_z))


def test_p_prime_flags_few_points_of_a_stable_overdispersed_process() -> None:
    rng = np.random.default_rng(2002)
    n = rng.poisson(4000, (N_SIMS, MONTHS)).astype(float)
    true = rng.beta(0.105 * 400, 0.895 * 400, (N_SIMS, MONTHS))  # month-to-month sd of the rate about 1.5 points
    x = rng.binomial(n.astype(int), true).astype(float)
    laney_share, p_share, sigma_z = _outside_share(x, n)
    assert p_share > 0.15  # the p chart calls ordinary months special
    assert laney_share < 0.01
    assert sigma_z > 2.5


def test_p_prime_is_the_p_chart_without_extra_variation() -> None:
    rng = np.random.default_rng(2003)
    n = rng.poisson(800, (N_SIMS, MONTHS)).astype(float)
    x = rng.binomial(n.astype(int), 0.3).astype(float)
    laney_share, p_share, sigma_z = _outside_share(x, n)
    assert abs(sigma_z - 1) < 0.05
    assert laney_share < 0.01 and p_share < 0.01
