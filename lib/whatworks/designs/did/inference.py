"""Inference for difference-in-differences estimates, by number of treated units.

Every estimator in :mod:`whatworks.designs.did.model` returns an
estimate on the model scale (log rate ratio, or a difference) and its
per-unit influence: the estimate's error is, to first order, the sum of the
units' influences. Three regimes turn that into an interval and p-value:

``cluster``  (21 or more treated units)
    Cluster-robust by unit, CR1: variance ``G/(G-1) * sum_g IF_g^2`` with
    ``G`` the number of units in the fit, and t(G-1) quantiles.
``wild``  (2 to 20 treated units)
    Restricted wild cluster bootstrap-t of the linearised estimate with
    Webb's six-point weights and jackknife (CV3) variances (WCR33 in the
    terms of MacKinnon, Nielsen and Webb, 2023); the interval inverts the
    bootstrap test. With few treated units the plain CR1 variance is too
    small and too variable; the jackknife corrects the first and the
    bootstrap the second. When treated units' effects differ, the interval
    is conservative (the units' residuals include the differences).
``placebo``  (one treated unit)
    Placebo in space: treatment re-assigned to each comparison unit in
    turn. The p-value ranks the treated estimate's distance from the mean
    of all the estimates among the placebos' distances from it; the interval subtracts the placebo estimates' order
    statistics from the treated estimate (Conley and Taber, 2011).

With unit weights (a population per area, ``Panel.weights``) each unit's
influence is that of the weighted fit (its score multiplied by its weight),
so the cluster-robust variance and the wild cluster bootstrap, which work
on the influences, are weighted too; placebo in space, which compares
single units, has no weighted form and is refused. The regime then
follows the effective number of treated units
(:func:`.panel.effective_units`: each unit's weight times its total count,
or its number of periods), not their count, as a few large areas weighted
heavily carry most of the estimate.

Examples
--------
>>> import numpy as np
>>> inf = np.array([0.01, -0.02, 0.015, -0.005, 0.0, 0.01])
>>> out = cluster_interval(-0.2, inf)
>>> bool(out.ci_low < -0.2 < out.ci_high)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ... import text
from ...errors import SpecError
from .model import ESTIMATORS, PLACEBO_BATCH, Stat, design_rows, estimator_for
from .panel import Panel, effective_units

__all__ = ["Inference", "REGIMES", "regime_for", "cluster_interval", "wild_interval", "wild_p_value", "wild_wald_p",
           "placebo_interval", "webb_weights", "Runner", "Analysis", "analyse", "headline", "joint_p"]

_ALPHA = 1 - text.LEVEL

#: Regime names and the sentence the method notes use for each ({unit}, {units}, {treated} and
#: {comparison}: the places in words, filled by :func:`.words.method_notes`).
REGIMES: dict[str, str] = {
    "cluster": (
        "Intervals are cluster-robust by {unit} (CR1: the sandwich variance multiplied by G/(G-1), "
        "G the number of {units}) with t quantiles on G-1 degrees of freedom."
    ),
    "wild": (
        "Intervals and p-values come from a restricted wild cluster bootstrap-t by {unit}, because there "
        "are few {treated}: the standard error is the cluster jackknife (CV3, (G-1)/G times the sum "
        "of squared leave-one-out changes, from the linearised estimate); to test a value of the "
        "effect, the {units}' influences are moved to that value, perturbed with Webb's six-point weights, "
        "refitted and re-studentised (WCR33 of MacKinnon, Nielsen and Webb, 2023). The p-value tests no "
        "effect; the interval holds every value the test does not reject at 5%. When the effects at the "
        "{treated} differ, the interval is conservative."
    ),
    "placebo": (
        "With one {unit} where it ran, the start is given to each comparison {unit} in turn "
        "(placebo in space). The p-value is the rank of the real estimate's distance from the mean "
        "of all the estimates (real and placebo) among the placebos' distances from it; the "
        "interval subtracts the placebo estimates' extreme order statistics from the real "
        "estimate (Conley and Taber), so its coverage is fixed by the number of {comparison}."
    ),
}


@dataclass(frozen=True)
class Inference:
    """An interval and p-value on the model scale, with how they were made."""

    regime: str
    estimate: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    coverage: float | None = None
    n_placebo: int | None = None


#: The most treated units analysed with the wild cluster bootstrap; more use CR1.
WILD_MAX = 20


def regime_for(n_treated: int) -> str:
    """The inference regime for a number of treated units.

    The wild cluster bootstrap runs up to 20 treated units: from 10 to 20
    of 40 units CR1 with t(G-1) still rejects a true null too often
    (about 9% at 10 treated), the bootstrap about 5%.

    >>> regime_for(21), regime_for(12), regime_for(5), regime_for(1)
    ('cluster', 'wild', 'wild', 'placebo')
    """
    if n_treated > WILD_MAX:
        return "cluster"
    if n_treated >= 2:
        return "wild"
    return "placebo"


def cluster_interval(estimate: float, influence: np.ndarray) -> Inference:
    """CR1 cluster-robust interval with t(G-1) quantiles (G = units with influence)."""
    g = int(influence.shape[0])
    se = math.sqrt(g / (g - 1) * float(np.sum(influence**2))) if g > 1 else float("nan")
    if not (se > 0):
        return Inference("cluster", estimate, None, None, None, None)
    q = float(stats.t.ppf(1 - _ALPHA / 2, g - 1))
    p = float(2 * stats.t.sf(abs(estimate) / se, g - 1))
    return Inference("cluster", estimate, se, estimate - q * se, estimate + q * se, p)


def webb_weights(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Webb's six-point weights: +-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6."""
    points = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
    return points[rng.integers(0, 6, size=shape)]


