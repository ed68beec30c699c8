"""Simulation study of the trial estimators at the demo design (1,000 fixed seeds).

The simulator (:mod:`whatworks.simulate.rct`) builds in exact true effects, so
coverage and bias of the risk difference, risk ratio and complier effect can
be checked against known values: coverage of the 95% intervals must lie in
[93.5%, 96.5%] and the bias must be under three Monte Carlo standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from whatworks.designs import rct
from whatworks.designs.rct import model as eff
from whatworks.simulate import rct as sim

SEEDS = range(1000)
N = 20_000
MEASURES = ("risk_difference", "risk_ratio", "complier_effect")


def _estimates(a: dict) -> dict[tuple[str, str], eff.Contrast]:
    """The three estimators for each active arm, exactly as the analysis calls them."""
    keep = ~a["excluded"]
    y = a["repeat_victim"].astype(float)
    received = a["received"].astype(float)
    control = (a["arm"] == 0) & keep
    out = {}
    for code, arm in enumerate(sim.ARMS[1:], 1):
        treated = (a["arm"] == code) & keep
        out[(arm, "risk_difference")] = eff.risk_difference(y, treated, control)
        out[(arm, "risk_ratio")] = eff.risk_ratio(y, treated, control)
        out[(arm, "complier_effect")] = eff.complier_effect(y, received, treated, control)
    return out


@pytest.fixture(scope="module")
def study():
    draws: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for seed in SEEDS:
        for key, c in _estimates(sim.simulate_arrays(seed, N)).items():
            draws.setdefault(key, []).append((c.estimate, c.ci_low, c.ci_high))
    return {k: np.array(v) for k, v in draws.items()}


@pytest.mark.slow
@pytest.mark.parametrize("arm", sim.ARMS[1:])
@pytest.mark.parametrize("measure", MEASURES)
def test_coverage_and_bias(study, arm, measure):
    truth = sim.true_effects()[arm][measure]
    est, low, high = study[(arm, measure)].T
    coverage = float(np.mean((low <= truth) & (truth <= high)))
    assert 0.935 <= coverage <= 0.965, f"coverage {coverage:.3f}"
    bias = float(est.mean() - truth)
    mcse = float(est.std(ddof=1) / math.sqrt(est.size))
    assert abs(bias) < 3 * mcse, f"bias {bias:.5f}, MCSE {mcse:.5f}"


@pytest.mark.slow
def test_fit_reports_the_simulated_estimators():
    """fit() on the simulated file gives the same numbers as the estimators studied above."""
    seed = 7
    frame = sim.simulate_trial(seed, N)
    res = rct.fit(frame, id_column="victim_id", arm_column="arm", control_arm="bau_letter",
                  outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True,
                             "smallest_effect": 0.02, "source": "police_recorded"}],
                  received_column="received", exclusion_column="exclusion_reason",
                  intended_ratios={a: 1 for a in sim.ARMS})
    direct = _estimates(sim.simulate_arrays(seed, N))
    for (arm, measure), c in direct.items():
        e = res.estimate(f"repeat_victim.{measure}.{arm}")
        assert e.estimate == pytest.approx(c.estimate, rel=1e-12)
        assert e.ci_low == pytest.approx(c.ci_low, rel=1e-10)
        assert e.ci_high == pytest.approx(c.ci_high, rel=1e-10)


@pytest.mark.slow
def test_adjusted_marginal_risk_difference_coverage_smaller_study():
    """The standardised (covariate-adjusted) risk difference targets the same population effect.

    250 seeds only (each needs a logistic fit), so the coverage band is the
    99.9% binomial range around 95% for 250 draws.
    """
    truth = sim.true_effects()["advocate_call"]["risk_difference"]
    draws = []
    for seed in range(250):
        a = sim.simulate_arrays(seed, N)
        z = np.column_stack([a["age"], a["prior_victim"], a["vulnerable"]]
                            + [(a["fraud_type"] == k) for k in (1, 2, 3)]
                            + [(a["area"] == k) for k in (1, 2, 3)]).astype(float)
        c = eff.standardised(a["repeat_victim"].astype(float), a["arm"], 2, z, "logit", rows=~a["excluded"])
        draws.append((c["difference"].estimate, c["difference"].ci_low, c["difference"].ci_high))
    est, low, high = np.array(draws).T
    coverage = float(np.mean((low <= truth) & (truth <= high)))
    assert 0.905 <= coverage <= 0.995, f"coverage {coverage:.3f}"
    assert abs(est.mean() - truth) < 3 * est.std(ddof=1) / math.sqrt(est.size)
