"""Two-way fixed-effects models on a balanced unit-by-period panel.

The panel is held as ``units x periods`` arrays. The model is

    g(mean_it) = offset_it + a_i + g_t + sum_k b_k x_kit

with a log link and Poisson quasi-likelihood for counts, or the identity
link and least squares for continuous outcomes. Only cells where ``mask`` is
true enter the fit. Newton steps solve the normal equations by eliminating
the period effects (a diagonal block) and solving the small unit-plus-slope
system, so a fit costs a few passes over the panel rather than a large dense
solve.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> a, g = rng.normal(4, 0.3, 30), rng.normal(0, 0.2, 40)
>>> x = np.zeros((30, 40)); x[:10, 20:] = 1
>>> y = rng.poisson(np.exp(a[:, None] + g[None, :] + np.log(0.8) * x))
>>> fit = fit_fe(y.astype(float), np.ones_like(x, bool), [x], family="poisson")
>>> bool(abs(np.exp(fit.beta[0]) - 0.8) < 0.05)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["FEFit", "FAMILIES", "fit_fe", "fe_project", "slope_influence", "imputation"]

_TOL = 1e-7
_MAX_ITER = 60


@dataclass(frozen=True)
class _Family:
    """A link and variance: how means and Newton weights follow from eta."""

    name: str
    log_link: bool

    def mean(self, eta: np.ndarray) -> np.ndarray:
        return np.exp(np.minimum(eta, 700.0)) if self.log_link else eta

    def weight(self, mu: np.ndarray) -> np.ndarray:
        return mu if self.log_link else np.ones_like(mu)

    def loss(self, y: np.ndarray, mu: np.ndarray, mask: np.ndarray, weights: np.ndarray | float = 1.0) -> float:
        if self.log_link:
            with np.errstate(divide="ignore", invalid="ignore"):
                term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0) - (y - mu)
            return float(2 * np.sum((weights * term)[mask]))
        return float(np.sum((weights * (y - mu) ** 2)[mask]))


#: The two model families, by the ``outcome_type`` that uses them.
FAMILIES: dict[str, _Family] = {
    "poisson": _Family("poisson", log_link=True),
    "gaussian": _Family("gaussian", log_link=False),
}


@dataclass(frozen=True)
class FEFit:
    """A fitted two-way fixed-effects model.

    Attributes
    ----------
    beta
        Slopes on the covariates (log scale for Poisson).
    unit_fe, period_fe
        Fixed effects; ``nan`` for units or periods with no information.
    mu
        Fitted means for every cell (also outside the mask).
    mask
        Cells actually used (the given mask less cells without information).
    weight
        Newton weights at the solution (``mu`` for Poisson, 1 otherwise), 0
        outside the mask.
    xt
        Covariates with the fixed effects partialled out (weighted), shape
        ``(k, units, periods)``.
    bread
        Inverse of ``sum w * xt xt'``: the model-based covariance of ``beta``
        up to scale.
    """

    family: str
    beta: np.ndarray
    unit_fe: np.ndarray
    period_fe: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    mask: np.ndarray
    weight: np.ndarray
    resid: np.ndarray
    xt: np.ndarray
    bread: np.ndarray
    converged: bool


def _active(y: np.ndarray, mask: np.ndarray, log_link: bool) -> np.ndarray:
    """Drop cells of units or periods that carry no information."""
    mask = mask.copy()
    while True:
        rows, cols = np.asarray(mask.any(1)), np.asarray(mask.any(0))
        if log_link:
            ysum = np.where(mask, y, 0.0)
            rows &= ysum.sum(1) > 0
            cols &= ysum.sum(0) > 0
        new: NDArray[np.bool_] = mask & rows[:, None] & cols[None, :]
        if (new == mask).all():
            return new
        mask = new


def _solve(w: np.ndarray, xs: np.ndarray, ga: np.ndarray, gg: np.ndarray, gb: np.ndarray,
           rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Newton direction for (units, periods, slopes) by eliminating periods."""
    k = xs.shape[0]
    full = bool(rows.all() and cols.all())
    wr = w if full else w[rows][:, cols]
    xr = xs if full else xs[:, rows][:, :, cols]
    dg = wr.sum(0)
    da = wr.sum(1)
    n = wr.shape[0]
    wx = xr * wr[None]
    hab = wx.sum(2).T  # (n, k)
    hgb = wx.sum(1).T  # (t, k)
    hbb = np.einsum("kit,lit->kl", wx, xr) if k else np.zeros((0, 0))
    inv_dg = 1.0 / dg
    # Schur complement on (a, b): [[diag(da), hab], [hab', hbb]] - L diag(1/dg) L'
    lmat = np.concatenate([wr, hgb.T], axis=0) if k else wr  # (n + k, t)
    s = -(lmat * inv_dg[None, :]) @ lmat.T
    s[:n, :n] += np.diag(da)
    if k:
        s[:n, n:] += hab
        s[n:, :n] += hab.T
        s[n:, n:] += hbb
    rhs = np.concatenate([ga[rows], gb]) - lmat @ (gg[cols] * inv_dg)
    # pin the first unit effect (the level is shared with the periods)
    sol = np.zeros(n + k)
    sol[1:] = np.linalg.solve(s[1:, 1:], rhs[1:])
    d_a = sol[:n]
    d_b = sol[n:]
    d_g = (gg[cols] - lmat.T @ sol) * inv_dg
    full_a = np.zeros(w.shape[0])
    full_g = np.zeros(w.shape[1])
    full_a[rows] = d_a
    full_g[cols] = d_g
    return full_a, full_g, d_b


