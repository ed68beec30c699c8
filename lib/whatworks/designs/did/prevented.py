"""Crimes prevented relative to the comparison trend, and the total net effect of displacement.

Crimes prevented at the treated units is the count expected from the
comparison units' change minus the count observed, over the treated cells
(each treated unit from its own start): with the rate ratio ``RR`` and the
observed total ``O``, ``O / RR - O`` (for the imputation estimator exactly the
imputed minus the observed total). Its interval maps the rate ratio's
interval, from whichever inference the headline used (cluster-robust, wild
cluster bootstrap or placebo), through that decreasing function.

Displacement follows Guerette (2009, Problem-Oriented Policing tool guide
10, appendix B) and Bowers and Johnson (2003), on totals before (b) and
after (a) the first start in the response (treated) area R, the buffer D
and the comparison area C:

- success measure ``Ra/Ca - Rb/Cb`` (negative: crime fell at the treated
  units relative to the comparison units);
- buffer measure ``Da/Ca - Db/Cb`` (positive: possible displacement);
- total net effect ``[Rb(Ca/Cb) - Ra] + [Db(Ca/Cb) - Da]``, in crimes
  (positive: fewer crimes in the treated and buffer areas together than the
  comparison trend suggests), the sum of its treated and buffer parts.

Their intervals are percentile intervals of a bootstrap that resamples units
within each group (treated, buffer, comparison), so they allow for
differences between units and over-dispersed counts.

Examples
--------
>>> m = guide_measures(rb=100, ra=70, db=50, da=52, cb=1000, ca=900)
>>> round(m["success_measure"], 4), m["treated"], m["buffer"], m["net"]
(-0.0222, 20.0, -7.0, 13.0)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ... import text
from ...results import Estimate
from .checks import AREAS, Places
from .inference import Inference
from .panel import Panel

__all__ = ["GUIDE_NAMES", "guide_measures", "unit_totals", "bootstrap_guide", "guide_estimates",
           "observed_after", "prevented_from_ratio"]

#: The guide's measures, by the key :func:`guide_measures` returns them under.
GUIDE_NAMES = ("success_measure", "buffer_measure", "treated", "buffer", "net")


def guide_measures(*, rb: float | NDArray[np.float64], ra: float | NDArray[np.float64],
                   db: float | NDArray[np.float64], da: float | NDArray[np.float64],
                   cb: float | NDArray[np.float64], ca: float | NDArray[np.float64]
                   ) -> dict[str, float | NDArray[np.float64]]:
    """The success and buffer measures and the total net effect with its two parts (arrays allowed)."""
    k = ca / cb
    treated = rb * k - ra
    buffer = db * k - da
    return {"success_measure": ra / ca - rb / cb, "buffer_measure": da / ca - db / cb,
            "treated": treated, "buffer": buffer, "net": treated + buffer}


def unit_totals(panel: Panel, role: str, first: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each unit's total before and from column ``first`` (excluded cells left out)."""
    rows = panel.index(role)
    y = np.where(panel.mask[rows], panel.y[rows], 0.0)
    return y[:, :first].sum(axis=1), y[:, first:].sum(axis=1)


def bootstrap_guide(panel: Panel, first: int, *, seed: int, n_boot: int
                    ) -> dict[str, tuple[float, float | None, float | None, float | None]]:
    """Each guide measure as ``(estimate, se, low, high)``: units resampled within their group."""
    rng = np.random.default_rng(seed)
    totals = {role: unit_totals(panel, role, first) for role in ("treated", "buffer", "comparison")}
    point = guide_measures(rb=totals["treated"][0].sum(), ra=totals["treated"][1].sum(),
                           db=totals["buffer"][0].sum(), da=totals["buffer"][1].sum(),
                           cb=totals["comparison"][0].sum(), ca=totals["comparison"][1].sum())
    draws: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for role, (before, after) in totals.items():
        idx = rng.integers(0, before.size, size=(n_boot, before.size))
        draws[role] = (before[idx].sum(axis=1), after[idx].sum(axis=1))
    ok = (draws["comparison"][0] > 0) & (draws["comparison"][1] > 0)
    boot = guide_measures(rb=draws["treated"][0][ok], ra=draws["treated"][1][ok], db=draws["buffer"][0][ok],
                          da=draws["buffer"][1][ok], cb=draws["comparison"][0][ok], ca=draws["comparison"][1][ok])
    alpha = 1 - text.LEVEL
    out: dict[str, tuple[float, float | None, float | None, float | None]] = {}
    for name in GUIDE_NAMES:
        est = float(point[name])
        values = np.asarray(boot[name], dtype=float)
        if values.size < 2 or not math.isfinite(est):
            out[name] = (est, None, None, None)
            continue
        low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
        out[name] = (est, float(values.std(ddof=1)), float(low), float(high))
    return out


