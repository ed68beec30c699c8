"""Attrition: the What Works Clearinghouse standard and Lee (2009) bounds.

The WWC attrition standard compares a study's overall attrition with its
differential attrition (the gap between the arms' attrition rates, in
percentage points). It has two boundaries, transcribed from the What Works
Clearinghouse *Standards Handbook*, Version 4.0 (2017) and 4.1 (2020),
Table II.1 (kept in Version 5.0, 2022):

* **cautious** (the default): for when the intervention could plausibly
  affect who is lost (as a letter that asks people to report fraud can);
* **optimistic**: for when attrition is thought to be unrelated to the
  intervention.

The table gives whole-percent overall attrition 0-57%. Beyond it attrition is
high on either boundary here: for the cautious boundary that is the
handbook's own reading (0 points allowed at 57%); for the optimistic one it
is stricter than the handbook, which continues further, and the method notes
say so.

Examples
--------
>>> wwc_boundary(0.10)
0.063
>>> wwc_boundary(0.10, "optimistic")
0.109
>>> wwc_attrition(0.30, 0.05)["low"], wwc_attrition(0.30, 0.05, "optimistic")["low"]
(False, True)
>>> import numpy as np
>>> lo, hi = lee_bounds(np.array([0., 1, 1, 1]), 1.0, np.array([0., 1]), 0.5)
>>> round(lo, 3), round(hi, 3)
(0.0, 0.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...errors import SpecError

__all__ = ["Boundary", "BOUNDARIES", "CAUTIOUS_BOUNDARY", "OPTIMISTIC_BOUNDARY", "boundary", "wwc_boundary",
           "wwc_attrition", "trimmed_mean", "lee_bounds", "lee_bounds_interval"]

FloatArray = NDArray[np.floating[Any]]

_HANDBOOK = "What Works Clearinghouse, Standards Handbook, Version 4.1 (2020), Table II.1"

#: Highest differential attrition (percentage points) that is still "low"
#: attrition, by whole-percent overall attrition 0, 1, ..., 57 (cautious).
CAUTIOUS_BOUNDARY: tuple[float, ...] = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0,
    5.9, 5.9, 5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0,
    1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)

#: The same for the optimistic boundary, overall attrition 0, 1, ..., 57.
OPTIMISTIC_BOUNDARY: tuple[float, ...] = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9, 10.9, 10.8,
    10.8, 10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6,
    8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3, 6.0, 5.8, 5.6, 5.3,
    5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8, 2.6, 2.3,
)


@dataclass(frozen=True)
class Boundary:
    """One WWC attrition boundary: its table, its name in a report and its source."""

    name: str
    table: tuple[float, ...]
    when: str

    @property
    def title(self) -> str:
        """The boundary as a report names it."""
        return f"What Works Clearinghouse {self.name}"

    @property
    def source(self) -> str:
        """Where the table comes from."""
        return f"{_HANDBOOK}, {self.name} boundary"

    def limit(self, overall: float) -> float:
        """The largest differential attrition (a proportion) allowed at this overall attrition.

        Between whole percents the smaller of the two neighbouring table
        values is used. Returns ``nan`` beyond the table (always high).

        >>> BOUNDARIES["cautious"].limit(0.0), BOUNDARIES["cautious"].limit(0.6)
        (0.057, nan)
        """
        pct = overall * 100
        lo, hi = math.floor(pct + 1e-9), math.ceil(pct - 1e-9)
        if hi >= len(self.table):
            return math.nan
        return round(min(self.table[max(lo, 0)], self.table[max(hi, 0)]) / 100, 4)


#: The boundaries by the name a spec gives (``attrition_boundary``).
BOUNDARIES: dict[str, Boundary] = {
    "cautious": Boundary("cautious", CAUTIOUS_BOUNDARY,
                         "the intervention could plausibly affect who is lost to follow-up"),
    "optimistic": Boundary("optimistic", OPTIMISTIC_BOUNDARY,
                           "who is lost to follow-up is thought to be unrelated to the intervention"),
}


def boundary(name: str) -> Boundary:
    """The boundary a spec names; an unknown name is refused, naming the key.

    >>> boundary("optimistic").title
    'What Works Clearinghouse optimistic'
    """
    try:
        return BOUNDARIES[name]
    except KeyError:
        raise SpecError(f"is {name!r}, which is not an attrition boundary", key="attrition_boundary",
                        hint="Use cautious (the default) or optimistic.") from None


def wwc_boundary(overall: float, name: str = "cautious") -> float:
    """The largest differential attrition allowed at this overall attrition on the named boundary.

    >>> wwc_boundary(0.305)
    0.04
    """
    return boundary(name).limit(overall)


def wwc_attrition(overall: float, differential: float, name: str = "cautious") -> dict[str, Any]:
    """Classify attrition as low or high on the named WWC boundary.

    >>> wwc_attrition(0.05, 0.02)
    {'overall': 0.05, 'differential': 0.02, 'boundary': 0.061, 'low': True, 'boundary_name': 'cautious'}
    """
    limit = wwc_boundary(overall, name)
    low = bool(math.isfinite(limit) and differential <= limit + 1e-12)
    return {"overall": overall, "differential": differential, "boundary": limit, "low": low,
            "boundary_name": name}


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