def _wild_test(estimate: float, influence: np.ndarray, leverage: np.ndarray, *, seed: int,
               n_boot: int) -> tuple[float, Callable[[float], float]] | None:
    """The jackknife standard error and the bootstrap p-value of "effect = theta0" as a function.

    ``None`` when there is no variance to studentise by (fewer than two units, or all influences zero).
    """
    g = influence.shape[0]
    if g < 2:
        return None
    scale = (g - 1) / g
    adj = 1.0 / np.clip(1.0 - leverage, 1e-6, None)
    se = math.sqrt(scale * float(np.sum((influence * adj) ** 2)))
    if not (se > 0):
        return None
    e = webb_weights(np.random.default_rng(seed), (n_boot, g))

    def p_at(theta0: float) -> float:
        pert = e * ((influence + leverage * (estimate - theta0)) * adj)[None, :]
        shift = pert.sum(1)
        refit = (pert - leverage[None, :] * shift[:, None]) * adj[None, :]
        se_b = np.sqrt(scale * np.sum(refit**2, axis=1))
        t_b = np.abs(shift) / np.where(se_b > 0, se_b, np.inf)
        return float((1 + np.sum(t_b >= abs(estimate - theta0) / se)) / (n_boot + 1))

    return se, p_at


def wild_p_value(estimate: float, influence: np.ndarray, leverage: np.ndarray, *, seed: int,
                 n_boot: int) -> float | None:
    """The p-value of :func:`wild_interval` alone (no interval), for size studies.

    >>> inf = np.array([0.03, -0.02, -0.01, 0.01, -0.005, 0.004, -0.006])
    >>> lev = np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0])
    >>> wild_p_value(-0.2, inf, lev, seed=1, n_boot=999) == wild_interval(-0.2, inf, lev, seed=1, n_boot=999).p_value
    True
    """
    test = _wild_test(estimate, influence, leverage, seed=seed, n_boot=n_boot)
    return None if test is None else test[1](0.0)


def wild_interval(estimate: float, influence: np.ndarray, leverage: np.ndarray, *,
                  seed: int, n_boot: int) -> Inference:
    """Restricted wild cluster bootstrap-t with jackknife (CV3) variances.

    Parameters
    ----------
    influence
        Per-unit influence of the estimate.
    leverage
        Each unit's share ``h_g`` in the effect's own fit (the treated units'
        shares sum to 1). Deleting unit ``g`` moves the estimate by about
        ``-IF_g / (1 - h_g)``, so the jackknife variance is
        ``(G-1)/G * sum_g (IF_g / (1 - h_g))^2``.

    Notes
    -----
    To test "effect = theta0", each unit's influence is first moved to what
    it would be had the effect been ``theta0`` (``IF_g + h_g (estimate -
    theta0)``); each draw multiplies the jackknife-scaled influences by Webb
    weights ``e_g``, refits the effect (unit ``g``'s influence becomes
    ``e_g r_g - h_g * sum_h e_h r_h``) and recomputes the jackknife t
    statistic. The p-value compares ``|t|`` with the draws; the interval is
    every ``theta0`` not rejected at 5%, found by bisection. The same draws
    are used for every ``theta0``.

    >>> inf = np.array([0.03, -0.02, -0.01, 0.01, -0.005, 0.004, -0.006])
    >>> lev = np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0])
    >>> out = wild_interval(-0.2, inf, lev, seed=1, n_boot=999)
    >>> bool(out.ci_low < -0.2 < out.ci_high), out.regime
    (True, 'wild')
    """
    test = _wild_test(estimate, influence, leverage, seed=seed, n_boot=n_boot)
    if test is None:
        return Inference("wild", estimate, None, None, None, None)
    se, p_at = test

    def edge(direction: float) -> float | None:
        inside, outside = estimate, estimate + 2.5 * direction * se
        for _ in range(30):
            if p_at(outside) < _ALPHA:
                break
            inside, outside = outside, estimate + 2 * (outside - estimate)
        else:
            return None
        for _ in range(60):
            if abs(outside - inside) <= 1e-3 * se:
                break
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if p_at(mid) >= _ALPHA else (inside, mid)
        return (inside + outside) / 2

    return Inference("wild", estimate, se, edge(-1.0), edge(1.0), p_at(0.0))


