"""Estimates with intervals from a fitted segmented regression.

Wald intervals with normal quantiles on the link scale (exponentiated for
counts and proportions), the total effect (observed minus expected counts)
with its delta-method interval, and the fitted and counterfactual series
with the counterfactual's 95% band.

Examples
--------
>>> e = wald_estimate("level_change", "Change in level", "rate ratio", 0.0, 0.1, "ratio", "rate ratio")
>>> e.estimate, round(e.ci_low, 3), round(e.ci_high, 3)
(1.0, 0.822, 1.217)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from ...dates import FREQS
from ...results import Estimate
from .model import Design, ModelFit

__all__ = ["Z", "MEASURES", "wald_estimate", "effects", "total_effect", "series_frame"]

#: The normal quantile of the 95% interval.
Z = float(stats.norm.ppf(0.975))

#: Measure and scale of a change by outcome type.
MEASURES = {"count": ("rate ratio", "ratio"), "proportion": ("odds ratio", "ratio"),
            "continuous": ("difference", "difference")}
_SEGMENTS = {"": ("Change in level when the intervention began", "Change in slope after it began"),
             "_after_end": ("Change in level when the intervention ended",
                            "Change in slope after it ended")}


def wald_estimate(name: str, label: str, measure: str, b: float, se: float, scale: str, unit: str,
                  headline: bool = False, outcome: str | None = None) -> Estimate:
    """A coefficient ``b`` with standard error ``se`` as an estimate with its Wald interval."""
    p = float(2 * stats.norm.sf(abs(b / se))) if se > 0 else None
    if scale == "ratio":
        return Estimate(name=name, label=label, measure=measure, estimate=float(np.exp(b)), scale="ratio",
                        se=float(se), ci_low=float(np.exp(b - Z * se)), ci_high=float(np.exp(b + Z * se)),
                        p_value=p, unit=unit, headline=headline, outcome=outcome)
    return Estimate(name=name, label=label, measure=measure, estimate=float(b), scale="difference",
                    se=float(se), ci_low=float(b - Z * se), ci_high=float(b + Z * se), p_value=p,
                    unit=unit, headline=headline, outcome=outcome)


def effects(model: ModelFit, design: Design, kind: str, freq: str, label: str) -> list[Estimate]:
    """The level and slope changes in the design, the first level change the headline."""
    measure, scale = MEASURES[kind]
    out: list[Estimate] = []
    for suffix, (level_words, slope_words) in _SEGMENTS.items():
        for term, words, per in (("level", level_words, ""), ("slope", slope_words, f" per {FREQS[freq].word}")):
            if term + suffix not in design.names:
                continue
            i = design.column(term + suffix)
            unit = f"{measure}{per}" if scale == "ratio" else f"{label}{per}"
            out.append(wald_estimate(f"{term}_change{suffix}", words, f"{measure}{per}", model.params[i],
                                     float(np.sqrt(model.cov[i, i])), scale, unit,
                                     headline=(term == "level" and suffix == ""), outcome=label))
    return out


def total_effect(model: ModelFit, Xcf: NDArray[np.float64], offset: NDArray[np.float64],
                 y_all: NDArray[np.float64], rows: NDArray[np.bool_], name: str, label: str,
                 words: str) -> Estimate | None:
    """Observed minus expected counts over ``rows``, with a delta-method interval (None without rows)."""
    if not rows.any():
        return None
    eta = Xcf[rows] @ model.params + offset[rows]
    cf = np.exp(eta)
    grad = (cf[:, None] * Xcf[rows]).sum(axis=0)
    se = float(np.sqrt(grad @ model.cov @ grad))
    est = float(y_all[rows].sum() - cf.sum())
    return Estimate(name=name, label=words, measure=f"{label}, observed minus expected", estimate=est,
                    scale="total", se=se, ci_low=est - Z * se, ci_high=est + Z * se,
                    p_value=float(2 * stats.norm.sf(abs(est / se))) if se > 0 else None, unit=label,
                    outcome=label)


def series_frame(f: pd.DataFrame, design: Design, model: ModelFit | None, kind: str,
                 offset: NDArray[np.float64]) -> pd.DataFrame:
    """One row per period: observed, fitted, counterfactual and its band, excluded, phase.

    Without a model (``None``) the fitted and counterfactual columns are blank.
    """
    observed = f["outcome"].to_numpy() / (f["denominator"].to_numpy() if kind == "proportion" else 1.0)
    out = pd.DataFrame({"period": f["period"].to_numpy(), "observed": observed})
    if model is None:
        for col in ("fitted", "counterfactual", "cf_low", "cf_high"):
            out[col] = np.nan
    else:
        scale = 1.0 if kind == "proportion" else np.exp(offset) if kind == "count" else 1.0
        eta, _ = model.linear(design.X)
        eta_cf, se_cf = model.linear(design.counterfactual())
        out["fitted"] = model.inverse(eta) * scale
        out["counterfactual"] = model.inverse(eta_cf) * scale
        out["cf_low"] = model.inverse(eta_cf - Z * se_cf) * scale
        out["cf_high"] = model.inverse(eta_cf + Z * se_cf) * scale
    out["excluded"] = f["excluded"].to_numpy()
    out["phase"] = design.phase
    return out
