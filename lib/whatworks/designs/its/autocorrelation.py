"""Autocorrelated errors of an interrupted time series: an AR(1) process seen through noise.

The working correlation ``corr(k) = c rho^k`` (Zeger 1988, *Biometrika*
75:621) of a series' Pearson residuals, estimated by restricted maximum
likelihood over a grid (:func:`ar1_noise_reml`), the Kalman-filter whitening
that makes each grid point cost O(n) (:func:`whiten`), and generalised
estimating equations with that working correlation (:func:`gee_ar1`). Many
series sharing one design are handled at once, which keeps the simulation
studies fast. :mod:`.model` calls these for ``autocorrelation: ar1``.

Examples
--------
>>> noise_corr(0.5, 0.6, 3).round(2).tolist()
[[1.0, 0.3, 0.18], [0.3, 1.0, 0.3], [0.18, 0.3, 1.0]]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["RHO_GRID", "SHARE_GRID", "noise_corr", "ar1_noise_reml", "gee_ar1", "whiten"]

#: The grid over which the AR(1) coefficient and the share of the variance it
#: carries are estimated (then refined by a parabola through the best point
#: and its neighbours on each axis).
RHO_GRID = np.round(np.arange(-0.3, 0.951, 0.05), 2)
SHARE_GRID = np.round(np.arange(0.05, 1.001, 0.05), 2)


def noise_corr(c: float, rho: float, n: int) -> NDArray[np.float64]:
    """Correlation of an AR(1) process seen through independent noise: ``c rho^|s-t|`` off the diagonal.

    >>> noise_corr(0.5, 0.6, 3).round(2).tolist()
    [[1.0, 0.3, 0.18], [0.3, 1.0, 0.3], [0.18, 0.3, 1.0]]
    """
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).astype(float)
    R = c * rho**lag
    np.fill_diagonal(R, 1.0)
    return np.asarray(R, dtype=float)


def _parabola(lo: NDArray[np.float64], mid: NDArray[np.float64], hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """Offset (in grid steps, within half a step) of the minimum of a parabola through three points."""
    curve = lo - 2 * mid + hi
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curve > 0, 0.5 * (lo - hi) / curve, 0.0)
    return np.asarray(np.clip(shift, -0.5, 0.5), dtype=float)


def _gains(c: NDArray[np.float64], rho: NDArray[np.float64], n: int
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kalman gains and innovation variances (``n`` x len(c)) of an AR(1) of variance ``c`` plus noise ``1 - c``."""
    gain, var = np.empty((n, len(c))), np.empty((n, len(c)))
    p = np.asarray(c, dtype=float).copy()
    for t in range(n):
        var[t] = p + (1 - c)
        gain[t] = p / var[t]
        p = rho**2 * p * (1 - gain[t]) + c * (1 - rho**2)
    return gain, var


def whiten(c: NDArray[np.float64], rho: NDArray[np.float64], Z: NDArray[np.float64]) -> NDArray[np.float64]:
    """``L^-1 Z`` for ``L`` the Cholesky factor of ``noise_corr(c, rho, n)``, by the Kalman filter.

    ``Z`` is ``n`` x S x m (S series, each with its own ``c`` and ``rho``);
    the standardised innovations of the filter are the Cholesky-whitened
    values, found in O(n) rather than O(n^3).
    """
    gain, var = _gains(c, rho, Z.shape[0])
    out = np.empty_like(Z, dtype=float)
    state = np.zeros(Z.shape[1:])
    r = rho[:, None]
    for t in range(Z.shape[0]):
        pred = r * state
        e = Z[t] - pred
        out[t] = e / np.sqrt(var[t])[:, None]
        state = pred + gain[t][:, None] * e
    return out


