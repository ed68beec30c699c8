"""The segmented-regression model of an interrupted time series: the numbers.

Periods counted on the calendar of :mod:`whatworks.dates` (steps, the period
containing a date), the design matrix (intercept, trend, season, level and
slope terms), the three model families (counts, proportions, continuous) and
the Ljung–Box statistic. Yearly series (``year``, ``financial_year``) have no
season.
:mod:`.inference` turns a fitted model into estimates with intervals.

Examples
--------
>>> import pandas as pd
>>> periods = pd.date_range("2022-01-01", periods=36, freq="MS")
>>> d = build_design(periods, "month", first_post=24, first_after_end=None,
...                  seasonality="fourier", fourier_pairs=2, slope_change=True)
>>> d.names
('intercept', 'trend', 'sin1', 'cos1', 'sin2', 'cos2', 'level', 'slope')
>>> d.n_baseline
6
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import optimize
from statsmodels.stats.diagnostic import acorr_ljungbox

from ...dates import FREQS, PERIODS_PER_YEAR

__all__ = [
    "SEASONALITIES",
    "FAMILIES",
    "Design",
    "ModelFit",
    "period_steps",
    "period_containing",
    "build_design",
    "newey_west_lags",
    "RHO_GRID",
    "SHARE_GRID",
    "noise_corr",
    "ar1_noise_reml",
    "gee_ar1",
    "whiten",
    "ljung_box",
]

def period_steps(periods: pd.Series | pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Whole periods since the first period, counting the first as 1.

    Counted on the calendar, so a gap in the data leaves a gap in the trend.

    >>> period_steps(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-04-01"]), "month")
    array([1, 2, 4])
    >>> period_steps(pd.to_datetime(["2015-04-01", "2016-04-01", "2018-04-01"]), "financial_year")
    array([1, 2, 4])
    """
    p = pd.DatetimeIndex(periods)
    if freq in ("day", "week"):
        steps = (p - p[0]).days // int(FREQS[freq].days)
    else:
        months = (p.year - p[0].year) * 12 + (p.month - p[0].month)
        steps = months // (12 // PERIODS_PER_YEAR[freq])
    return np.asarray(steps, dtype=int) + 1


def period_containing(periods: pd.Series | pd.DatetimeIndex, freq: str, date: pd.Timestamp) -> int | None:
    """Position of the period whose span contains ``date`` (None if outside).

    >>> period_containing(pd.date_range("2024-01-01", periods=3, freq="MS"), "month",
    ...                   pd.Timestamp("2024-02-15"))
    1
    """
    p = pd.DatetimeIndex(periods)
    ends = p + FREQS[freq].step
    inside = np.flatnonzero((p <= date) & (date < ends))
    if inside.size:
        return int(inside[0])
    # A date in a gap between periods starts the next period.
    later = np.flatnonzero(p > date)
    if later.size and date >= p[0]:
        return int(later[0])
    return None


# -- seasonality -------------------------------------------------------------
def _season_none(periods: pd.DatetimeIndex, freq: str, pairs: int) -> dict[str, np.ndarray]:
    return {}


def _season_position(periods: pd.DatetimeIndex, freq: str) -> tuple[np.ndarray, float]:
    if freq == "month":
        return np.asarray(periods.month, dtype=float), 12.0
    if PERIODS_PER_YEAR[freq] == 4:  # calendar or financial quarters: the same periods
        return np.asarray(periods.quarter, dtype=float), 4.0
    return np.asarray(periods.day_of_year - 1, dtype=float), 365.25


def _season_fourier(periods: pd.DatetimeIndex, freq: str, pairs: int) -> dict[str, np.ndarray]:
    position, year = _season_position(periods, freq)
    cols: dict[str, np.ndarray] = {}
    for k in range(1, pairs + 1):
        angle = 2 * np.pi * k * position / year
        cols[f"sin{k}"] = np.sin(angle)
        cols[f"cos{k}"] = np.cos(angle)
    # sin(pi * m) is zero for every month when k = year / 2: drop such columns.
    return {name: col for name, col in cols.items() if np.max(np.abs(col)) > 1e-9}


