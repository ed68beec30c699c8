"""Estimators for a randomised trial, on numpy arrays (no row-level Python).

Every estimator works through influence functions: for an arm mean
:math:`\\hat\\mu_a` the influence value of row *i* is
:math:`(y_i - \\hat\\mu_a)/n_a` for rows in arm *a* and 0 elsewhere, so the
variance of any smooth contrast is the sum of its squared influence values
(the delta method), and a cluster-robust variance sums them within clusters
first and multiplies by :math:`G/(G-1)` (the CR1 correction). Unclustered,
this reproduces the textbook Wald formulas exactly: the unpooled
two-proportion standard error, Katz's log risk-ratio and Woolf's log
odds-ratio standard errors.

Examples
--------
>>> import numpy as np
>>> y = np.array([1, 0, 0, 0, 1, 1, 0, 1], float)
>>> arm = np.array([1, 1, 1, 1, 0, 0, 0, 0])
>>> rd = risk_difference(y, arm == 1, arm == 0)
>>> round(rd.estimate, 2), round(rd.se, 4)
(-0.5, 0.3062)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from statsmodels.stats.multitest import multipletests

__all__ = [
    "Contrast",
    "arm_mean",
    "risk_difference",
    "risk_ratio",
    "odds_ratio",
    "rate_ratio",
    "mean_difference",
    "standardised",
    "complier_effect",
    "subgroup_differences",
    "holm",
    "Design",
]

_Z = stats.norm.ppf(0.975)

FloatArray = NDArray[np.floating[Any]]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class Contrast:
    """One contrast between two arms with its 95% interval.

    ``scale`` is ``difference`` or ``ratio``; for ratios ``se`` is on the log
    scale. ``df`` is the degrees of freedom of a t interval (``None`` for z).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: str = "difference"
    df: float | None = None
    extra: tuple[tuple[str, float], ...] = ()

    @overload
    def get(self, key: str) -> float | None: ...
    @overload
    def get(self, key: str, default: float) -> float: ...
    @overload
    def get(self, key: str, default: float | None) -> float | None: ...

    def get(self, key: str, default: float | None = None) -> float | None:
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class Design:
    """Cluster codes (0..G-1) or ``None``, shared by every estimator."""

    clusters: NDArray[np.integer[Any]] | None = None

    @property
    def n_clusters(self) -> int | None:
        return None if self.clusters is None else _count(self.clusters)

    def variance(self, influence: FloatArray) -> float:
        """Variance from influence values (CR1 when clustered)."""
        if self.clusters is None:
            return float(np.sum(influence * influence))  # not np.dot: threaded BLAS is slow for vectors
        sums = np.bincount(self.clusters, weights=influence, minlength=_count(self.clusters))
        g = sums.size
        return float(np.sum(sums * sums)) * g / max(g - 1, 1)

    def covariance(self, influence: FloatArray) -> FloatArray:
        """Covariance matrix from an (n, k) array of influence values."""
        if self.clusters is None:
            return influence.T @ influence
        k = influence.shape[1]
        g = _count(self.clusters)
        sums = np.stack([np.bincount(self.clusters, weights=influence[:, j], minlength=g) for j in range(k)], 1)
        return (sums.T @ sums) * g / max(g - 1, 1)

    def t_df(self) -> float | None:
        """Degrees of freedom for t intervals when clustered (G - 1), else ``None``."""
        return None if self.clusters is None else float(_count(self.clusters) - 1)


def _count(clusters: NDArray[np.integer[Any]]) -> int:
    """The number of clusters G, from codes 0..G-1."""
    return int(clusters.max()) + 1


_PLAIN = Design()


def arm_mean(y: FloatArray, mask: Mask) -> tuple[float, FloatArray]:
    """The mean of ``y`` over ``mask`` and its influence values.

    >>> m, inf = arm_mean(np.array([1., 3., 5.]), np.array([True, True, False]))
    >>> m, inf.tolist()
    (2.0, [-0.5, 0.5, 0.0])
    """
    n = int(mask.sum())
    if n == 0:
        return math.nan, np.zeros(y.size)
    mu = float(y[mask].mean())
    influence = np.where(mask, y - mu, 0.0) / n
    return mu, influence


