"""Difference-in-differences across areas: the effect, event study, placebos, displacement.

:func:`fit` compares the change at treated units (areas, sites) with the
change at comparison units over the same periods. Counts are modelled with
Poisson unit and period fixed effects (a rate ratio); continuous outcomes
with linear two-way fixed effects (a difference). When treated units start
on different dates the imputation estimator of Borusyak, Jaravel and Spiess
(2024) replaces the plain two-way estimator, which is biased when effects
differ by cohort or grow over time. With one treated unit, its change is
measured against the period effects fitted on the comparison units, and
each comparison unit's change against the same effects is a placebo.

Inference follows the number of treated units: cluster-robust (CR1, t(G-1))
with 10 or more, a restricted wild cluster bootstrap with jackknife
variances and Webb weights with 2 to 9, placebo in space with one (see
:mod:`._did_inference`).

Examples
--------
>>> from whatworks.simulate.did import hotspot
>>> series, truth = hotspot(7, n_comparison=9)
>>> res = fit(series, treated_units=["Hotspot"], intervention_date=truth["intervention_date"],
...           comparison_rationale="Streets with similar crime in 2022.")
>>> res.headline.name, res.regime, res.evidence.sms_level
('did', 'placebo', 3)
>>> res.check("coarse_interval").status
'warn'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from scipy import stats as _stats

from ..data import SeriesData
from ..errors import SpecError
from ._did_analysis import Analysis, analyse, design_rows, estimator_for, headline
from ._did_estimate import event_bins, event_stats
from ._did_inference import REGIMES, Inference, wild_wald_p
from ._did_input import Panel, build_panel
from ._did_result import DiDResult, build_result, wdq

__all__ = ["fit", "DiDResult", "wdq"]

_IMPROVEMENTS = ("decrease", "increase")


def _check_options(improvement: str, n_boot: int, event_window) -> tuple[int, int] | None:
    if improvement not in _IMPROVEMENTS:
        raise SpecError(f"'{improvement}' is not a direction", key="improvement",
                        hint="Use 'decrease' (fewer is better) or 'increase'.")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 99:
        raise SpecError("should be a whole number of at least 99", key="n_boot",
                        hint="Use 999 (the default) or more.")
    if event_window is None:
        return None
    try:
        lead, lag = (int(v) for v in event_window)
    except (TypeError, ValueError):
        raise SpecError("should be two whole numbers of periods, e.g. [-26, 52]", key="event_window",
                        hint="Give how many periods before and after the start to show.") from None
    if lag < 0 or lead == 0:
        raise SpecError("should reach before and after the start, e.g. [-26, 52]", key="event_window",
                        hint="Give a negative number of periods before and a positive number after.")
    return lead, lag


def _event_study(panel: Panel, window, seed: int, n_boot: int) -> tuple[list[dict], float | None, int]:
    """Event-study bins with intervals, and the joint pre-period p-value."""
    rows, start = design_rows(panel)
    leads, lags = event_bins(start, panel.n_periods, rows.size, window)

    def runner(y, offset, mask, st, influence):
        return event_stats(y, offset, mask, st, panel.family, leads, lags)

    out = analyse(panel, rows, start, runner, seed=seed, n_boot=n_boot)
    bins = []
    for kind, group in (("lead", leads), ("lag", lags)):
        for lo, hi in group:
            inf = out.inference.get(f"{kind}:{lo}:{hi}")
            if inf is not None:
                bins.append({"kind": kind, "from": lo, "to": hi, "inference": inf})
    names = [f"lead:{lo}:{hi}" for lo, hi in leads if f"lead:{lo}:{hi}" in out.stats]
    return bins, _pretrend_p(out, names, rows.size, seed, n_boot), len(names)


def _pretrend_p(out: Analysis, names: list[str], n_units: int, seed: int, n_boot: int) -> float | None:
    """Joint test that the lead coefficients are zero, in the regime's own way."""
    b = np.array([out.stats[n].estimate for n in names])
    if b.size == 0 or not np.all(np.isfinite(b)):
        return None
    if out.regime == "placebo":
        stat = float(np.sum(b**2))
        plac = np.sum(np.vstack([out.placebos[n] for n in names]) ** 2, axis=0)
        plac = plac[np.isfinite(plac)]
        return float((1 + np.sum(plac >= stat)) / (plac.size + 1)) if plac.size else None
    inf = np.column_stack([out.stats[n].influence for n in names])
    if out.regime == "wild":
        lev = np.column_stack([out.stats[n].leverage for n in names])
        return wild_wald_p(b, inf, lev, seed=seed, n_boot=n_boot)
    cov = n_units / (n_units - 1) * inf.T @ inf
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        return None
    wald = float(b @ np.linalg.pinv(cov) @ b)
    return float(_stats.f.sf(wald / rank, rank, n_units - 1))


