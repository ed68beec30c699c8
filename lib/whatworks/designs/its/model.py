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
from numpy.typing import NDArray
from scipy import optimize, stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS

from ...dates import FREQS, PERIODS_PER_YEAR
from .autocorrelation import ar1_noise_reml, gee_ar1

__all__ = [
    "SEASONALITIES",
    "FAMILIES",
    "Design",
    "ModelFit",
    "period_steps",
    "period_containing",
    "build_design",
    "newey_west_lags",
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
    glm = GLM(y, X, family=families.Poisson(), offset=offset)
    pois = glm.fit()
    pearson = np.asarray(pois.resid_pearson)
    ratio = _pearson_ratio(pearson, len(y), X.shape[1])
    if overdispersion == "negbin":
        nb = _fit_negbin(y, X, offset, pois.params, ratio)
        return _corrected(nb, autocorrelation, "negbin", y, X, offset, None, nb.dispersion, scaled=False,
                          hac=lambda cov: GLM(y, X, family=families.NegativeBinomial(alpha=nb.dispersion),
                                              offset=offset).fit(start_params=nb.params, **cov))
    scale = ratio if overdispersion == "quasipoisson" else 1.0
    method = (
        "Quasi-Poisson GLM, log link (Poisson with the Pearson scale)"
        if overdispersion == "quasipoisson"
        else "Poisson GLM, log link, scale fixed at 1"
    )
    cov = np.asarray(pois.cov_params()) * scale
    fit = ModelFit(np.asarray(pois.params), cov, "log", ratio, "pearson", pearson, method)
    return _corrected(fit, autocorrelation, "count", y, X, offset, None, 0.0,
                      scaled=overdispersion == "quasipoisson", hac=lambda cov: glm.fit(**cov))


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


def _corrected(fit: ModelFit, autocorrelation: str, kind: str, y: NDArray[np.float64], X: NDArray[np.float64],
               offset: NDArray[np.float64], denominator: NDArray[np.float64] | None, alpha: float, *,
               scaled: bool, hac: Callable[[dict[str, Any]], Any]) -> ModelFit:
    """``fit`` corrected for autocorrelated periods as ``autocorrelation`` says: refitted with an AR(1)-plus-noise
    working correlation (``ar1``), given Newey–West standard errors from ``hac`` (the same statsmodels model
    fitted with the covariance options it is passed; ``newey-west``), or left as it is (``none``)."""
    if autocorrelation == "ar1":
        return _correlated(fit, kind, y, X, offset, denominator, alpha, scaled=scaled)
    if autocorrelation == "newey-west":
        return _newey_west(fit, hac(_hac(len(y))), len(y))
    return fit


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
        family = families.NegativeBinomial(alpha=float(np.exp(log_alpha)))
        return GLM(y, X, family=family, offset=offset).fit(start_params=start)

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
    glm = GLM(endog, X, family=families.Binomial())
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
    return _corrected(fit, autocorrelation, "proportion", y, X, offset, denominator, 0.0,
                      scaled=overdispersion != "none", hac=lambda cov: glm.fit(**cov))


def newey_west_lags(n: int) -> int:
    """Newey–West (1994) rule of thumb: floor(4 (n / 100)^(2/9)).

    >>> newey_west_lags(100), newey_west_lags(156)
    (4, 4)
    """
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def _fit_continuous(y: NDArray[np.float64], X: NDArray[np.float64], offset: NDArray[np.float64],
                    denominator: NDArray[np.float64] | None, overdispersion: str,
                    autocorrelation: str = "ar1") -> ModelFit:
    ols = OLS(y, X)
    res = ols.fit()
    resid = np.asarray(res.resid)
    sd = float(np.sqrt(np.sum(resid**2) / max(len(y) - X.shape[1], 1)))
    fit = ModelFit(np.asarray(res.params), np.asarray(res.cov_params()), "identity", sd**2, "variance",
                   resid / sd if sd > 0 else resid, "Ordinary least squares")
    if autocorrelation == "ar1" and sd == 0:  # a series the model fits exactly has no residuals to correlate
        return fit
    return _corrected(fit, autocorrelation, "continuous", y, X, offset, None, 0.0, scaled=True,
                      hac=lambda cov: ols.fit(**cov))


#: Model family by outcome type:
#: ``(y, X, offset, denominator, overdispersion, autocorrelation) -> ModelFit``.
FAMILIES: dict[str, Callable[..., ModelFit]] = {
    "count": _fit_count,
    "proportion": _fit_proportion,
    "continuous": _fit_continuous,
}


def ljung_box(resid: np.ndarray, lags: int) -> tuple[float, float]:
    """Ljung–Box statistic and p-value (chi-squared on ``lags`` df).

    The same arithmetic, step for step, as statsmodels' ``acorr_ljungbox(x,
    lags=[lags])`` (autocorrelations about the mean, each lag's sum over the
    whole length), which a test holds it to; written out here because
    importing statsmodels' time series module for it cost each report a
    fifteenth of a second. A constant series or ``lags < 1`` has no
    autocorrelation to test: ``(0.0, 1.0)``.

    >>> q, p = ljung_box(np.random.default_rng(0).normal(size=200), 10)
    >>> p > 0.05
    True
    """
    x = np.asarray(resid, dtype=float)
    if lags < 1 or float(np.sum((x - np.mean(x)) ** 2)) == 0:
        return 0.0, 1.0
    n = x.shape[0]
    centred = x - x.mean()
    autocovariance = np.correlate(centred, centred, "full")[n - 1:] / n
    autocorrelation = autocovariance[: lags + 1] / autocovariance[0]
    terms = autocorrelation[1: lags + 1] ** 2 / (n - np.arange(1, lags + 1))
    q = n * (n + 2) * np.cumsum(terms)[lags - 1]
    return float(q), float(stats.chi2.sf(q, lags))
