"""An effect judged against the analysis plan, and what it buys.

:func:`against_plan` reads an effect's 95% interval against the plan's
smallest effect of interest ``d``: the interval's place relative to no
effect and to ``d`` in the direction of the estimate decides the reading.

``larger``
    The estimate is at least ``d`` and the interval excludes no effect
    (``settled`` when the whole interval is beyond ``d``).
``smaller``
    The estimate is short of ``d``; either the interval excludes no effect
    (a real effect; ``settled`` when the interval also rules out ``d``), or
    it includes no effect but lies wholly inside ``-d`` to ``d`` (no effect
    worth having; ``settled``).
``inconclusive``
    The interval includes both no effect and ``d``.

With a plan of ``equivalence`` the reading is ``equivalent`` when the
interval lies inside ``-d`` to ``d`` (two one-sided tests at 2.5%), else
``not_shown``; with ``non_inferiority`` it is ``non_inferior`` when the
interval excludes a harm of ``d``, else ``not_shown``. Ratios are read on
the log scale, where ``d`` means the band ``1 - d`` to ``1 / (1 - d)``.

:func:`number_needed_to_treat` turns a risk difference into people per
outcome avoided (Altman 1998, BMJ 317:1309: an interval that crosses no
effect runs from NNT benefit through infinity to NNT harm).

Examples
--------
>>> against_plan(-0.015, -0.028, -0.001, 0.02).code
'smaller'
>>> against_plan(-0.015, -0.028, -0.001, 0.02).settled
False
>>> against_plan(-0.04, -0.053, -0.027, 0.02).code, against_plan(0.01, -0.03, 0.05, 0.02).code
('larger', 'inconclusive')
>>> n = number_needed_to_treat(-0.05, -0.10, 0.02, better="lower")
>>> n.kind, round(n.nnt), n.through_infinity, round(n.low), round(n.high)
('benefit', 20, True, 10, 50)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = ["HYPOTHESES", "Reading", "against_plan", "NNT", "number_needed_to_treat"]

#: What the analysis plan can set out to show for an outcome.
HYPOTHESES = ("superiority", "equivalence", "non_inferiority")


@dataclass(frozen=True)
class Reading:
    """An effect against the plan: ``code``, and whether the interval settles it."""

    code: str
    settled: bool
    includes_null: bool


def _log(value: float) -> float:
    return math.log(value) if value > 0 else -math.inf


def against_plan(estimate: float, low: float, high: float, smallest: float, *, ratio: bool = False,
                 hypothesis: str = "superiority", better: str | None = None) -> Reading:
    """Read an estimate and its interval against the smallest effect of interest ``smallest`` (> 0).

    ``better`` (``lower`` or ``higher``) is needed for ``non_inferiority``.

    >>> against_plan(0.0, -0.01, 0.012, 0.02, hypothesis="equivalence").code
    'equivalent'
    >>> against_plan(-0.01, -0.025, 0.005, 0.02, hypothesis="non_inferiority", better="lower").code
    'non_inferior'
    """
    if not all(math.isfinite(v) for v in (estimate, low, high)) or not smallest > 0:
        return Reading("withheld", False, False)
    if ratio:
        if not smallest < 1:
            raise ValueError("a ratio's smallest effect is a proportional change below 1")
        x, lo, hi, d = _log(estimate), _log(low), _log(high), -math.log(1 - smallest)
    else:
        x, lo, hi, d = estimate, low, high, smallest
    includes_null = lo <= 0 <= hi
    if hypothesis == "equivalence":
        inside = -d < lo and hi < d
        return Reading("equivalent" if inside else "not_shown", inside, includes_null)
    if hypothesis == "non_inferiority":
        if better not in ("lower", "higher"):
            raise ValueError("a non-inferiority reading needs the better direction (lower or higher)")
        safe = hi < d if better == "lower" else lo > -d
        return Reading("non_inferior" if safe else "not_shown", safe, includes_null)
    if x < 0:  # read in the estimate's direction
        x, lo, hi = -x, -hi, -lo
    if lo > 0:
        if lo >= d:
            return Reading("larger", True, False)
        if hi < d:
            return Reading("smaller", True, False)
        return Reading("larger" if x >= d else "smaller", False, False)
    if -d < lo and hi < d:
        return Reading("smaller", True, True)
    return Reading("inconclusive", False, True)


@dataclass(frozen=True)
class NNT:
    """Number needed to treat for one more good outcome (``kind`` ``benefit``) or one more bad (``harm``).

    ``low`` and ``high`` bound the interval. When ``through_infinity`` the
    interval is not ``low`` to ``high`` but ``low`` NNT benefit, through
    infinity (no effect), to ``high`` NNT harm (Altman 1998).
    """

    nnt: float
    kind: Literal["benefit", "harm", "none"]
    low: float
    high: float
    through_infinity: bool


def number_needed_to_treat(rd: float, low: float, high: float, *, better: str = "lower") -> NNT:
    """The number needed to treat from a risk difference ``rd`` (active minus control) and its interval.

    ``better`` says whether fewer (``lower``, e.g. repeat victimisation) or
    more (``higher``) people with the outcome is the good direction.

    >>> n = number_needed_to_treat(-0.04, -0.053, -0.027)
    >>> n.kind, round(n.nnt), round(n.low, 1), round(n.high, 1), n.through_infinity
    ('benefit', 25, 18.9, 37.0, False)
    """
    if better not in ("lower", "higher"):
        raise ValueError("better must be 'lower' or 'higher'")
    sign = -1.0 if better == "lower" else 1.0
    gain, g_low, g_high = sign * rd, min(sign * low, sign * high), max(sign * low, sign * high)
    nnt = math.inf if gain == 0 else 1 / abs(gain)
    kind: Literal["benefit", "harm", "none"] = "none" if gain == 0 else ("benefit" if gain > 0 else "harm")
    if g_low > 0 or g_high < 0:  # the interval excludes no effect: one kind throughout
        a, b = sorted((1 / abs(g_low), 1 / abs(g_high)))
        return NNT(nnt, kind, a, b, False)
    benefit = math.inf if g_high == 0 else 1 / g_high
    harm = math.inf if g_low == 0 else 1 / -g_low
    return NNT(nnt, kind, benefit, harm, True)