def _dummies(labels: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    levels = sorted(set(labels.tolist()))
    return {f"{prefix}{lv}": (labels == lv).astype(float) for lv in levels[1:]}


def _season_dummies(periods: pd.DatetimeIndex, freq: str, pairs: int) -> dict[str, np.ndarray]:
    if PERIODS_PER_YEAR[freq] == 4:
        return _dummies(np.asarray(periods.quarter), "quarter")
    cols = _dummies(np.asarray(periods.month), "month")
    if freq == "day":
        cols.update(_dummies(np.asarray(periods.day_of_week), "weekday"))
    return cols


#: Seasonal terms by name; ``auto`` is resolved before a builder is chosen.
SEASONALITIES: dict[str, Callable[[pd.DatetimeIndex, str, int], dict[str, np.ndarray]]] = {
    "none": _season_none,
    "fourier": _season_fourier,
    "dummies": _season_dummies,
}


@dataclass(frozen=True)
class Design:
    """A segmented-regression design matrix over every period (fit and not)."""

    X: np.ndarray
    names: tuple[str, ...]
    n_baseline: int
    phase: np.ndarray

    @property
    def effect_columns(self) -> list[int]:
        """Columns set to zero for the counterfactual."""
        return list(range(self.n_baseline, len(self.names)))

    def counterfactual(self) -> np.ndarray:
        Xcf = self.X.copy()
        Xcf[:, self.effect_columns] = 0.0
        return Xcf

    def column(self, name: str) -> int:
        return self.names.index(name)


def build_design(
    periods: pd.Series | pd.DatetimeIndex,
    freq: str,
    *,
    first_post: int,
    first_after_end: int | None,
    seasonality: str,
    fourier_pairs: int,
    slope_change: bool,
) -> Design:
    """Columns: intercept, trend, season, level, slope (and the same after the end).

    ``first_post`` and ``first_after_end`` are row positions. The slope term
    counts periods since the first post period (0 before it and at it).
    """
    p = pd.DatetimeIndex(periods)
    t = period_steps(p, freq).astype(float)
    cols: dict[str, np.ndarray] = {"intercept": np.ones(len(p)), "trend": t}
    season = SEASONALITIES[seasonality](p, freq, fourier_pairs)
    cols.update(season)
    n_baseline = len(cols)
    phase = np.full(len(p), "before", dtype=object)
    segments = [("", first_post, "during")]
    if first_after_end is not None:
        segments.append(("_after_end", first_after_end, "ended"))
    for suffix, start, label in segments:
        on = np.arange(len(p)) >= start
        phase[on] = label
        cols["level" + suffix] = on.astype(float)
        if slope_change:
            cols["slope" + suffix] = np.where(on, t - t[start], 0.0)
    return Design(np.column_stack(list(cols.values())), tuple(cols), n_baseline, phase)


# -- fitting -----------------------------------------------------------------
@dataclass(frozen=True)
class ModelFit:
    """A fitted segmented regression, on the link scale.

    ``dispersion`` is Pearson chi-squared over residual degrees of freedom
    (``dispersion_kind`` ``pearson``), the negative binomial alpha (``negbin``)
    or the residual variance (``variance``, continuous outcomes). ``pearson``
    holds the Pearson residuals of the fitted rows (raw residuals over the
    residual standard deviation for continuous outcomes).
    """

    params: np.ndarray
    cov: np.ndarray
    link: str
    dispersion: float
    dispersion_kind: str
    pearson: np.ndarray
    method: str

    def inverse(self, eta: np.ndarray) -> np.ndarray:
        return _INVERSE[self.link](eta)

    def linear(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear predictor and its standard error for each row of ``X``."""
        eta = X @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.cov, X))
        return eta, se


_INVERSE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.exp,
    "logit": lambda e: 1.0 / (1.0 + np.exp(-e)),
    "identity": lambda e: e,
}


def _pearson_ratio(pearson: np.ndarray, n: int, k: int) -> float:
    return float(np.sum(pearson**2) / max(n - k, 1))


def _fit_count(y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
               denominator: NDArray[np.float64] | None, overdispersion: str,
               autocorrelation: str = "ar1") -> ModelFit:
    glm = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
    pois = glm.fit()
    pearson = np.asarray(pois.resid_pearson)
    ratio = _pearson_ratio(pearson, len(y), X.shape[1])
    if overdispersion == "negbin":
        fit = _fit_negbin(y, X, offset, pois.params, ratio)
        if autocorrelation == "ar1":
            return _correlated(fit, "negbin", y, X, offset, None, fit.dispersion, scaled=False)
        if autocorrelation == "newey-west":
            nb = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=fit.dispersion), offset=offset)
            return _newey_west(fit, nb.fit(start_params=fit.params, **_hac(len(y))), len(y))
        return fit
    scale = ratio if overdispersion == "quasipoisson" else 1.0
    method = (
        "Quasi-Poisson GLM, log link (Poisson with the Pearson scale)"
        if overdispersion == "quasipoisson"
        else "Poisson GLM, log link, scale fixed at 1"
    )
    cov = np.asarray(pois.cov_params()) * scale
    fit = ModelFit(np.asarray(pois.params), cov, "log", ratio, "pearson", pearson, method)
    if autocorrelation == "ar1":
        return _correlated(fit, "count", y, X, offset, None, 0.0, scaled=overdispersion == "quasipoisson")
    if autocorrelation == "newey-west":
        return _newey_west(fit, glm.fit(**_hac(len(y))), len(y))
    return fit


# -- autocorrelation -----------------------------------------------------------
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


_FAMILY_WORDS = {"count": "Poisson working variance", "negbin": "negative binomial working variance",
                 "proportion": "binomial working variance", "continuous": "constant variance"}


def _correlated(fit: ModelFit, kind: str, y: NDArray[np.float64], X: NDArray[np.float64],
                offset: NDArray[np.float64], denominator: NDArray[np.float64] | None, alpha: float,
                scaled: bool) -> ModelFit:
    """Refit ``fit`` with an AR(1)-plus-noise working correlation estimated from its Pearson residuals."""
    c_hat, rho_hat, inflate = ar1_noise_reml(fit.pearson, X)
    c, rho = float(c_hat[0]), float(rho_hat[0])
    family = "count" if kind == "negbin" else kind
    denom = None if denominator is None else np.asarray(denominator, dtype=float)[:, None]
    betas, covs, resid = gee_ar1(family, y[:, None], X, np.broadcast_to(offset, y.shape)[:, None],
                                 denom, fit.params[None, :], c_hat, rho_hat, alpha, scaled)
    root = np.sqrt(inflate[0])
    beta, cov, pearson = betas[0], covs[0] * np.outer(root, root), resid[:, 0]
    if fit.dispersion_kind == "variance":
        pearson = (y - X @ beta) / np.sqrt(fit.dispersion)
    scale = "scaled by the Pearson dispersion of the whitened residuals" if scaled else "scale fixed at 1"
    method = (f"{fit.method}; refitted by generalised estimating equations ({_FAMILY_WORDS[kind]}) with an "
              f"autocorrelated working correlation, an AR(1) process seen through independent noise: "
              f"correlation {c:.2f} × {rho:.2f}^lag, estimated by restricted maximum likelihood; "
              f"model-based standard errors {scale}, widened for the estimated correlation "
              f"(Kackar–Harville)")
    return ModelFit(beta, cov, fit.link, fit.dispersion, fit.dispersion_kind, pearson, method)


def _hac(n: int) -> dict[str, Any]:
    return {"cov_type": "HAC", "cov_kwds": {"maxlags": newey_west_lags(n), "use_correction": True}}


def _newey_west(fit: ModelFit, hac: Any, n: int) -> ModelFit:
    """``fit`` with Newey–West (HAC) standard errors from the statsmodels fit ``hac``."""
    method = (f"{fit.method}; Newey–West (HAC) standard errors, Bartlett kernel, {newey_west_lags(n)} lags "
              f"by the rule floor(4 (n/100)^(2/9)) with n = {n}, small-sample correction n/(n - k)")
    return ModelFit(fit.params, np.asarray(hac.cov_params()), fit.link, fit.dispersion, fit.dispersion_kind,
                    fit.pearson, method)


def _fit_negbin(y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
                start: NDArray[np.float64], ratio: float) -> ModelFit:
    """NB2 by profile maximum likelihood: alpha maximises the profile log-likelihood."""

    def fit_at(log_alpha: float) -> Any:  # a statsmodels GLM result
        family = sm.families.NegativeBinomial(alpha=float(np.exp(log_alpha)))
        return sm.GLM(y, X, family=family, offset=offset).fit(start_params=start)

    best = optimize.minimize_scalar(lambda la: -fit_at(la).llf, bounds=(math.log(1e-8), math.log(100.0)),
                                    method="bounded", options={"xatol": 1e-5})
    res = fit_at(best.x)
    alpha = float(np.exp(best.x))
    mu = np.asarray(res.fittedvalues)
    pearson = (y - mu) / np.sqrt(mu + alpha * mu**2)
    return ModelFit(np.asarray(res.params), np.asarray(res.cov_params()), "log", alpha, "negbin", pearson,
                    "Negative binomial (NB2) regression, log link, dispersion alpha by maximum likelihood "
                    "(profile likelihood), scale fixed at 1")


def _fit_proportion(y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
                    denominator: NDArray[np.float64], overdispersion: str,
                    autocorrelation: str = "ar1") -> ModelFit:
    endog = np.column_stack([y, denominator - y])
    glm = sm.GLM(endog, X, family=sm.families.Binomial())
    res = glm.fit()
    pearson = np.asarray(res.resid_pearson)
    ratio = _pearson_ratio(pearson, len(y), X.shape[1])
    scale = 1.0 if overdispersion == "none" else ratio
    method = (
        "Binomial GLM, logit link, scale fixed at 1"
        if overdispersion == "none"
        else "Quasi-binomial GLM, logit link (binomial with the Pearson scale)"
    )
    cov = np.asarray(res.cov_params()) * scale
    fit = ModelFit(np.asarray(res.params), cov, "logit", ratio, "pearson", pearson, method)
    if autocorrelation == "ar1":
        return _correlated(fit, "proportion", y, X, offset, denominator, 0.0, scaled=overdispersion != "none")
    if autocorrelation == "newey-west":
        return _newey_west(fit, glm.fit(**_hac(len(y))), len(y))
    return fit


def newey_west_lags(n: int) -> int:
    """Newey–West (1994) rule of thumb: floor(4 (n / 100)^(2/9)).

    >>> newey_west_lags(100), newey_west_lags(156)
    (4, 4)
    """
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def _fit_continuous(y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
                    denominator: NDArray[np.float64] | None, overdispersion: str,
                    autocorrelation: str = "ar1") -> ModelFit:
    ols = sm.OLS(y, X)
    res = ols.fit()
    resid = np.asarray(res.resid)
    sd = float(np.sqrt(np.sum(resid**2) / max(len(y) - X.shape[1], 1)))
    fit = ModelFit(np.asarray(res.params), np.asarray(res.cov_params()), "identity", sd**2, "variance",
                   resid / sd if sd > 0 else resid, "Ordinary least squares")
    if autocorrelation == "ar1" and sd > 0:
        return _correlated(fit, "continuous", y, X, offset, None, 0.0, scaled=True)
    if autocorrelation == "newey-west":
        return _newey_west(fit, ols.fit(**_hac(len(y))), len(y))
    return fit


#: Model family by outcome type:
#: ``(y, X, offset, denominator, overdispersion, autocorrelation) -> ModelFit``.
FAMILIES: dict[str, Callable[..., ModelFit]] = {
    "count": _fit_count,
    "proportion": _fit_proportion,
    "continuous": _fit_continuous,
}


def ljung_box(resid: np.ndarray, lags: int) -> tuple[float, float]:
    """Ljung–Box statistic and p-value (chi-squared on ``lags`` df), by statsmodels' ``acorr_ljungbox``.

    A constant series or ``lags < 1`` has no autocorrelation to test: ``(0.0, 1.0)``.

    >>> q, p = ljung_box(np.random.default_rng(0).normal(size=200), 10)
    >>> p > 0.05
    True
    """
    x = np.asarray(resid, dtype=float)
    if lags < 1 or float(np.sum((x - np.mean(x)) ** 2)) == 0:
        return 0.0, 1.0
    row = acorr_ljungbox(x, lags=[lags]).iloc[0]
    return float(row["lb_stat"]), float(row["lb_pvalue"])
