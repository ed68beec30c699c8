"""Attrition: the What Works Clearinghouse standard and Lee (2009) bounds.

The WWC attrition standard compares a study's overall attrition with its
differential attrition (the gap between the arms' attrition rates, in
percentage points). The boundary below is the **cautious** one ("the
intervention could plausibly affect who is lost"), transcribed from the
What Works Clearinghouse *Standards Handbook, Version 4.1* (2020), Table II.1
(the same boundary is kept in Version 5.0, 2022). Overall attrition of 58% or
more is high attrition whatever the differential.

Examples
--------
>>> wwc_cautious_boundary(0.10)
0.063
>>> wwc_attrition(0.30, 0.05)["low"]
False
>>> import numpy as np
>>> lo, hi = lee_bounds(np.array([0., 1, 1, 1]), 1.0, np.array([0., 1]), 0.5)
>>> round(lo, 3), round(hi, 3)
(0.0, 0.5)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["WWC_BOUNDARY", "WWC_SOURCE", "CAUTIOUS_BOUNDARY", "wwc_cautious_boundary", "wwc_attrition",
           "trimmed_mean", "lee_bounds", "lee_bounds_interval"]

FloatArray = NDArray[np.floating[Any]]

#: The boundary used, as the report names it.
WWC_BOUNDARY = "What Works Clearinghouse cautious"

WWC_SOURCE = ("What Works Clearinghouse, Standards Handbook, Version 4.1 (2020), Table II.1, "
              "cautious boundary")

#: Highest differential attrition (percentage points) that is still "low"
#: attrition, by whole-percent overall attrition 0, 1, ..., 57 (cautious).
CAUTIOUS_BOUNDARY: tuple[float, ...] = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0,
    5.9, 5.9, 5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0,
    1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)


def wwc_cautious_boundary(overall: float) -> float:
    """The largest differential attrition (a proportion) allowed at this overall attrition.

    Between whole percents the smaller of the two neighbouring table values
    is used (cautious). Returns ``nan`` beyond the table (always high).

    >>> wwc_cautious_boundary(0.0), wwc_cautious_boundary(0.6)
    (0.057, nan)
    """
    pct = overall * 100
    lo, hi = math.floor(pct + 1e-9), math.ceil(pct - 1e-9)
    if hi >= len(CAUTIOUS_BOUNDARY):
        return math.nan
    return round(min(CAUTIOUS_BOUNDARY[max(lo, 0)], CAUTIOUS_BOUNDARY[max(hi, 0)]) / 100, 4)


def wwc_attrition(overall: float, differential: float) -> dict[str, Any]:
    """Classify attrition as low or high under the cautious WWC boundary.

    >>> wwc_attrition(0.05, 0.02)
    {'overall': 0.05, 'differential': 0.02, 'boundary': 0.061, 'low': True, 'boundary_name': 'cautious'}
    """
    boundary = wwc_cautious_boundary(overall)
    low = bool(math.isfinite(boundary) and differential <= boundary + 1e-12)
    return {"overall": overall, "differential": differential, "boundary": boundary, "low": low,
            "boundary_name": "cautious"}


def trimmed_mean(values: FloatArray, keep: float, top: bool, weights: NDArray[Any] | None = None,
                 presorted: bool = False) -> float:
    """Mean of the lowest (``top=False``) or highest share ``keep`` of ``values``.

    Ties at the cut are shared fractionally, so discrete outcomes trim exactly.
    ``weights`` (e.g. bootstrap counts) weight each value.

    >>> trimmed_mean(np.array([0., 0, 1, 1]), 0.75, top=False)
    0.3333333333333333
    """
    v = values if presorted else np.sort(values)
    w = np.ones(v.size) if weights is None else weights.astype(float)
    if top:
        v, w = v[::-1], w[::-1]
    k = keep * float(w.sum())
    if k <= 0:
        return math.nan
    before = np.cumsum(w) - w
    take = np.clip(k - before, 0.0, w)
    return float(np.sum(take * v)) / k


def lee_bounds(y_treated: FloatArray, r_treated: float, y_control: FloatArray, r_control: float,
               w_treated: NDArray[Any] | None = None, w_control: NDArray[Any] | None = None,
               presorted: bool = False) -> tuple[float, float]:
    """Lee (2009) bounds on the treated-minus-control difference among always-responders.

    ``y_*`` are the observed outcomes of respondents (optionally weighted by
    ``w_*``); ``r_*`` the response rates. The arm with the higher response
    rate has the share :math:`q = (r_{high} - r_{low})/r_{high}` of its
    outcomes trimmed from the top (lower bound) or the bottom (upper bound).
    """
    def mean(y: FloatArray, w: NDArray[Any] | None) -> float:
        return float(y.mean()) if w is None else float(np.sum(y * w) / np.sum(w))

    if r_treated >= r_control:
        keep = r_control / r_treated
        m0 = mean(y_control, w_control)
        return (trimmed_mean(y_treated, keep, False, w_treated, presorted) - m0,
                trimmed_mean(y_treated, keep, True, w_treated, presorted) - m0)
    keep = r_treated / r_control
    m1 = mean(y_treated, w_treated)
    return (m1 - trimmed_mean(y_control, keep, True, w_control, presorted),
            m1 - trimmed_mean(y_control, keep, False, w_control, presorted))


def lee_bounds_interval(y: FloatArray, responded: NDArray[np.bool_], treated: NDArray[np.bool_],
                        control: NDArray[np.bool_],
                        seed: int, reps: int = 200) -> tuple[float, float, float, float]:
    """Lee bounds and a bootstrap 95% interval for the identified set.

    ``y`` (NaN allowed for non-respondents), ``responded`` (bool) and the arm
    masks cover every analysed row. The interval runs from the 2.5th
    percentile of the bootstrap lower bound to the 97.5th percentile of the
    upper bound (``reps`` resamples within arms, drawn as resampling counts
    so that nothing is re-sorted). Returns ``(lower, upper, ci_low, ci_high)``.
    """
    arms: list[tuple[int, FloatArray]] = []
    for mask in (treated, control):
        n = int(mask.sum())
        vals = np.sort(y[mask & responded])
        arms.append((n, vals))
    (n1, v1), (n0, v0) = arms
    if v1.size == 0 or v0.size == 0:
        return math.nan, math.nan, math.nan, math.nan
    lo, hi = lee_bounds(v1, v1.size / n1, v0, v0.size / n0, presorted=True)
    rng = np.random.default_rng(seed)
    draws = np.empty((reps, 2))
    for b in range(reps):
        # resampling counts: of n draws from an arm, how many land on each respondent
        w1 = np.bincount(rng.integers(0, n1, n1), minlength=n1)[: v1.size]
        w0 = np.bincount(rng.integers(0, n0, n0), minlength=n0)[: v0.size]
        if w1.sum() == 0 or w0.sum() == 0:
            draws[b] = math.nan
            continue
        draws[b] = lee_bounds(v1, w1.sum() / n1, v0, w0.sum() / n0, w1, w0, presorted=True)
    return lo, hi, float(np.nanpercentile(draws[:, 0], 2.5)), float(np.nanpercentile(draws[:, 1], 97.5))