def _interval(est: float, se: float, df: float | None, scale: str,
              extra: Iterable[tuple[str, float]] = ()) -> Contrast:
    if not (math.isfinite(est) and math.isfinite(se)) or se <= 0:
        return Contrast(est, se, math.nan, math.nan, math.nan, scale, df, tuple(extra))
    crit = _Z if df is None else stats.t.ppf(0.975, df)
    stat = est / se
    p = 2 * (stats.norm.sf(abs(stat)) if df is None else stats.t.sf(abs(stat), df))
    est, se = float(est), float(se)
    low, high = est - float(crit) * se, est + float(crit) * se
    if scale == "ratio":
        return Contrast(math.exp(est), se, math.exp(low), math.exp(high), float(p), scale, df, tuple(extra))
    return Contrast(est, se, low, high, float(p), scale, df, tuple(extra))


def risk_difference(y: FloatArray, treated: Mask, control: Mask, design: Design = _PLAIN) -> Contrast:
    """Risk (or mean) difference, treated minus control; Wald z interval.

    Unclustered the standard error is
    :math:`\\sqrt{p_1(1-p_1)/n_1 + p_0(1-p_0)/n_0}` (unpooled).
    """
    m1, i1 = arm_mean(y, treated)
    m0, i0 = arm_mean(y, control)
    inf = i1 - i0
    return _interval(m1 - m0, math.sqrt(design.variance(inf)), design.t_df(), "difference",
                     (("treated", m1), ("control", m0)))


def _log_ratio(m1: float, i1: FloatArray, m0: float, i0: FloatArray, design: Design,
               extra: tuple[tuple[str, float], ...]) -> Contrast:
    if not (m1 > 0 and m0 > 0):
        return Contrast(math.nan, math.nan, math.nan, math.nan, math.nan, "ratio", None, extra)
    inf = i1 / m1 - i0 / m0
    return _interval(math.log(m1 / m0), math.sqrt(design.variance(inf)), design.t_df(), "ratio", extra)


def risk_ratio(y: FloatArray, treated: Mask, control: Mask, design: Design = _PLAIN) -> Contrast:
    """Risk ratio with a Wald interval on the log scale (Katz when unclustered).

    Withheld (NaN) when either arm has no events.
    """
    m1, i1 = arm_mean(y, treated)
    m0, i0 = arm_mean(y, control)
    return _log_ratio(m1, i1, m0, i0, design, (("treated", m1), ("control", m0)))


def rate_ratio(y: FloatArray, treated: Mask, control: Mask, design: Design = _PLAIN) -> Contrast:
    """Ratio of mean counts, Wald interval on the log scale.

    The variance comes from the observed spread of the counts (robust to
    over-dispersion), not from a Poisson assumption.
    """
    return risk_ratio(y, treated, control, design)


def odds_ratio(y: FloatArray, treated: Mask, control: Mask, design: Design = _PLAIN) -> Contrast:
    """Odds ratio with a Wald interval on the log scale (Woolf when unclustered)."""
    m1, i1 = arm_mean(y, treated)
    m0, i0 = arm_mean(y, control)
    extra = (("treated", m1), ("control", m0))
    if not (0 < m1 < 1 and 0 < m0 < 1):
        return Contrast(math.nan, math.nan, math.nan, math.nan, math.nan, "ratio", None, extra)
    est = math.log(m1 / (1 - m1)) - math.log(m0 / (1 - m0))
    inf = i1 / (m1 * (1 - m1)) - i0 / (m0 * (1 - m0))
    return _interval(est, math.sqrt(design.variance(inf)), design.t_df(), "ratio", extra)


def mean_difference(y: FloatArray, treated: Mask, control: Mask, design: Design = _PLAIN) -> Contrast:
    """Welch mean difference, treated minus control, with a t interval.

    Unclustered: sample variances (divisor n - 1) and Welch–Satterthwaite
    degrees of freedom. Clustered: CR1 cluster-robust variance with G - 1
    degrees of freedom.
    """
    if design.clusters is not None:
        return risk_difference(y, treated, control, design)
    a, b = y[treated], y[control]
    n1, n0 = a.size, b.size
    m1, m0 = float(a.mean()), float(b.mean())
    v1 = float(a.var(ddof=1)) / n1 if n1 > 1 else math.nan
    v0 = float(b.var(ddof=1)) / n0 if n0 > 1 else math.nan
    se = math.sqrt(v1 + v0)
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1)) if se > 0 else None
    return _interval(m1 - m0, se, df, "difference", (("treated", m1), ("control", m0)))


