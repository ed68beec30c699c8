"""The difference-in-differences estimators, on arrays.

A *design* is a set of units (rows of the panel) and, for each, the column
where its treatment starts (``n_periods`` for never). Each estimator returns
named :class:`Stat` objects: an estimate on the model scale (log rate ratio
for counts, difference for continuous outcomes), its per-unit influence and
each unit's leverage on the effect (see :mod:`.inference`).

Estimators
----------
``twfe``
    Two-way fixed effects with one treatment indicator: Poisson for counts,
    least squares for continuous outcomes. Valid when all treated units
    start together.
``single``
    One treated unit: its change after the start relative to the period
    pattern fitted (Poisson or least squares, unit and period effects) on
    the comparison units alone; placebos apply the same calculation to each
    comparison unit against the same pattern.
``imputation``
    Borusyak, Jaravel and Spiess (2024): unit and period effects are fitted
    on untreated cells only (never treated, and treated units before their
    start); the treated cells' counterfactuals are imputed from them. For
    counts the effect is the ratio of summed observed to summed imputed
    counts. Valid under staggered starts with effects that differ by cohort
    and over time.

:func:`estimator_for` chooses among them from the starts, and :func:`wdq`
is the weighted displacement quotient of totals before and after the start.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(3)
>>> mu = np.exp(rng.normal(2, 0.2, (12, 1)) + rng.normal(0, 0.1, (1, 30)))
>>> start = np.array([15, 20] + [30] * 10)
>>> y = rng.poisson(mu * np.where(np.arange(30)[None] >= start[:, None], 0.7, 1.0)).astype(float)
>>> stat = ESTIMATORS["imputation"](y, np.zeros_like(y), np.ones_like(y, bool), start, "poisson")["did"]
>>> bool(abs(np.exp(stat.estimate) - 0.7) < 0.1)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .fixed_effects import fit_fe, imputation, slope_influence
from .panel import Panel

__all__ = ["Stat", "ESTIMATORS", "PLACEBO_BATCH", "event_bins", "event_stats", "treated_cells",
           "estimator_for", "design_rows", "role_totals", "wdq", "cohort_leads", "pretrend_stats"]


@dataclass(frozen=True)
class Stat:
    """One estimate on the model scale with its per-unit influence and leverage."""

    estimate: float
    influence: np.ndarray
    leverage: np.ndarray


def treated_cells(start: np.ndarray, n_periods: int) -> np.ndarray:
    """Cells at or after each unit's start, ``(units, periods)``."""
    return np.arange(n_periods)[None, :] >= np.asarray(start)[:, None]


def _twfe(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, start: np.ndarray,
          family: str, influence: bool = True) -> dict[str, Stat]:
    d = treated_cells(start, y.shape[1]).astype(float)
    fit = fit_fe(y, mask, [d], family=family, offset=offset, influence=influence)
    inf = slope_influence(fit)[:, 0]
    xt = np.nan_to_num(fit.xt[0])
    lev = np.sum(fit.weight * xt * xt, axis=1) * float(np.nan_to_num(fit.bread[0, 0]))
    return {"did": Stat(float(fit.beta[0]), inf, lev)}


def _imputation(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, start: np.ndarray,
                family: str, influence: bool = True) -> dict[str, Stat]:
    d = treated_cells(start, y.shape[1])
    fit = fit_fe(y, mask & ~d, family=family, offset=offset)
    return {"did": Stat(*imputation(y, fit, mask & d, offset, influence))}


def _unit_effect(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, period_fe: np.ndarray, start: int,
                 family: str) -> float:
    """One unit's change after ``start`` relative to a fitted period pattern.

    Counts: ``log(observed / expected after) - log(observed / expected before)``
    with expected = ``exp(period effect + offset)``; 0.5 is added to both
    observed totals when either is zero. Continuous: the mean residual after
    minus the mean residual before.
    """
    ok = mask & np.isfinite(period_fe) & np.isfinite(y)
    t = np.arange(y.size)
    pre, post = ok & (t < start), ok & (t >= start)
    if not pre.any() or not post.any():
        return float("nan")
    if family == "poisson":
        base = np.exp(period_fe + offset)
        obs_pre, obs_post = float(y[pre].sum()), float(y[post].sum())
        if obs_pre == 0 or obs_post == 0:
            obs_pre, obs_post = obs_pre + 0.5, obs_post + 0.5
        return float(np.log(obs_post / base[post].sum()) - np.log(obs_pre / base[pre].sum()))
    resid = y - period_fe
    return float(resid[post].mean() - resid[pre].mean())


def _single(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, start: np.ndarray, family: str,
            influence: bool = True) -> dict[str, Stat]:
    """One treated unit against the period pattern fitted on the comparison units alone."""
    treated = np.flatnonzero(start < y.shape[1])
    controls = np.flatnonzero(start >= y.shape[1])
    fit = fit_fe(y[controls], mask[controls], family=family, offset=offset[controls], influence=False)
    i = int(treated[0])
    est = _unit_effect(y[i], offset[i], mask[i], fit.period_fe, int(start[i]), family)
    zeros = np.zeros(y.shape[0])
    return {"did": Stat(est, zeros, zeros)}


