"""The effect in the units people use: crimes prevented, and percentage points.

From a fitted segmented regression, over the analysed periods after the
start (the ``during`` phase):

- counts: crimes prevented, the expected count without the intervention
  minus the expected count with it, summed over those periods (positive =
  fewer than expected), and the same in the last of them (the effect at the
  end of the series);
- proportions: the change in percentage points, the fitted rate minus the
  counterfactual rate over those periods (each period weighted by its
  denominator, so it is the rate over the whole period after the start).

Both are smooth functions of the coefficients, so their intervals are by the
delta method with the model's covariance (which carries the over-dispersion
scale and any correction for autocorrelation the model applied). Both
expected counts come from the model, so the interval covers the expected
difference given the model; because the level term makes the fitted total
after the start equal the observed total (Poisson and binomial scores), the
estimate is also the observed minus the expected count.

Examples
--------
>>> import numpy as np
>>> from whatworks.designs.its.model import Design, ModelFit
>>> X = np.column_stack([np.ones(4), [0, 0, 1, 1.0]])
>>> d = Design(X, ("intercept", "level"), 1, np.array(["before", "before", "during", "during"]))
>>> m = ModelFit(np.log([10.0, 0.8]), np.diag([0.01, 0.02]), "log", 1.0, "pearson", np.zeros(4), "x")
>>> e = crimes_prevented(m, d, np.zeros(4), np.ones(4, bool))[0]
>>> round(e.estimate, 6), e.unit, e.scale
(4.0, 'crimes', 'count')
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from ...dates import FREQS
from ...results import Estimate, Scale
from .inference import Z
from .model import Design, ModelFit

__all__ = ["crimes_prevented", "points_change", "rate_totals", "rate_before"]


def _estimate(name: str, label: str, measure: str, est: float, grad: NDArray[np.float64], cov: NDArray[np.float64],
              unit: str, scale: Scale, outcome: str) -> Estimate:
    se = float(np.sqrt(max(float(grad @ cov @ grad), 0.0)))
    p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else None
    return Estimate(name=name, label=label, measure=measure, estimate=est, scale=scale,
                    se=se, ci_low=est - Z * se, ci_high=est + Z * se, p_value=p, unit=unit, outcome=outcome)


def crimes_prevented(model: ModelFit, design: Design, offset: NDArray[np.float64], rows: NDArray[np.bool_],
                     freq: str = "week", label: str = "crimes") -> list[Estimate]:
    """``crimes_prevented`` over the analysed periods after the start, and ``crimes_prevented_end`` in the last.

    Counts only (log link). ``rows`` are the fitted rows; none after the
    start gives no estimates.
    """
    post = rows & (design.phase == "during")
    if not post.any():
        return []
    X, Xcf = design.X[post], design.counterfactual()[post]
    mu1 = np.exp(X @ model.params + offset[post])
    mu0 = np.exp(Xcf @ model.params + offset[post])
    per_row = mu0[:, None] * Xcf - mu1[:, None] * X  # gradient of mu0 - mu1, row by row
    word = FREQS[freq].word
    n = int(post.sum())
    total = _estimate("crimes_prevented", "Crimes prevented: expected without the intervention minus expected "
                      "with it, after it began",
                      f"crimes prevented over {n} {word}{'s' if n != 1 else ''} (expected minus observed)",
                      float(np.sum(mu0 - mu1)), per_row.sum(axis=0), model.cov, "crimes", "count", label)
    end = _estimate("crimes_prevented_end", f"Crimes prevented in the last {word} (the effect at the end of "
                    "the series)", f"crimes prevented per {word}, in the last {word}",
                    float(mu0[-1] - mu1[-1]), per_row[-1], model.cov, f"crimes per {word}", "count", label)
    return [total, end]


def rate_before(outcome: NDArray[np.float64], denominator: NDArray[np.float64], design: Design,
                rows: NDArray[np.bool_]) -> float | None:
    """The observed rate (share) over the analysed periods before the start."""
    pre = rows & (design.phase == "before")
    total = float(denominator[pre].sum())
    return float(outcome[pre].sum()) / total if total > 0 else None


def rate_totals(model: ModelFit, design: Design, rows: NDArray[np.bool_],
                denominator: NDArray[np.float64]) -> tuple[float, float] | None:
    """The counterfactual and fitted rates (shares) over the analysed periods after the start."""
    post = rows & (design.phase == "during")
    if not post.any():
        return None
    w = denominator[post] / denominator[post].sum()
    p1 = model.inverse(design.X[post] @ model.params)
    p0 = model.inverse(design.counterfactual()[post] @ model.params)
    return float(w @ p0), float(w @ p1)


def points_change(model: ModelFit, design: Design, rows: NDArray[np.bool_], denominator: NDArray[np.float64],
                  label: str = "outcome", headline: bool = True) -> Estimate | None:
    """``percentage_point_change``: fitted minus counterfactual rate after the start, in points.

    Proportions only (logit link); each period weighted by its denominator.
    """
    post = rows & (design.phase == "during")
    if not post.any():
        return None
    w = denominator[post] / denominator[post].sum()
    X, Xcf = design.X[post], design.counterfactual()[post]
    p1 = model.inverse(X @ model.params)
    p0 = model.inverse(Xcf @ model.params)
    grad = 100 * (w[:, None] * ((p1 * (1 - p1))[:, None] * X - (p0 * (1 - p0))[:, None] * Xcf)).sum(axis=0)
    est = _estimate("percentage_point_change", "Change in the rate after it began, in percentage points "
                    f"(from {100 * float(w @ p0):.1f}% expected to {100 * float(w @ p1):.1f}%)",
                    "percentage points, averaged over the periods after the start", 100 * float(w @ (p1 - p0)),
                    grad, model.cov, "percentage points", "difference", label)
    return est.with_headline(headline)