# -- covariate adjustment ---------------------------------------------------

_LINKS: dict[str, tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]] = {
    # name: (inverse link, derivative of the mean with respect to eta)
    "logit": (lambda eta: 1 / (1 + np.exp(-eta)), lambda mu: mu * (1 - mu)),
    "log": (np.exp, lambda mu: mu),
    "identity": (lambda eta: eta, lambda mu: np.ones_like(mu)),
}


def _fit_glm(x: FloatArray, y: FloatArray, link: str, max_iter: int = 30) -> tuple[FloatArray, bool]:
    """Canonical-link GLM by Newton–Raphson (iteratively reweighted least squares)."""
    inv, dmu = _LINKS[link]
    beta = np.zeros(x.shape[1])
    ybar = float(y.mean())
    if (link == "logit" and not 0 < ybar < 1) or (link == "log" and ybar <= 0):
        return beta, False
    if link == "logit":
        beta[0] = math.log(ybar / (1 - ybar))
    elif link == "log":
        beta[0] = math.log(ybar)
    for _ in range(max_iter):
        mu = inv(x @ beta)
        w = dmu(mu)
        hess = (x * w[:, None]).T @ x
        step = np.linalg.solve(hess, x.T @ (y - mu))
        beta = beta + step
        if link == "identity" or float(np.max(np.abs(step))) < 1e-9:
            return beta, bool(np.all(np.isfinite(beta)))
    return beta, False


def _independent_columns(x: FloatArray, tol: float = 1e-9) -> NDArray[np.int_]:
    """Indices of columns to keep so that none is a linear combination of earlier ones.

    The intercept and the arm indicator (the first two columns) come first, so
    they are always kept; constant or duplicated covariates are dropped.

    >>> _independent_columns(np.array([[1., 0, 2, 4], [1, 1, 3, 6], [1, 0, 5, 10]])).tolist()
    [0, 1, 2]
    """
    gram = x.T @ x
    scale = np.sqrt(np.clip(np.diag(gram), 1e-300, None))
    corr = gram / np.outer(scale, scale)
    keep: list[int] = []
    for j in range(x.shape[1]):
        trial = keep + [j]
        if np.linalg.eigvalsh(corr[np.ix_(trial, trial)]).min() > tol:
            keep = trial
    return np.asarray(keep)


def standardised(y: FloatArray, arm_codes: NDArray[np.integer[Any]], active: int, covariates: FloatArray,
                 link: str, design: Design = _PLAIN, rows: Mask | None = None) -> dict[str, Contrast] | None:
    """Covariate-adjusted marginal (standardised) contrasts for one active arm.

    Fits a canonical-link GLM of ``y`` on the arm (indicator for ``active``
    against control code 0) and ``covariates`` among the rows of both arms,
    predicts every such row's mean under each arm and averages (g-computation).
    Returns ``difference`` and ``ratio`` contrasts with sandwich
    (influence-function) intervals, or ``None`` when the model cannot be fitted.
    """
    keep = (arm_codes == active) | (arm_codes == 0)
    if rows is not None:
        keep &= rows
    yk = y[keep]
    t = (arm_codes[keep] == active).astype(float)
    z = covariates[keep]
    n = yk.size
    x = np.column_stack([np.ones(n), t, z])
    x = x[:, _independent_columns(x)]
    try:
        beta, ok = _fit_glm(x, yk, link)
    except np.linalg.LinAlgError:
        return None
    if not ok:
        return None
    inv, dmu = _LINKS[link]
    eta = x @ beta
    fitted = inv(eta)
    hess = (x * dmu(fitted)[:, None]).T @ x / n
    try:
        bread = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    resid = (yk - fitted) / n
    means: dict[str, float] = {}
    infs: dict[str, FloatArray] = {}
    for label, tv in (("treated", 1.0), ("control", 0.0)):
        mu_a = inv(eta + (tv - t) * beta[1])
        m = float(mu_a.mean())
        w_a = dmu(mu_a)
        d = x.T @ w_a / n  # mean derivative of the prediction with respect to beta
        d[1] = tv * float(w_a.mean())
        means[label] = m
        infs[label] = (mu_a - m) / n + (x @ (bread @ d)) * resid
    sub = Design(None if design.clusters is None else np.unique(design.clusters[keep], return_inverse=True)[1])
    m1, m0, i1, i0 = means["treated"], means["control"], infs["treated"], infs["control"]
    extra = (("treated", m1), ("control", m0))
    diff = _interval(m1 - m0, math.sqrt(sub.variance(i1 - i0)), sub.t_df(), "difference", extra)
    ratio = _log_ratio(m1, i1, m0, i0, sub, extra)
    return {"difference": diff, "ratio": ratio}


