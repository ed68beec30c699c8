"""Seeded interrupted time series with known effects.

Counts follow a log-linear mean

    log mu_t = log(baseline) + trend * (t - 1) + a * sin(2 pi * s_t)
               + log(level_ratio) * post_t + log(slope_ratio) * (t - t0) * post_t
               + log(exposure_t / mean(exposure))

where ``t`` counts periods from 1, ``t0`` is the first post period, ``post``
is 1 from it on, ``a`` is ``seasonal_amplitude`` and ``s_t`` is the fraction
of the year at the period start (day of year - 1 over 365.25). So the true
level change at the intervention is ``level_ratio`` (a rate ratio) and the
true slope change is ``slope_ratio`` per period, exactly the quantities
:func:`whatworks.designs.its.fit` estimates.

Counts are Poisson when ``dispersion`` is 1; above 1 they are negative
binomial (a gamma–Poisson mixture, NB2) with ``alpha = (dispersion - 1) /
baseline``, so the variance is ``dispersion`` times the mean at the baseline
mean.

Examples
--------
>>> s, truth = simulate_counts(7, n_pre=104, n_post=52)
>>> len(s.frame), truth["level_ratio"], truth["intervention_date"]
(156, 0.8, '2024-01-01')
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ..data import SeriesData

__all__ = ["simulate_counts", "simulate_proportions", "FREQ_RULES"]

#: The period lengths the simulators draw.
_Freq = Literal["day", "week", "month", "quarter"]

#: pandas date rules for each period length.
FREQ_RULES: dict[str, str] = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS"}


def _periods(start: str, n: int, freq: _Freq) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), periods=n, freq=FREQ_RULES[freq])


def _linear(periods: pd.DatetimeIndex, n_pre: int, trend: float, amplitude: float,
            log_level: float, log_slope: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.arange(1, len(periods) + 1, dtype=float)
    post = (t > n_pre).astype(float)
    since = np.where(post > 0, t - (n_pre + 1), 0.0)
    season = amplitude * np.sin(2 * np.pi * (periods.day_of_year.to_numpy() - 1) / 365.25)
    base = trend * (t - 1) + season
    return base, base + log_level * post + log_slope * since


def simulate_counts(
    seed: int,
    *,
    n_pre: int,
    n_post: int,
    freq: _Freq = "week",
    start: str = "2022-01-03",
    baseline: float = 60.0,
    trend: float = 0.0,
    level_ratio: float = 0.8,
    slope_ratio: float = 1.0,
    seasonal_amplitude: float = 0.15,
    dispersion: float = 1.0,
    exposure: ArrayLike | None = None,
) -> tuple[SeriesData, dict[str, Any]]:
    """A count series with a known change in level and slope.

    Parameters
    ----------
    seed
        Seed for :func:`numpy.random.default_rng`.
    n_pre, n_post
        Periods before the intervention and from it on.
    trend
        Change in the log mean per period before the intervention.
    level_ratio, slope_ratio
        True rate ratio at the first post period, and per period after it.
    seasonal_amplitude
        Amplitude of a yearly sine on the log scale (0.15 is about ±15%).
    dispersion
        Variance over mean at the baseline mean (1 is Poisson).
    exposure
        ``None``, a number, or one value per period; when given the mean is
        proportional to ``exposure / mean(exposure)`` and an ``exposure``
        column is added.

    Returns
    -------
    (SeriesData, dict)
        The series and the truth: ``level_ratio``, ``log_level_ratio``,
        ``slope_ratio``, ``intervention_date`` (ISO, the first post period's
        start), ``expected`` and ``counterfactual`` (true means, one per
        period) and ``total_effect`` (expected minus counterfactual summed
        over the post periods).
    """
    if dispersion < 1:
        raise ValueError("dispersion must be at least 1")
    rng = np.random.default_rng(seed)
    periods = _periods(start, n_pre + n_post, freq)
    base, eta = _linear(periods, n_pre, trend, seasonal_amplitude, np.log(level_ratio), np.log(slope_ratio))
    scale = np.ones(len(periods))
    if exposure is not None:
        exp_values = np.broadcast_to(np.asarray(exposure, dtype=float), (len(periods),)).copy()
        scale = exp_values / exp_values.mean()
    mu = baseline * np.exp(eta) * scale
    cf = baseline * np.exp(base) * scale
    if dispersion > 1:
        alpha = (dispersion - 1) / baseline
        mu_draw = rng.gamma(shape=1 / alpha, scale=alpha * mu)
    else:
        mu_draw = mu
    y = rng.poisson(mu_draw).astype(float)
    frame = pd.DataFrame({"period": periods, "outcome": y, "excluded": False})
    if exposure is not None:
        frame["exposure"] = exp_values
    post = np.arange(len(periods)) >= n_pre
    truth = {
        "level_ratio": level_ratio,
        "log_level_ratio": float(np.log(level_ratio)),
        "slope_ratio": slope_ratio,
        "intervention_date": periods[n_pre].date().isoformat(),
        "expected": mu,
        "counterfactual": cf,
        "total_effect": float((mu - cf)[post].sum()),
    }
    return SeriesData(frame=frame, freq=freq, source="simulated.csv", outcome_label="incidents"), truth


def simulate_proportions(
    seed: int,
    *,
    n_pre: int,
    n_post: int,
    freq: _Freq = "month",
    start: str = "2020-01-01",
    denominator: int = 400,
    baseline: float = 0.3,
    trend: float = 0.0,
    level_odds_ratio: float = 0.8,
    slope_odds_ratio: float = 1.0,
    seasonal_amplitude: float = 0.0,
) -> tuple[SeriesData, dict[str, Any]]:
    """A binomial proportion series with a known change in the log odds.

    ``logit p_t = logit(baseline) + trend * (t - 1) + season + log(level_odds_ratio) * post
    + log(slope_odds_ratio) * (t - t0) * post``, with ``denominator`` trials a
    period. The truth holds ``level_odds_ratio``, ``slope_odds_ratio`` and
    ``intervention_date``.

    >>> s, truth = simulate_proportions(1, n_pre=36, n_post=24)
    >>> bool((s.frame["outcome"] <= s.frame["denominator"]).all())
    True
    """
    rng = np.random.default_rng(seed)
    periods = _periods(start, n_pre + n_post, freq)
    _, eta = _linear(periods, n_pre, trend, seasonal_amplitude, np.log(level_odds_ratio),
                     np.log(slope_odds_ratio))
    p = 1 / (1 + np.exp(-(np.log(baseline / (1 - baseline)) + eta)))
    n = np.full(len(periods), float(denominator))
    y = rng.binomial(denominator, p).astype(float)
    frame = pd.DataFrame({"period": periods, "outcome": y, "denominator": n, "excluded": False})
    truth = {
        "level_odds_ratio": level_odds_ratio,
        "slope_odds_ratio": slope_odds_ratio,
        "intervention_date": periods[n_pre].date().isoformat(),
        "probability": p,
    }
    return SeriesData(frame=frame, freq=freq, source="simulated.csv", outcome_label="arrests"), truth