def wild_wald_p(estimates: np.ndarray, influence: np.ndarray, leverage: np.ndarray, *, seed: int,
                n_boot: int) -> float | None:
    """Wild cluster bootstrap p-value for the joint hypothesis that all ``estimates`` are zero.

    A restricted wild cluster bootstrap (WCR) of the Wald statistic: the
    statistic uses the jackknife (CV3) covariance of the coefficients; the
    bootstrap perturbs the influences the units would have if the
    coefficients were zero (each moved by ``leverage * estimate``), refits
    and recomputes the statistic in the same way. ``influence`` and
    ``leverage`` are ``(units, coefficients)``.

    >>> rng = np.random.default_rng(0)
    >>> inf = rng.normal(0, 0.01, (12, 2)); lev = np.zeros((12, 2)); lev[:4] = 0.25
    >>> 0 < wild_wald_p(np.array([0.0, 0.001]), inf, lev, seed=1, n_boot=199) <= 1
    True
    """
    g, q = influence.shape
    if g < 2 or q == 0:
        return None
    adj = 1.0 / np.clip(1.0 - leverage, 1e-6, None)
    jack = influence * adj
    cov = jack.T @ jack * (g - 1) / g
    wald = float(estimates @ np.linalg.pinv(cov) @ estimates)
    e = webb_weights(np.random.default_rng(seed), (n_boot, g))
    restricted = (influence + leverage * estimates[None, :]) * adj
    pert = e[:, :, None] * restricted[None]
    shift = pert.sum(1)
    refit = (pert - leverage[None] * shift[:, None, :]) * adj[None]
    cov_b = np.einsum("bgi,bgj->bij", refit, refit) * (g - 1) / g
    wald_b = np.einsum("bi,bij,bj->b", shift, np.linalg.pinv(cov_b), shift)
    return float((1 + np.sum(wald_b >= wald * (1 - 1e-12))) / (n_boot + 1))


def placebo_interval(estimate: float, placebos: np.ndarray) -> Inference:
    """Placebo-in-space p-value and Conley–Taber interval.

    With ``M`` placebo estimates exchangeable with the treated unit's error,
    the interval ``[estimate - e_(M+1-k), estimate - e_(k)]`` (order
    statistics of the placebos) covers the true effect with probability
    ``(M + 1 - 2k) / (M + 1)``; ``k = max(1, floor(0.025 (M + 1)))``, so 39
    placebos give exactly 95% and fewer give less.

    >>> out = placebo_interval(-0.3, np.linspace(-0.1, 0.1, 39))
    >>> round(out.coverage, 3), round(out.ci_low, 2), round(out.ci_high, 2)
    (0.95, -0.4, -0.2)
    """
    placebos = np.sort(np.asarray(placebos, float)[np.isfinite(placebos)])
    m = placebos.size
    if m == 0:
        return Inference("placebo", estimate, None, None, None, None, None, 0)
    k = max(1, int(math.floor(_ALPHA / 2 * (m + 1))))
    coverage = (m + 1 - 2 * k) / (m + 1) if m >= 2 else 0.0
    # The p-value ranks each estimate's distance from the mean of all m + 1 (a centre shared by the
    # treated unit and the placebos), not from zero: the placebos are measured against period
    # effects fitted with themselves in them, so they sit closer to zero than the treated unit's
    # error would under no effect, and ranking |estimate| against |placebo| rejected too often.
    centre = (estimate + float(placebos.sum())) / (m + 1)
    p = (1 + int(np.sum(np.abs(placebos - centre) >= abs(estimate - centre) - 1e-12))) / (m + 1)
    low = float(estimate - placebos[m - k]) if m >= 2 else None
    high = float(estimate - placebos[k - 1]) if m >= 2 else None
    return Inference("placebo", estimate, None, low, high, min(p, 1.0), coverage, m)


#: Maps (y, offset, mask, start, influence) for the design's rows to named statistics.
Runner = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool], dict[str, Stat]]


#: Maps (y, offset, mask, starts) with one start vector per row of ``starts`` to
#: each statistic's estimates.
Batch = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]


