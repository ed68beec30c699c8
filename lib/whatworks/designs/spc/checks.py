"""Diagnostics for SPC charts, as :class:`~whatworks.results.Check` objects.

Per chart: gaps in the periods, a seasonal series with many signals, and an
intervention date outside the data.
Across charts: trial limits, screened moving ranges and excluded periods.

Examples
--------
>>> from whatworks.designs.spc.model import PhaseFit, UnitChart
>>> from whatworks.designs.spc.rules import xmr
>>> import pandas as pd
>>> days = tuple(pd.date_range("2024-01-01", periods=5, freq="7D"))
>>> chart = UnitChart("A", (PhaseFit("All periods", days, xmr([1, 2, 3, 2, 1])),), (), None)
>>> [(c.name, c.status) for c in summary_checks([chart], "week", True, "nhs")]
[('spc_trial_limits', 'warn')]
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import text
from ...results import Check
from .model import UnitChart
from .rules import NHS_SCREEN, TRIAL_LIMIT_POINTS

__all__ = ["unit_checks", "summary_checks"]

_FREQ_NOUN = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}


def _where(unit: str | None) -> str:
    return "" if unit is None else f" for unit '{unit}'"


def unit_checks(chart: UnitChart) -> list[Check]:
    """Warnings on one chart: missing periods, and an intervention date that
    falls outside the data (so the limits are not rebased)."""
    out = []
    if chart.gaps:
        out.append(
            Check(
                "spc_gaps",
                "warn",
                f"The series{_where(chart.unit)} has {text.plural(len(chart.gaps), 'missing period')} "
                f"(first {text.fmt_date(chart.gaps[0])}); the chart joins the points either side, "
                "which can hide or create signals.",
            )
        )
    if chart.seasonal:
        out.append(
            Check(
                "spc_seasonal",
                "warn",
                f"{round(100 * chart.flagged_share)}% of the points{_where(chart.unit)} signal special cause, and "
                f"the series has a seasonal pattern (test of month-of-year effects, "
                f"{text.fmt_p(chart.seasonal_p or 0.0)}): many signals may be the season, not a change. "
                "Compare each period with the same period a year earlier.",
            )
        )
    when = chart.requested_date
    if when is not None and chart.intervention_date is None:
        side = "after the end" if chart.phases[0].end < when else "before the start"
        out.append(
            Check(
                "spc_intervention_outside",
                "warn",
                f"The intervention date {text.fmt_date(when)} falls {side} of the data{_where(chart.unit)}, "
                "so the limits come from every period.",
            )
        )
    return out


def summary_checks(charts: Sequence[UnitChart], freq: str, screen: bool, rules: str) -> list[Check]:
    """Checks on trial limits, screened moving ranges and excluded periods (none without charts)."""
    if not charts:
        return []
    out = []
    noun = _FREQ_NOUN.get(freq, "period")
    short = [
        f"{c.unit + ' ' if c.unit else ''}{p.name.lower()} ({text.plural(p.xmr.n, noun)})"
        for c in charts
        for p in c.phases
        if p.xmr.trial_limits
    ]
    if short:
        out.append(
            Check(
                "spc_trial_limits",
                "warn",
                f"Fewer than {TRIAL_LIMIT_POINTS} points in: " + "; ".join(short[:6])
                + ("; …" if len(short) > 6 else "")
                + ". These are trial limits; recalculate them when more data arrive.",
            )
        )
    else:
        out.append(Check("spc_trial_limits", "pass", f"Every phase has at least {TRIAL_LIMIT_POINTS} points."))
    if rules == "nhs" and screen:
        n = sum(len(p.xmr.screened) for c in charts for p in c.phases)
        if n:
            out.append(
                Check(
                    "spc_screened",
                    "info",
                    f"{text.plural(n, 'moving range')} at or above {NHS_SCREEN} times the mean moving range "
                    f"{'was' if n == 1 else 'were'} screened out before the limits were set.",
                )
            )
    n_ex = sum(len(c.excluded) for c in charts)
    if n_ex:
        out.append(
            Check(
                "spc_excluded",
                "info",
                f"{text.plural(n_ex, 'excluded period')} left out of the limits and the rules (shown in grey).",
            )
        )
    return out
