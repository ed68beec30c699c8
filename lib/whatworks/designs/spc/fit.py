"""Statistical process control (XmR) charts the Making Data Count way.

One chart per unit (or one for a single series): a centre line and process
limits computed from a baseline (the periods before the change, or
``spc_baseline``) and extended past the change, so a sustained change shows
as a signal against the old process; a new phase only where ``spc_rebase``
asks for one. The chart shows
the points that signal special-cause variation, coloured as NHS England's
"Making Data Count" does: blue for improvement, orange for concern, grey for
common cause. The rule profile is chosen by ``spc_rules``: ``nhs`` (the
default, as implemented by the R package NHSRplotthedots 0.2.2) or
``police-2sd`` (mean ± 2 standard deviations); see
:mod:`whatworks.designs.spc.rules` for the arithmetic.

Examples
--------
>>> import pandas as pd
>>> from whatworks.data import SeriesData
>>> frame = pd.DataFrame({
...     "period": pd.date_range("2024-01-01", periods=24, freq="7D"),
...     "outcome": [60.0, 62, 61, 63, 60, 64, 62, 61, 63, 62, 60, 64,
...                 50, 48, 49, 47, 50, 48, 46, 49, 47, 48, 50, 48]})
>>> res = fit(SeriesData(frame, "week"), intervention_date="2024-03-25")
>>> [round(p.xmr.mean, 2) for p in res.units[0].phases]
[61.83]
>>> res.to_spc_dict()["units"][0]["variation"]
'improving_low'
>>> rebased = fit(SeriesData(frame, "week"), intervention_date="2024-03-25", spc_rebase="at_change")
>>> rebased.to_spc_dict()["units"][0]["phases"][1]["start"]
'2024-03-25'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...data import SeriesData
from ...errors import DataError
from ...results import Evidence
from .checks import summary_checks, unit_checks
from .inputs import baseline_range, choose, choose_units, intervention_dates, target_value
from .model import BOUNDS, IMPROVEMENT_SIGN, REBASE, all_units, fit_unit
from .plots import GRID_ABOVE
from .result import SPCResult
from .rules import PROFILES
from .words import data_notes, method_notes, summary

__all__ = ["fit"]


def fit(
    series: SeriesData,
    *,
    intervention_date: Any = None,
    spc_rules: str = "nhs",
    spc_screen_outliers: bool = True,
    improvement: str = "decrease",
    units: Sequence[str] | None = None,
    spc_rebase: str = "none",
    spc_baseline: Any = None,
    outcome_type: str = "count",
    target: float | None = None,
    denominator_column: str | None = None,
) -> SPCResult:
    """XmR charts with limits from a baseline, extended past the change.

    Parameters
    ----------
    series
        Tidy data: ``period`` and ``outcome``, optionally ``unit`` (one chart
        per unit) and ``excluded`` (periods left out of limits and rules,
        shown greyed).
    intervention_date
        When the change began: the periods before it are the baseline whose
        limits are extended over the periods from it (Making Data Count). A
        date, or a mapping of unit to date for staggered starts (units not in
        the mapping take every period as the baseline).
    spc_rules
        ``"nhs"`` (default) or ``"police-2sd"``.
    spc_screen_outliers
        ``nhs`` only: screen out moving ranges at or above 3.267 times the
        mean moving range before setting the limits.
    improvement
        ``"decrease"`` (default: fewer incidents is better) or ``"increase"``.
    units
        Which units to chart, in order; default every unit in the data.
    spc_rebase
        ``"none"`` (default: one set of limits), ``"at_change"`` (new limits
        from the change) or ``"on_shift"`` (a new phase where a run on one
        side of the mean starts after the baseline).
    spc_baseline
        ``{"from": date, "to": date}`` (either may be left out) or a list of
        two dates: the periods the limits come from, instead of those before
        the change.
    outcome_type
        ``count`` (lower limit never below zero), ``proportion`` (limits
        within 0 to 1) or ``continuous``.
    target
        The target for the assurance icon, in the outcome's units.
    denominator_column
        The spec's name of a proportion's denominator, for the words of the
        p′ chart that a series with a ``denominator`` column gets beside
        each XmR chart (Laney's p′, limits from the same baseline).

    Returns
    -------
    SPCResult

    Raises
    ------
    SpecError
        An unknown profile or improvement direction, or units not in the data.
    DataError
        Two rows for the same period (and unit), or a missing outcome.
    """
    profile = choose(spc_rules, PROFILES, "spc_rules")
    choose(improvement, IMPROVEMENT_SIGN, "improvement")
    choose(spc_rebase, dict.fromkeys(REBASE), "spc_rebase")
    choose(outcome_type, BOUNDS, "outcome_type")
    base = baseline_range(spc_baseline)
    goal = target_value(target)
    frame = series.frame
    missing = [c for c in ("period", "outcome") if c not in frame.columns]
    if missing:
        raise DataError(
            "the data has no " + " or ".join(f"'{c}'" for c in missing) + " column for the SPC chart",
            file=series.source,
            hint="Load the data with whatworks.data.load_series first.",
        )
    chosen = choose_units(frame, units, series.source)
    dates = intervention_dates(intervention_date, chosen, all_units(frame), series.source)
    charts = [
        fit_unit(
            frame if unit is None else frame[frame["unit"].astype(str) == unit],
            unit,
            dates.get(unit),
            freq=series.freq,
            rules=profile.name,
            screen=bool(spc_screen_outliers),
            improvement=improvement,
            source=series.source,
            rebase=spc_rebase,
            baseline=base,
            outcome_type=outcome_type,
            target=goal,
        )
        for unit in chosen
    ]
    checks = tuple(c for chart in charts for c in unit_checks(chart)) + tuple(
        summary_checks(charts, series.freq, spc_screen_outliers, profile.name)
    )
    periods = [p for c in charts for ph in c.phases for p in (ph.start, ph.end)]
    denominator = str(denominator_column).replace("_", " ").strip() if denominator_column else None
    return SPCResult(
        rules=profile.name,
        improvement=improvement,
        rebase=spc_rebase,
        screen_outliers=bool(spc_screen_outliers),
        units=tuple(charts),
        freq=series.freq,
        outcome_label=series.outcome_label,
        denominator_label=denominator,
        checks=checks,
        evidence=Evidence(
            1,
            "SPC charts compare each area with its own past: they do not control for trend, season "
            "or other changes at the same time, so a signal after the change is an association, not proof of cause.",
            "Compare with areas that had no intervention (difference-in-differences) to raise the level.",
        ),
        summary_text=summary(charts, series.freq, series.outcome_label, profile.name, denominator),
        notes=method_notes(profile.name, spc_screen_outliers, rebase=spc_rebase,
                           baseline=base is not None, changed=any(c.intervention_date is not None for c in charts),
                           bounds=outcome_type if "denominator" not in frame.columns else "proportion",
                           p_chart=any(c.laney is not None for c in charts), grid=len(charts) > GRID_ABOVE)
        + data_notes(series.frame)
        if charts
        else ("No SPC charts were drawn (spc: none).",),
        period_start=min(periods).date() if periods else None,
        period_end=max(periods).date() if periods else None,
    )