def observed_after(panel: Panel, lo: int = 0, hi: int | None = None) -> tuple[float, int]:
    """Observed total at the treated units ``lo`` to ``hi`` periods after each one's start, and the periods spanned.

    By default every period from each unit's start; excluded cells left out.
    """
    rows = panel.index("treated")
    rel = np.arange(panel.n_periods)[None, :] - panel.start[rows][:, None]
    cells = (rel >= lo) & panel.mask[rows]
    if hi is not None:
        cells &= rel <= hi
    span = int(rel[cells].max() - rel[cells].min() + 1) if cells.any() else 0
    return float(panel.y[rows][cells].sum()), span


def prevented_from_ratio(name: str, label: str, measure: str, observed: float, inf: Inference, *,
                         unit: str = "crimes", per: float = 1.0, outcome: str | None = None) -> Estimate | None:
    """``observed / RR - observed`` (divided by ``per``), its interval from the rate ratio's (log scale)."""
    if not math.isfinite(inf.estimate) or observed <= 0:
        return None

    def value(log_rr: float) -> float:
        return (observed * math.exp(-log_rr) - observed) / per

    low = None if inf.ci_high is None else value(inf.ci_high)
    high = None if inf.ci_low is None else value(inf.ci_low)
    se = None if inf.se is None else observed * math.exp(-inf.estimate) * inf.se / per
    level = inf.coverage if inf.coverage is not None and abs(inf.coverage - text.LEVEL) > 1e-9 else None
    return Estimate(name=name, label=label, measure=measure, estimate=value(inf.estimate), scale="count", se=se,
                    ci_low=low, ci_high=high, p_value=inf.p_value, unit=unit, outcome=outcome, ci_level=level)


#: Name, label, measure, scale and unit of each guide measure's estimate (the labels name the places as
#: ``{treated}``, ``{buffer}`` and ``{comparison}``, filled by :func:`guide_estimates`).
_GUIDE_ESTIMATES: dict[str, tuple[str, str, str, str, str]] = {
    "success_measure": ("success_measure", "Success measure: Ra/Ca - Rb/Cb (below 0: crime fell at the {treated} "
                        "relative to the {comparison})", "difference of ratios to the comparison total",
                        "difference", "ratio to the comparison total"),
    "buffer_measure": ("buffer_measure", "Buffer measure at the {buffer}: Da/Ca - Db/Cb (above 0: possible "
                       "displacement, below 0: possible diffusion of benefits)",
                       "difference of ratios to the comparison total", "difference", "ratio to the comparison total"),
    "treated": ("net_effect_treated", "Crimes prevented at the {treated}, by the totals: Rb(Ca/Cb) - Ra",
                "crimes, expected from the comparison trend minus observed", "count", "crimes"),
    "buffer": ("net_effect_buffer", "Crimes prevented at the {buffer}, by the totals: Db(Ca/Cb) - Da "
               "(below 0: crime moved there)", "crimes, expected from the comparison trend minus observed",
               "count", "crimes"),
    "net": ("crimes_prevented_net", "Crimes prevented net of displacement (total net effect: the {treated} "
            "and the {buffer} together)", "crimes, total net effect", "count", "crimes"),
}


def guide_estimates(guide: dict[str, tuple[float, float | None, float | None, float | None]], *,
                    outcome: str | None = None, places: Places = AREAS) -> list[Estimate]:
    """The guide's measures (from :func:`bootstrap_guide`) as estimates, the total net effect last.

    ``places`` names the groups in words (by default areas).
    """
    words = places.words()
    out = []
    for key, (name, label, measure, scale, unit) in _GUIDE_ESTIMATES.items():
        est, se, low, high = guide[key]
        out.append(Estimate(name=name, label=label.format(**words), measure=measure, estimate=est, se=se,
                            ci_low=low, ci_high=high, scale="count" if scale == "count" else "difference",
                            unit=unit, outcome=outcome))
    return out