def _single_placebos(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, starts: np.ndarray,
                     family: str) -> dict[str, np.ndarray]:
    """Each comparison unit's change against the same period pattern (which includes it).

    Sharing one fitted pattern between the treated unit and the placebos
    gives all of them the same centring, so under exchangeability the
    treated unit's error is equally likely to take any rank among them
    (the interval is exact). That centre is the comparison units' mean, not
    the treated unit's, so :func:`.inference.placebo_interval` ranks
    distances from the mean of all of them for the p-value.
    """
    fit = fit_fe(y, mask, family=family, offset=offset, influence=False)
    out = []
    for j, row in enumerate(starts):
        out.append(_unit_effect(y[j], offset[j], mask[j], fit.period_fe, int(row[j]), family))
    return {"did": np.array(out)}


#: Estimators by name; each maps (y, offset, mask, start, family, influence) to named
#: stats (``influence=False`` skips what only inference needs).
ESTIMATORS: dict[str, Callable[..., dict[str, Stat]]] = {
    "twfe": _twfe,
    "imputation": _imputation,
    "single": _single,
}


#: Fast versions for placebo re-assignments, where only the starts change.
PLACEBO_BATCH: dict[str, Callable[..., dict[str, np.ndarray]]] = {"single": _single_placebos}


def event_bins(start: np.ndarray, n_periods: int, n_units: int, window: Sequence[int] | None = None
               ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Lead and lag bins as ``(first, last)`` periods relative to the start.

    The number of lead bins is at most ``min(4, (G - 2) // 2)`` for ``G``
    units, and the periods before the earliest lead bin (at least one bin's
    width) are the reference. Lags are split into at most six bins.

    >>> event_bins(np.array([52, 52, 156]), 156, 20)
    ([(-40, -31), (-30, -21), (-20, -11), (-10, -1)], [(0, 17), (18, 35), (36, 53), (54, 71), (72, 89), (90, 103)])
    """
    treated = np.asarray(start)[np.asarray(start) < n_periods]
    pre_len = int(treated.min()) if treated.size else 0
    post_len = int(n_periods - treated.min()) if treated.size else 0
    if window is not None:
        pre_len = min(pre_len, int(abs(window[0])) + max(1, int(abs(window[0])) // 4))
        post_len = min(post_len, int(window[1]) + 1)
    n_lead = max(0, min(4, (n_units - 2) // 2, pre_len - 1))
    leads: list[tuple[int, int]] = []
    if n_lead:
        width = max(1, pre_len // (n_lead + 1))
        leads = [(-(j + 1) * width, -j * width - 1) for j in reversed(range(n_lead))]
    n_lag = max(1, min(6, post_len))
    width = int(np.ceil(post_len / n_lag)) if post_len else 1
    lags = [(j * width, min((j + 1) * width, post_len) - 1) for j in range(n_lag) if j * width < post_len]
    return leads, lags


def event_stats(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, start: np.ndarray, family: str,
                leads: Sequence[tuple[int, int]], lags: Sequence[tuple[int, int]]) -> dict[str, Stat]:
    """Event-study effects: lags by imputation, leads from the untreated-cell fit.

    Lags are imputed effects for treated cells in each bin of periods since
    the start (valid under staggered starts). Leads are the coefficients of
    bin indicators for the treated units' pre-start periods, added to the
    untreated-cell fit, against the earlier pre-start periods (Borusyak,
    Jaravel and Spiess's pre-trend test).
    """
    n_periods = y.shape[1]
    rel = np.arange(n_periods)[None, :] - np.asarray(start)[:, None]
    ever = (np.asarray(start) < n_periods)[:, None]
    d = rel >= 0
    out: dict[str, Stat] = {}
    fit0 = fit_fe(y, mask & ~d, family=family, offset=offset)
    for lo, hi in lags:
        cells = mask & d & (rel >= lo) & (rel <= hi)
        out[f"lag:{lo}:{hi}"] = Stat(*imputation(y, fit0, cells, offset))
    if leads:
        xs = [((rel >= lo) & (rel <= hi) & ever).astype(float) for lo, hi in leads]
        fit1 = fit_fe(y, mask & ~d, xs, family=family, offset=offset)
        inf = slope_influence(fit1)
        for j, (lo, hi) in enumerate(leads):
            xt = np.nan_to_num(fit1.xt[j])
            lev = np.sum(fit1.weight * xt * xt, axis=1) * float(np.nan_to_num(fit1.bread[j, j]))
            out[f"lead:{lo}:{hi}"] = Stat(float(fit1.beta[j]), inf[:, j], lev)
    return out


def cohort_leads(start: np.ndarray, n_periods: int, n_units: int, window: Sequence[int] | None = None
                 ) -> dict[int, list[tuple[int, int]]]:
    """Each cohort's lead bins for the pooled pre-trend test, by the cohort's start column.

    A cohort (treated units sharing a start) with at least two periods
    before its own start gets bins of those periods, measured against its
    own earliest periods (at least one bin's width). The bins in all are at
    most ``min(4, (G - 2) // 2)`` for ``G`` units, shared equally among the
    cohorts tested, at least one each; a cohort with fewer than two periods
    before its start is left out. With one cohort the bins are
    :func:`event_bins`' leads.

    >>> cohort_leads(np.array([3, 4, 20, 20]), 20, 20)
    {3: [(-2, -2), (-1, -1)], 4: [(-2, -2), (-1, -1)]}
    >>> cohort_leads(np.array([52, 52, 156]), 156, 20)[52] == event_bins(np.array([52, 52, 156]), 156, 20)[0]
    True
    """
    start = np.asarray(start)
    cap = max(0, min(4, (n_units - 2) // 2))
    pre: dict[int, int] = {}
    for c in sorted({int(s) for s in start if s < n_periods}):
        pre_len = c
        if window is not None:
            pre_len = min(pre_len, int(abs(window[0])) + max(1, int(abs(window[0])) // 4))
        if pre_len >= 2:
            pre[c] = pre_len
    if not pre or cap == 0:
        return {}
    share = cap if len(pre) == 1 else max(1, cap // len(pre))
    out: dict[int, list[tuple[int, int]]] = {}
    for c, pre_len in pre.items():
        n_lead = min(share, pre_len - 1)
        width = max(1, pre_len // (n_lead + 1))
        out[c] = [(-(j + 1) * width, -j * width - 1) for j in reversed(range(n_lead))]
    return out


def pretrend_stats(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, start: np.ndarray, family: str,
                   leads: dict[int, list[tuple[int, int]]]) -> dict[str, Stat]:
    """Each cohort's lead coefficients, fitted together on the untreated cells.

    One indicator per cohort and bin (``lead:<start column>:<from>:<to>``),
    added to the unit and period effects fitted on untreated cells only;
    each cohort's earlier periods are its reference. With one cohort these
    are :func:`event_stats`' leads.
    """
    n_periods = y.shape[1]
    start = np.asarray(start)
    rel = np.arange(n_periods)[None, :] - start[:, None]
    names, xs = [], []
    for c, bins in leads.items():
        member = (start == c)[:, None]
        for lo, hi in bins:
            names.append(f"lead:{c}:{lo}:{hi}")
            xs.append(((rel >= lo) & (rel <= hi) & member).astype(float))
    if not xs:
        return {}
    fit = fit_fe(y, mask & ~(rel >= 0), xs, family=family, offset=offset)
    inf = slope_influence(fit)
    out: dict[str, Stat] = {}
    for j, name in enumerate(names):
        xt = np.nan_to_num(fit.xt[j])
        lev = np.sum(fit.weight * xt * xt, axis=1) * float(np.nan_to_num(fit.bread[j, j]))
        out[name] = Stat(float(fit.beta[j]), inf[:, j], lev)
    return out


def estimator_for(start: np.ndarray, n_periods: int) -> str:
    """``imputation`` for staggered starts, ``single`` for one treated unit, else ``twfe``.

    >>> estimator_for(np.array([5, 8, 10]), 10), estimator_for(np.array([5, 10, 10]), 10)
    ('imputation', 'single')
    """
    treated = [int(s) for s in start if s < n_periods]
    if len(set(treated)) > 1:
        return "imputation"
    return "single" if len(treated) == 1 else "twfe"


def design_rows(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the treated units then the comparison units, and their starts."""
    treated = panel.index("treated")
    rows = np.concatenate([treated, panel.index("comparison")])
    start = np.full(rows.size, panel.n_periods, int)
    start[: treated.size] = panel.start[treated]
    return rows, start


def role_totals(panel: Panel, role: str, first: int) -> tuple[float, float]:
    """Total outcome of the units with ``role`` before and from column ``first`` (excluded cells left out)."""
    rows = panel.index(role)
    y = np.where(panel.mask[rows], panel.y[rows], 0.0)
    return float(y[:, :first].sum()), float(y[:, first:].sum())


def wdq(r_before: float, r_after: float, b_before: float, b_after: float, c_before: float,
        c_after: float) -> float | None:
    """Weighted displacement quotient (Bowers and Johnson, 2003).

    ``WDQ = (B_after/C_after - B_before/C_before) / (R_after/C_after - R_before/C_before)``
    for totals in the response (treated) area R, buffer B and comparison C.
    The denominator is the success measure (negative when crime fell at
    treated units relative to comparison units); the quotient is positive
    when benefits spread to the buffer (diffusion), negative when crime moved
    there (displacement), and below -1 when more moved than was prevented.
    ``None`` when undefined (no change at treated units relative to the
    comparison, or a zero comparison total).

    >>> round(wdq(100, 80, 50, 55, 200, 200), 2)
    -0.25
    >>> round(wdq(100, 80, 50, 40, 200, 200), 3)
    0.5
    """
    if min(c_before, c_after) <= 0:
        return None
    success = r_after / c_after - r_before / c_before
    if abs(success) < 1e-12:
        return None
    return float((b_after / c_after - b_before / c_before) / success)