# -- complier effect ----------------------------------------------------------


def complier_effect(y: FloatArray, received: FloatArray, treated: Mask, control: Mask,
                    design: Design = _PLAIN) -> Contrast:
    """Wald (instrumental-variable) complier effect: ITT on ``y`` over ITT on receipt.

    ``received`` must already be 0 in the control arm. The delta-method
    influence value is :math:`(\\phi_Y - \\theta\\,\\phi_D)/\\Delta_D`. The
    first-stage F statistic, :math:`(\\Delta_D/\\mathrm{se})^2`, is returned
    in ``extra`` as ``first_stage_f`` with the receipt difference
    ``first_stage``.
    """
    my1, iy1 = arm_mean(y, treated)
    my0, iy0 = arm_mean(y, control)
    md1, id1 = arm_mean(received, treated)
    md0, id0 = arm_mean(received, control)
    first = md1 - md0
    inf_d = id1 - id0
    se_d = math.sqrt(design.variance(inf_d))
    f_stat = (first / se_d) ** 2 if se_d > 0 else math.inf
    extra = (("first_stage", first), ("first_stage_f", f_stat))
    if first == 0:
        return Contrast(math.nan, math.nan, math.nan, math.nan, math.nan, "difference", None, extra)
    theta = (my1 - my0) / first
    inf = ((iy1 - iy0) - theta * inf_d) / first
    return _interval(theta, math.sqrt(design.variance(inf)), design.t_df(), "difference", extra)


# -- subgroups and multiplicity -------------------------------------------------


def subgroup_differences(y: FloatArray, treated: Mask, control: Mask, levels: NDArray[np.integer[Any]],
                         design: Design = _PLAIN
                         ) -> tuple[list[tuple[int, Contrast, int, int]], float, float]:
    """Differences (treated minus control) within each subgroup level, and an interaction test.

    ``levels`` holds integer codes (negative = not in any level). The
    interaction test is a Wald test that all the level differences are equal
    (on the difference scale), using their joint (cluster-robust when
    clustered) covariance; returns ``(rows, chi2, p)`` where each row is
    ``(code, contrast, n_treated, n_control)``.
    """
    rows: list[tuple[int, Contrast, int, int]] = []
    infs: list[FloatArray] = []
    ests: list[float] = []
    for code in np.unique(levels[levels >= 0]):
        inlevel = levels == code
        t, c = treated & inlevel, control & inlevel
        n1, n0 = int(t.sum()), int(c.sum())
        if n1 == 0 or n0 == 0:
            continue
        m1, i1 = arm_mean(y, t)
        m0, i0 = arm_mean(y, c)
        inf = i1 - i0
        rows.append((int(code), _interval(m1 - m0, math.sqrt(design.variance(inf)), design.t_df(),
                                          "difference", (("treated", m1), ("control", m0))), n1, n0))
        infs.append(inf)
        ests.append(m1 - m0)
    if len(ests) < 2:
        return rows, math.nan, math.nan
    cov = design.covariance(np.column_stack(infs))
    k = len(ests)
    contrast = np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])
    d = contrast @ np.asarray(ests)
    try:
        chi2 = float(d @ np.linalg.solve(contrast @ cov @ contrast.T, d))
    except np.linalg.LinAlgError:
        return rows, math.nan, math.nan
    return rows, chi2, float(stats.chi2.sf(chi2, k - 1))


def holm(p_values: list[float]) -> list[float]:
    """Holm step-down adjusted p-values (NaN stays NaN), by statsmodels' ``multipletests``.

    Only the finite p-values form the family; a missing one (NaN or None) is
    neither adjusted nor counted.

    >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, float)
    out = np.full(p.size, math.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out.tolist()
