"""The change in mean task time, with a Welch interval, and sums of such changes.

Works on arrays: the last axis holds the observations, any leading axes are
independent replicates (a simulation study passes thousands at once).

The interval for one change is Welch's: the standard error is
``sqrt(s1²/n1 + s2²/n2)`` and the degrees of freedom are Welch–Satterthwaite.
A sum of scaled changes (several tasks, or a fixed amount plus measured
changes) keeps every variance piece and uses the same Satterthwaite
approximation for its degrees of freedom, so one task alone gives exactly
Welch's interval.

Examples
--------
>>> import numpy as np
>>> c = mean_change(np.array([10., 12, 14]), np.array([5., 6, 7]))
>>> float(c.estimate), round(float(c.se), 4)
(6.0, 1.291)
>>> low, high = c.interval()
>>> round(float(low), 2), round(float(high), 2)
(1.84, 10.16)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ...text import LEVEL

__all__ = ["Change", "mean_change", "total"]


@dataclass(frozen=True)
class Change:
    """A change (or a sum of changes) with its variance pieces.

    ``pieces`` pairs each variance component (already scaled) with its
    degrees of freedom; ``estimate`` has the replicate shape.
    """

    estimate: NDArray[np.float64]
    pieces: tuple[tuple[NDArray[np.float64], NDArray[np.float64]], ...] = ()

    @property
    def variance(self) -> NDArray[np.float64]:
        if not self.pieces:
            return np.zeros_like(self.estimate, dtype=float)
        variance = self.pieces[0][0]
        for v, _ in self.pieces[1:]:
            variance = variance + v
        return variance

    @property
    def se(self) -> NDArray[np.float64]:
        return np.sqrt(self.variance)

    @property
    def df(self) -> NDArray[np.float64]:
        """Welch–Satterthwaite degrees of freedom (infinite with no pieces)."""
        if not self.pieces:
            return np.full_like(self.estimate, np.inf, dtype=float)
        denom = sum(np.where(d > 0, v**2 / np.maximum(d, 1e-300), 0.0) for v, d in self.pieces)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, self.variance**2 / denom, np.inf)

    @property
    def measured(self) -> bool:
        return bool(self.pieces)

    def interval(self, level: float = LEVEL) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The ``level`` interval: estimate ± t(df) × se."""
        q = stats.t.ppf(0.5 + level / 2, self.df)
        half = np.where(self.variance > 0, q * self.se, 0.0)
        return self.estimate - half, self.estimate + half

    def scaled(self, factor: ArrayLike) -> Change:
        """This change multiplied by ``factor`` (a number or an array)."""
        f = np.asarray(factor, dtype=float)
        return Change(self.estimate * f, tuple((v * f**2, d) for v, d in self.pieces))

    def plus(self, amount: ArrayLike) -> Change:
        """This change plus a fixed amount (no sampling error)."""
        return Change(self.estimate + np.asarray(amount, dtype=float), self.pieces)


def _piece(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    n = np.sum(~np.isnan(x), axis=-1)
    mean = np.nanmean(x, axis=-1)
    var = np.nanvar(x, axis=-1, ddof=1)
    return mean, var / n, (n - 1).astype(float)


def mean_change(
    before: ArrayLike,
    after: ArrayLike,
    comparison_before: ArrayLike | None = None,
    comparison_after: ArrayLike | None = None,
) -> Change:
    """Mean before minus mean after (positive when time fell), Welch pieces.

    With a comparison group, the change is the difference in differences:
    (before − after) in the group that changed minus (before − after) in the
    comparison group, with all four variance pieces. Missing values (NaN)
    are ignored, so replicates of different sizes can share one array.
    """
    m_b, v_b, d_b = _piece(np.asarray(before, dtype=float))
    m_a, v_a, d_a = _piece(np.asarray(after, dtype=float))
    estimate = m_b - m_a
    pieces = [(v_b, d_b), (v_a, d_a)]
    if comparison_before is not None and comparison_after is not None:
        c_b, w_b, e_b = _piece(np.asarray(comparison_before, dtype=float))
        c_a, w_a, e_a = _piece(np.asarray(comparison_after, dtype=float))
        estimate = estimate - (c_b - c_a)
        pieces += [(w_b, e_b), (w_a, e_a)]
    return Change(estimate, tuple(pieces))


def total(changes: Sequence[Change], fixed: float = 0.0) -> Change:
    """The sum of independent changes plus a fixed amount."""
    estimate = np.asarray(fixed, dtype=float)
    pieces: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    for c in changes:
        estimate = estimate + c.estimate
        pieces.extend(c.pieces)
    return Change(estimate, tuple(pieces))