def _placebo_estimates(runner: Runner, y: np.ndarray, offset: np.ndarray, mask: np.ndarray,
                       start: np.ndarray, batch: Batch | None) -> dict[str, np.ndarray]:
    """Each comparison unit in turn given the treated unit's start, the others as controls."""
    n_periods = y.shape[1]
    treated = np.flatnonzero(start < n_periods)
    controls = np.flatnonzero(start >= n_periods)
    fakes = np.full((controls.size, controls.size), n_periods, int)
    fakes[np.arange(controls.size), np.arange(controls.size)] = start[treated[0]]
    if batch is not None:
        return batch(y[controls], offset[controls], mask[controls], fakes)
    out: dict[str, list[float]] = {}
    for fake in fakes:
        stats = runner(y[controls], offset[controls], mask[controls], fake, False)
        for name, stat in stats.items():
            out.setdefault(name, []).append(stat.estimate)
    return {k: np.array(v) for k, v in out.items()}


@dataclass(frozen=True)
class Analysis:
    """Statistics, their inference, and (one treated unit) the placebo estimates."""

    regime: str
    stats: dict[str, Stat]
    inference: dict[str, Inference]
    placebos: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Inference:
        return self.inference[name]


def analyse(panel: Panel, rows: np.ndarray, start: np.ndarray, runner: Runner, *, seed: int,
            n_boot: int, batch: Batch | None = None) -> Analysis:
    """Statistics from ``runner`` on ``rows`` with intervals for the number of treated rows."""
    y, offset, mask = panel.y[rows], panel.offset[rows], panel.mask[rows]
    stats = runner(y, offset, mask, start, True)
    treated = start < y.shape[1]
    if panel.weights is None:
        regime = regime_for(int(np.sum(treated)))
    else:  # weighted: by the effective number of treated units, which a few large areas can make small
        regime = regime_for(int(effective_units(panel.weights[rows][treated], y[treated], mask[treated],
                                                panel.family)))
    if regime == "placebo" and panel.weights is not None:
        raise SpecError("cannot be used with one treated unit", key="weight_column",
                        hint="Placebo in space compares single units and has no weighted form: remove "
                             "weight_column for an unweighted analysis.")
    if regime == "placebo":
        placebos = _placebo_estimates(runner, y, offset, mask, start, batch)
        inf = {k: placebo_interval(s.estimate, placebos.get(k, np.array([]))) for k, s in stats.items()}
        return Analysis(regime, stats, inf, placebos)
    if regime == "cluster":
        return Analysis(regime, stats, {k: cluster_interval(s.estimate, s.influence) for k, s in stats.items()})
    inf = {
        k: wild_interval(s.estimate, s.influence, s.leverage, seed=seed, n_boot=n_boot)
        for k, s in stats.items()
    }
    return Analysis(regime, stats, inf)


def headline(panel: Panel, *, seed: int, n_boot: int, method: str | None = None) -> Analysis:
    """The headline effect (and cohort effects when staggered) with inference."""
    rows, start = design_rows(panel)
    method = method or estimator_for(start, panel.n_periods)
    est = ESTIMATORS[method]
    weights = panel.row_weights(rows)

    def runner(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, st: np.ndarray,
               influence: bool) -> dict[str, Stat]:
        return est(y, offset, mask, st, panel.family, influence, weights=weights)

    fast = PLACEBO_BATCH.get(method)

    def batch(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> dict[str, np.ndarray]:
        assert fast is not None  # batch is passed on only when the method has a batch estimator
        return fast(y, offset, mask, starts, panel.family)

    return analyse(panel, rows, start, runner, seed=seed, n_boot=n_boot,
                   batch=batch if fast is not None else None)


def joint_p(out: Analysis, names: list[str], n_units: int, *, seed: int, n_boot: int) -> float | None:
    """Joint test that the named statistics are all zero, in the regime's own way.

    A Wald F test with the CR1 covariance (``cluster``), a wild cluster
    bootstrap of the Wald statistic (``wild``), or the rank of the summed
    squared estimates among the placebos' (``placebo``).
    """
    b = np.array([out.stats[n].estimate for n in names])
    if b.size == 0 or not np.all(np.isfinite(b)):
        return None
    if out.regime == "placebo":
        stat = float(np.sum(b**2))
        plac = np.sum(np.vstack([out.placebos[n] for n in names]) ** 2, axis=0)
        plac = plac[np.isfinite(plac)]
        return float((1 + np.sum(plac >= stat)) / (plac.size + 1)) if plac.size else None
    inf = np.column_stack([out.stats[n].influence for n in names])
    if out.regime == "wild":
        lev = np.column_stack([out.stats[n].leverage for n in names])
        return wild_wald_p(b, inf, lev, seed=seed, n_boot=n_boot)
    cov = n_units / (n_units - 1) * inf.T @ inf
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        return None
    wald = float(b @ np.linalg.pinv(cov) @ b)
    return float(stats.f.sf(wald / rank, rank, n_units - 1))
