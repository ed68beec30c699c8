"""The power functions behind :mod:`whatworks.designs.rct.power`, one per outcome type.

Each outcome type is a small object with the same three methods, kept in
:data:`OUTCOMES` (a registry, not an ``if``/``elif`` chain):

``power(n0, n1, effect, alpha, sides)``
    The power of one two-arm comparison with ``n0`` people in the control
    arm and ``n1`` in the active arm (both may be fractional).
``n_for_power(ratio, effect, alpha, sides, power)``
    The (unrounded) control-arm size at which that comparison reaches
    ``power`` when the active arm has ``ratio`` times as many people.
``effect_for_power(n0, n1, alpha, sides, power, direction)``
    The smallest effect the comparison detects with that power.

``effect`` is an :class:`Effect`: the control proportion and the treatment
proportion for binary outcomes, the mean difference and the standard
deviation for continuous ones.

Examples
--------
>>> b = OUTCOMES["binary"]
>>> round(b.power(50, 50, Effect(0.5, 0.75), 0.05, 2), 7)
0.7401659
>>> round(b.n_for_power(1.0, Effect(0.5, 0.75), 0.05, 2, 0.9), 5)
76.70693
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from scipy import optimize, stats

__all__ = ["Effect", "Binary", "Continuous", "OUTCOMES", "NoSolution"]

#: The widest search for a sample size, in people in the control arm.
N_MAX = 1e9
_XTOL = 1e-9


class NoSolution(ValueError):
    """No value in the search range reaches the requested power."""


@dataclass(frozen=True)
class Effect:
    """The effect for one comparison.

    For binary outcomes ``a`` is the control proportion and ``b`` the
    treatment proportion; for continuous outcomes ``a`` is the mean
    difference and ``b`` the standard deviation.
    """

    a: float
    b: float


class Model(Protocol):
    """What every outcome type provides (its class, with static and class methods, is the model)."""

    def power(self, n0: float, n1: float, effect: Effect, alpha: float, sides: int,
              df: float | None = None) -> float: ...

    def n_for_power(self, ratio: float, effect: Effect, alpha: float, sides: int, power: float) -> float: ...

    def effect_for_power(
        self, n0: float, n1: float, base: float, alpha: float, sides: int, power: float, direction: str,
        df: float | None = None,
    ) -> float: ...


def _root(func: Callable[[float], float], low: float, high: float) -> float:
    """The root of an increasing ``func`` on ``[low, high]`` (Brent's method)."""
    f_low, f_high = func(low), func(high)
    if f_low >= 0:
        return low
    if f_high < 0:
        raise NoSolution("the requested power is not reached in the search range")
    root: float = optimize.brentq(func, low, high, xtol=_XTOL, rtol=1e-14, maxiter=500)
    return root


class Binary:
    """Two proportions: the normal approximation of R's ``power.prop.test``.

    With ``n0`` and ``n1`` people, control proportion ``p0`` and treatment
    proportion ``p1``, pooled proportion ``pbar = (n0 p0 + n1 p1) / (n0 + n1)``::

        power = Phi((|p1 - p0| - z * sqrt(pbar (1 - pbar) (1/n0 + 1/n1)))
                    / sqrt(p0 (1 - p0) / n0 + p1 (1 - p1) / n1))

    where ``z`` is the upper ``alpha / sides`` point of the standard normal:
    the variance under the null is pooled, under the alternative it is not.
    With ``df`` (cluster randomisation: the clusters less 2) ``z`` and
    ``Phi`` are those of t with ``df`` degrees of freedom.
    With ``n0 = n1 = n`` this is exactly R's (non-strict) power function
    ``pnorm((sqrt(n) |p1 - p2| - qnorm(a/2, lower = FALSE) sqrt((p1 + p2)
    (1 - (p1 + p2)/2))) / sqrt(p1 (1 - p1) + p2 (1 - p2)))``.
    """

    name = "binary"

    @staticmethod
    def power(n0: float, n1: float, effect: Effect, alpha: float, sides: int, df: float | None = None) -> float:
        p0, p1 = effect.a, effect.b
        dist = stats.norm if df is None else stats.t(df)
        z = dist.isf(alpha / sides)
        pbar = (n0 * p0 + n1 * p1) / (n0 + n1)
        se_null = math.sqrt(pbar * (1 - pbar) * (1 / n0 + 1 / n1))
        se_alt = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
        return float(dist.cdf((abs(p1 - p0) - z * se_null) / se_alt))

    @classmethod
    def n_for_power(cls, ratio: float, effect: Effect, alpha: float, sides: int, power: float) -> float:
        return _root(lambda n: cls.power(n, n * ratio, effect, alpha, sides) - power, 1.0, N_MAX)

    @classmethod
    def effect_for_power(
        cls, n0: float, n1: float, base: float, alpha: float, sides: int, power: float, direction: str,
        df: float | None = None,
    ) -> float:
        """The treatment proportion detected with ``power`` (``base`` is the control proportion)."""
        eps = 1e-10
        sign = 1.0 if direction == "increase" else -1.0
        room = (1 - base if sign > 0 else base) - eps
        if room <= eps:
            raise NoSolution("no room for a change in that direction")

        def gap(distance: float) -> float:
            return cls.power(n0, n1, Effect(base, base + sign * distance), alpha, sides, df) - power

        distance = _root(gap, eps, room)
        return base + sign * distance


class Continuous:
    """Two means: the noncentral t power of R's ``power.t.test`` (two-sample).

    With ``n0`` and ``n1`` people, mean difference ``delta`` and common
    standard deviation ``sd``: degrees of freedom ``n0 + n1 - 2``,
    noncentrality ``delta / (sd * sqrt(1/n0 + 1/n1))``, and power the chance
    that a noncentral t exceeds the upper ``alpha / sides`` point of the
    central t. With ``n0 = n1 = n`` this is exactly R's (non-strict) power
    function: ``nu = 2 (n - 1)``, ``ncp = sqrt(n/2) delta / sd``. With
    ``df`` (cluster randomisation: the clusters less 2) that replaces
    ``n0 + n1 - 2``.
    """

    name = "continuous"

    @staticmethod
    def power(n0: float, n1: float, effect: Effect, alpha: float, sides: int, df: float | None = None) -> float:
        delta, sd = abs(effect.a), effect.b
        df = n0 + n1 - 2 if df is None else df
        ncp = delta / (sd * math.sqrt(1 / n0 + 1 / n1))
        crit = stats.t.isf(alpha / sides, df)
        return float(stats.nct.sf(crit, df, ncp))

    @classmethod
    def n_for_power(cls, ratio: float, effect: Effect, alpha: float, sides: int, power: float) -> float:
        low = max(2.0, 3.0 / (1 + ratio))
        return _root(lambda n: cls.power(n, n * ratio, effect, alpha, sides) - power, low, N_MAX)

    @classmethod
    def effect_for_power(
        cls, n0: float, n1: float, base: float, alpha: float, sides: int, power: float, direction: str,
        df: float | None = None,
    ) -> float:
        """The mean difference detected with ``power`` (``base`` is the SD); signed by ``direction``."""

        def gap(delta: float) -> float:
            return cls.power(n0, n1, Effect(delta, base), alpha, sides, df) - power

        delta = _root(gap, base * 1e-9, base * 1e3)
        return delta if direction == "increase" else -delta


#: Outcome types by the name a spec or the command line uses.
OUTCOMES: dict[str, Model] = {"binary": Binary, "continuous": Continuous}