def _placebo_in_time(panel: Panel, seed: int, n_boot: int) -> tuple[Inference | None, str | None]:
    """The same model on data before the first start, with a fake start at its midpoint."""
    first = int(panel.start[panel.index("treated")].min())
    if first < 4:
        return None, None
    cut = dataclasses.replace(
        panel, periods=panel.periods[:first], y=panel.y[:, :first], offset=panel.offset[:, :first],
        mask=panel.mask[:, :first],
        start=np.where(panel.start < panel.n_periods, first // 2, first),
    )
    out = headline(cut, seed=seed, n_boot=n_boot)
    return out["did"], panel.periods[first // 2].date().isoformat()


def _displacement(panel: Panel, seed: int, n_boot: int) -> Analysis | None:
    """Buffer units against comparison units, from the first start, by the same model."""
    buffers = panel.index("buffer")
    if buffers.size == 0:
        return None
    first = int(panel.start[panel.index("treated")].min())
    roles = tuple({"buffer": "treated", "treated": "unused"}.get(r, r) for r in panel.roles)
    start = np.where(np.isin(np.arange(len(panel.units)), buffers), first, panel.n_periods)
    return headline(dataclasses.replace(panel, roles=roles, start=start), seed=seed, n_boot=n_boot)


def _cohorts(panel: Panel, seed: int, n_boot: int) -> dict[int, Analysis]:
    """Each cohort (units sharing a start) against the comparison units alone."""
    treated = panel.index("treated")
    out = {}
    for col in sorted({int(panel.start[i]) for i in treated}):
        roles = tuple("unused" if r == "treated" and panel.start[i] != col else r
                      for i, r in enumerate(panel.roles))
        out[col] = headline(dataclasses.replace(panel, roles=roles), seed=seed, n_boot=n_boot)
    return out


def _totals(panel: Panel, role: str, first: int) -> tuple[float, float]:
    rows = panel.index(role)
    y = np.where(panel.mask[rows], panel.y[rows], 0.0)
    return float(y[:, :first].sum()), float(y[:, first:].sum())


def fit(series: SeriesData, *, treated_units: Sequence[str], intervention_date,
        comparison_units: Sequence[str] | None = None, buffer_units: Sequence[str] | None = None,
        comparison_rationale: str | None = None, outcome_type: str = "count",
        improvement: str = "decrease", seed: int = 20240401, n_boot: int = 999,
        event_window: Sequence[int] | None = None) -> DiDResult:
    """Difference-in-differences of treated against comparison units.

    Parameters
    ----------
    series
        A panel: columns ``period``, ``unit``, ``outcome`` and optionally
        ``exposure`` (log offset for counts) and ``excluded`` (left out of
        fits). Other columns (activity measures) are not used.
    treated_units
        Units that received the intervention.
    intervention_date
        One start date for all treated units, or a mapping from each
        treated unit to its own start (staggered starts).
    comparison_units
        Units that did not; by default every unit that is neither treated
        nor a buffer.
    buffer_units
        Units next to treated ones, used to look for displacement.
    comparison_rationale
        How and when the comparison units were chosen; needed for Maryland
        level 3.
    outcome_type
        ``count`` (rate ratio, Poisson) or ``continuous`` (difference).
    improvement
        ``decrease`` or ``increase``: which direction is hoped for.
    seed, n_boot
        Random seed and number of draws for the wild cluster bootstrap.
    event_window
        ``[before, after]`` periods around the start for the event study,
        e.g. ``[-26, 52]``; all periods by default.

    Returns
    -------
    DiDResult
        Estimates ``did`` (headline), per-cohort ``did.<date>`` when starts
        are staggered, ``did_twfe`` (for comparison, staggered only),
        ``placebo_in_time``, ``buffer_did`` and ``wdq`` (with buffers).
    """
    window = _check_options(improvement, n_boot, event_window)
    panel = build_panel(series, treated_units, intervention_date, comparison_units, buffer_units,
                        outcome_type)
    rows, start = design_rows(panel)
    method = estimator_for(start, panel.n_periods)
    main = headline(panel, seed=seed, n_boot=n_boot, method=method)
    staggered = method == "imputation"
    plain = headline(panel, seed=seed, n_boot=n_boot, method="twfe") if staggered else None
    cohorts = _cohorts(panel, seed, n_boot) if staggered else {}
    bins, pretrend_p, n_leads = _event_study(panel, window, seed, n_boot)
    placebo_time, placebo_date = _placebo_in_time(panel, seed, n_boot)
    buffer = _displacement(panel, seed, n_boot)
    first = int(panel.start[panel.index("treated")].min())
    quotient = None
    if buffer is not None:
        quotient = wdq(*_totals(panel, "treated", first), *_totals(panel, "buffer", first),
                       *_totals(panel, "comparison", first))
    return build_result(
        panel=panel, method=method, main=main, plain=plain, cohorts=cohorts, bins=bins, pretrend_p=pretrend_p,
        n_leads=n_leads, placebo_time=placebo_time, placebo_date=placebo_date, buffer=buffer,
        quotient=quotient, rationale=comparison_rationale, improvement=improvement, seed=seed,
        n_boot=n_boot, regime_note=REGIMES[main.regime],
    )