def fe_project(z: np.ndarray, w: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Residuals of ``z`` (shape ``(m, units, periods)``) after weighted two-way FE.

    >>> import numpy as np
    >>> z = np.add.outer(np.arange(3.0), np.arange(4.0))[None]
    >>> bool(np.allclose(fe_project(z, np.ones((3, 4)), np.ones((3, 4), bool)), 0))
    True
    """
    w = np.where(mask, w, 0.0)
    rows, cols = np.asarray(mask.any(1)), np.asarray(mask.any(0))
    out = np.zeros_like(z, dtype=float)
    empty = np.zeros((0, *w.shape))
    for j in range(z.shape[0]):
        r = np.where(mask, w * z[j], 0.0)
        da, dg, _ = _solve(w, empty, r.sum(1), r.sum(0), np.zeros(0), rows, cols)
        out[j] = np.where(mask, z[j] - da[:, None] - dg[None, :], 0.0)
    return out


def fit_fe(y: np.ndarray, mask: np.ndarray, xs: Sequence[np.ndarray] = (), *,
           family: str = "poisson", offset: np.ndarray | None = None, influence: bool = True,
           weights: np.ndarray | None = None) -> FEFit:
    """Fit the two-way fixed-effects model on the cells in ``mask``.

    Parameters
    ----------
    y
        Outcomes, ``(units, periods)``; values outside ``mask`` are ignored.
    mask
        Cells that enter the fit.
    xs
        Covariates, each ``(units, periods)``.
    family
        ``"poisson"`` (log link) or ``"gaussian"`` (identity link).
    offset
        Added to the linear predictor (log exposure for counts).
    influence
        Whether to compute what inference needs (``xt``, ``bread``); point
        estimates alone are cheaper.
    weights
        Cell weights (more than 0), e.g. population: each cell's score and
        Newton weight are multiplied by its weight, as in weighted least
        squares; ``resid`` is then the weighted residual.
    """
    fam = FAMILIES[family]
    y = np.asarray(y, float)
    offset = np.zeros_like(y) if offset is None else np.asarray(offset, float)
    x = np.array(xs, float).reshape(len(xs), *y.shape)
    mask = _active(np.where(np.isfinite(y), y, 0.0), mask & np.isfinite(y), fam.log_link)
    keep = np.array([bool(np.any(xk[mask] != 0)) for xk in x], bool)
    x_used = x[keep]
    rows, cols = np.asarray(mask.any(1)), np.asarray(mask.any(0))
    k = x_used.shape[0]
    ym = np.where(mask, y, 0.0)
    cw = np.ones_like(y) if weights is None else np.where(mask, np.asarray(weights, float), 0.0)
    if fam.log_link:
        rs = ym.sum(1)
        cs = ym.sum(0)
        a = np.where(rows, np.log(np.where(rows, rs, 1.0) / max(mask.sum(1).max(), 1)), 0.0)
        g = np.where(cols, np.log(np.where(cols, cs, 1.0) / max(rs[rows].mean(), 1e-12)), 0.0)
        g -= np.mean(offset[mask]) if mask.any() else 0.0
    else:
        a = np.zeros(y.shape[0])
        g = np.zeros(y.shape[1])
    b = np.zeros(k)
    eta = offset + a[:, None] + g[None, :] + np.tensordot(b, x_used, 1) if k else offset + a[:, None] + g[None, :]
    mu = fam.mean(eta)
    loss = None
    converged = False
    for _ in range(_MAX_ITER):
        w = np.where(mask, cw * fam.weight(mu), 0.0)
        r = np.where(mask, cw * (ym - mu), 0.0)
        gb = np.einsum("kit,it->k", x_used, r) if k else np.zeros(0)
        da, dg, db = _solve(w, x_used, r.sum(1), r.sum(0), gb, rows, cols)
        deta = da[:, None] + dg[None, :] + (np.tensordot(db, x_used, 1) if k else 0.0)
        step = 1.0
        if fam.log_link and np.max(np.abs(deta[mask]), initial=0) > 1:
            # a long step: halve it until the deviance does not rise
            loss = fam.loss(ym, mu, mask, cw) if loss is None else loss
            while step > 1e-4:
                loss1 = fam.loss(ym, fam.mean(eta + step * deta), mask, cw)
                if loss1 <= loss:
                    break
                step /= 2
            loss = loss1
        else:
            loss = None
        a, g, b = a + step * da, g + step * dg, b + step * db
        eta = eta + step * deta
        mu = fam.mean(eta)
        change = max(np.max(np.abs(step * da), initial=0), np.max(np.abs(step * db), initial=0),
                     np.max(np.abs(step * dg), initial=0))
        if change < _TOL or not fam.log_link:
            converged = True
            break
    w = np.where(mask, cw * fam.weight(mu), 0.0)
    xt = fe_project(x_used, w, mask) if (k and influence) else np.zeros((k, *y.shape))
    info = np.einsum("kit,lit->kl", xt * w[None], xt) if k else np.zeros((0, 0))
    bread = np.linalg.pinv(info) if k else info
    beta = np.full(x.shape[0], np.nan)
    beta[keep] = b
    xt_full = np.zeros_like(x)
    xt_full[keep] = xt
    bread_full = np.full((x.shape[0], x.shape[0]), np.nan)
    idx = np.flatnonzero(keep)
    bread_full[np.ix_(idx, idx)] = bread
    return FEFit(
        family=family,
        beta=beta,
        unit_fe=np.where(rows, a, np.nan),
        period_fe=np.where(cols, g, np.nan),
        eta=eta,
        mu=mu,
        mask=mask,
        weight=w,
        resid=np.where(mask, cw * (ym - mu), 0.0),
        xt=xt_full,
        bread=bread_full,
        converged=converged,
    )


def slope_influence(fit: FEFit) -> np.ndarray:
    """Per-unit influence of each slope, shape ``(units, k)``.

    ``beta_hat - beta`` is approximately the sum of the rows; the
    cluster-robust variance is the sum of their outer products.
    """
    scores = np.einsum("kit,it->ik", np.nan_to_num(fit.xt), fit.resid)
    bread = np.nan_to_num(fit.bread)
    influence: NDArray[np.float64] = scores @ bread
    return influence


def imputation(y: np.ndarray, fit: FEFit, treated: np.ndarray, offset: np.ndarray | None = None,
               influence: bool = True) -> tuple[float, np.ndarray, np.ndarray]:
    """Aggregate effect on ``treated`` cells imputed from an untreated-only fit.

    For counts the effect is ``log(sum observed / sum imputed)``; for
    continuous outcomes the mean of ``observed - imputed``. Returns the
    estimate, its per-unit influence (the linearisation of the estimate in
    the outcomes, including the estimation error of the imputed
    counterfactual) and each unit's share of the treated cells' weight
    (imputed counts, or cell counts), which sums to 1.
    """
    fam = FAMILIES[fit.family]
    offset = np.zeros_like(y) if offset is None else offset
    ok = treated & np.isfinite(fit.unit_fe)[:, None] & np.isfinite(fit.period_fe)[None, :]
    eta0 = offset + np.nan_to_num(fit.unit_fe)[:, None] + np.nan_to_num(fit.period_fe)[None, :]
    m0 = fam.mean(eta0)
    if not ok.any():
        return float("nan"), np.zeros(y.shape[0]), np.zeros(y.shape[0])
    yt = np.where(ok, y, 0.0)
    # gradient of the aggregate counterfactual with respect to (a, g)
    dm = np.where(ok, m0 if fam.log_link else 1.0, 0.0)
    rows, cols = np.asarray(fit.mask.any(1)), np.asarray(fit.mask.any(0))
    if influence:
        va, vg, _ = _solve(fit.weight, np.zeros((0, *y.shape)), dm.sum(1), dm.sum(0), np.zeros(0), rows, cols)
        untreated_part = np.where(fit.mask, fit.resid * (va[:, None] + vg[None, :]), 0.0).sum(1)
    else:
        untreated_part = np.zeros(y.shape[0])
    if fam.log_link:
        s0 = float(np.sum(np.where(ok, m0, 0.0)))
        tau = float(yt.sum() / s0)
        treated_part = np.where(ok, yt - tau * m0, 0.0).sum(1) / tau
        share = np.where(ok, m0, 0.0).sum(1) / s0
        return float(np.log(tau)), (treated_part - untreated_part) / s0, share
    n = float(ok.sum())
    est = float(np.sum(np.where(ok, y - m0, 0.0)) / n)
    treated_part = np.where(ok, y - m0 - est, 0.0).sum(1)
    return est, (treated_part - untreated_part) / n, ok.sum(1) / n