def _reml_grid(r: NDArray[np.float64], X: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """The REML criterion at every grid point (G x S), with X'R^-1 X (G x k x k), X'R^-1 r and the residual sums."""
    n, k = X.shape
    cc, rr = (g.ravel() for g in np.meshgrid(SHARE_GRID, RHO_GRID, indexing="ij"))
    gain, var = _gains(cc, rr, n)
    G, S = len(cc), r.shape[1]
    mX, mr = np.zeros((G, k)), np.zeros((G, S))
    XX, Xr, ss = np.zeros((G, k, k)), np.zeros((G, k, S)), np.zeros((G, S))
    col = rr[:, None]
    for t in range(n):
        pX, pr = col * mX, col * mr
        eX, er = X[t] - pX, r[t] - pr
        scale = 1 / np.sqrt(var[t])[:, None]
        wX, wr = eX * scale, er * scale
        XX += wX[:, :, None] * wX[:, None, :]
        Xr += wX[:, :, None] * wr[:, None, :]
        ss += wr * wr
        mX, mr = pX + gain[t][:, None] * eX, pr + gain[t][:, None] * er
    rss = ss - np.einsum("gks,gks->gs", Xr, np.linalg.solve(XX, Xr))
    obj = (0.5 * np.sum(np.log(var), axis=0)[:, None] + 0.5 * np.linalg.slogdet(XX)[1][:, None]
           + 0.5 * (n - k) * np.log(np.maximum(rss, 1e-300)))
    return obj, XX, Xr, rss


def ar1_noise_reml(resid: NDArray[np.float64], X: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Restricted maximum likelihood (REML) estimates of ``c`` and ``rho`` in ``corr(k) = c rho^k``.

    ``resid`` holds Pearson residuals, one series per column (or a single
    series). The REML criterion, with the scale profiled out, is
    ``log|R|/2 + log|X'R^-1 X|/2 + (n - k)/2 log(e'R^-1 e)``, ``e`` the GLS
    residuals of ``resid`` on ``X``: unlike the likelihood it allows for the
    coefficients being estimated, which removes most of the downward bias of
    an autocorrelation estimated around a trend and a break. It is minimised
    over ``RHO_GRID`` x ``SHARE_GRID`` (rho from -0.3 to 0.95, c from 0.05 to
    1, steps of 0.05), each axis then refined by a parabola, and rho is then
    raised by Kendall's (1954) small-sample bias, (1 + 3 rho) / n. At rho = 0
    on the grid ``c`` is returned as 0 (independence). The whitening is the
    Kalman filter's, so each grid point costs O(n); many series are
    estimated at once.

    The third value (S x k) is, for each coefficient, the factor by which a
    variance computed at the estimate should be multiplied to allow for the
    correlation being estimated (Kackar & Harville 1984): one plus the
    spread of the GLS coefficients of ``resid`` over the grid, weighted by
    the restricted likelihood, over their variance at the best grid point.
    """
    r = np.asarray(resid, dtype=float)
    r = r.reshape(len(r), -1)
    n, k = X.shape
    S = r.shape[1]
    crit, XX, Xr, rss = _reml_grid(r, X)
    obj = crit.reshape(len(SHARE_GRID), len(RHO_GRID), S)
    weight = np.exp(-(crit - crit.min(axis=0)))
    weight /= weight.sum(axis=0)
    invXX = np.linalg.inv(XX)
    b = np.einsum("gkl,gls->gsk", invXX, Xr)
    spread = np.einsum("gs,gsk->sk", weight, (b - np.einsum("gs,gsk->sk", weight, b)) ** 2)
    best = crit.argmin(axis=0)
    at_best = np.diagonal(invXX[best], axis1=1, axis2=2) * (rss[best, np.arange(S)] / max(n - k, 1))[:, None]
    inflate = 1 + spread / np.maximum(at_best, 1e-300)
    flat = obj.reshape(-1, S).argmin(axis=0)
    i, j = np.unravel_index(flat, obj.shape[:2])
    cols = np.arange(S)
    ii, jj = np.clip(i, 1, len(SHARE_GRID) - 2), np.clip(j, 1, len(RHO_GRID) - 2)
    dj = np.where(j == jj, _parabola(obj[i, jj - 1, cols], obj[i, jj, cols], obj[i, jj + 1, cols]), 0.0)
    di = np.where(i == ii, _parabola(obj[ii - 1, j, cols], obj[ii, j, cols], obj[ii + 1, j, cols]), 0.0)
    rho_hat = RHO_GRID[j] + 0.05 * dj
    c_hat = np.where(RHO_GRID[j] == 0, 0.0, np.minimum(SHARE_GRID[i] + 0.05 * di, 1.0))
    rho_hat = np.where(c_hat == 0, 0.0, np.minimum(rho_hat + (1 + 3 * rho_hat) / n, 0.98))
    return np.asarray(c_hat, dtype=float), np.asarray(rho_hat, dtype=float), np.asarray(inflate, dtype=float)


def _mean_parts(kind: str, eta: NDArray[np.float64], denominator: NDArray[np.float64] | None,
                alpha: NDArray[np.float64]
                ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Mean, its derivative by the linear predictor, and the working variance of each period."""
    if kind == "proportion":
        assert denominator is not None
        p = 1.0 / (1.0 + np.exp(-eta))
        v = denominator * p * (1 - p)
        return denominator * p, v, v
    if kind == "continuous":
        return eta, np.ones_like(eta), np.ones_like(eta)
    mu = np.exp(np.minimum(eta, 700.0))
    return mu, mu, mu + alpha * mu**2


def gee_ar1(kind: str, y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
            denominator: NDArray[np.float64] | None, start: NDArray[np.float64], c: NDArray[np.float64],
            rho: NDArray[np.float64], alpha: float = 0.0, scaled: bool = True,
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Generalised estimating equations with the working correlation ``noise_corr(c, rho)``.

    ``kind`` is ``count`` (log link, variance mu + alpha mu^2), ``proportion``
    (logit link, binomial variance) or ``continuous`` (identity: generalised
    least squares). ``y``, ``offset`` and ``denominator`` are ``n`` x S (S
    series sharing the design ``X``), ``start`` is S x k, ``c`` and ``rho``
    have one value a series. Fisher scoring from ``start``, each step halved
    (up to 30 times) until the estimating equations are finite and no more
    than twice as far from zero as before, so a poor start cannot make it
    diverge; a series has
    converged when no step is more than a millionth of its standard error. The covariance is
    the model-based one, scaled (``scaled``) by the Pearson chi-squared of
    the whitened residuals over n - k. Returns the coefficients (S x k),
    covariances (S x k x k) and the unwhitened Pearson residuals (n x S).
    """
    n, k = X.shape

    def parts(b: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        mean, d, v = _mean_parts(kind, X @ b.T + offset, denominator, np.asarray(alpha))
        sv = np.sqrt(np.maximum(v, 1e-300))
        pearson = (y - mean) / sv
        w = whiten(c, rho, np.concatenate([X[:, None, :] * (d / sv)[:, :, None], pearson[:, :, None]], axis=2))
        Xs, rs = w[:, :, :k], w[:, :, k]
        H, U = np.einsum("tsk,tsl->skl", Xs, Xs), np.einsum("tsk,ts->sk", Xs, rs)
        return H, U, rs, pearson, np.linalg.norm(U, axis=1)

    beta = np.asarray(start, dtype=float).copy()
    H, U, rs, pearson, size = parts(beta)
    for _ in range(50):
        step = np.linalg.solve(H, U[:, :, None])[:, :, 0]
        sd = np.sqrt(np.abs(np.diagonal(np.linalg.inv(H), axis1=1, axis2=2)))
        done = np.max(np.abs(step) / sd, axis=1) < 1e-6  # steps a millionth of a standard error
        if done.all():
            break
        step[done] = 0.0
        frac = np.ones(len(beta))
        for _ in range(30):
            trial = beta + frac[:, None] * step
            tH, tU, trs, tpearson, tsize = parts(trial)
            ok = done | (np.isfinite(tsize) & (tsize <= 2 * size + 1e-8))
            if ok.all():
                break
            frac = np.where(ok, frac, frac / 2)
        beta, H, U, rs, pearson, size = trial, tH, tU, trs, tpearson, tsize
    scale = np.sum(rs * rs, axis=0) / max(n - k, 1) if scaled else np.ones(len(beta))
    cov = np.linalg.inv(H) * scale[:, None, None]
    return beta, np.asarray(cov, dtype=float), np.asarray(pearson, dtype=float)
