"""Statistical process control (XmR) charts, rebased at the intervention.

One chart per unit (or one for a single series): a centre line and process
limits for each phase, computed separately before and after the change, and
the points that signal special-cause variation, coloured as NHS England's
"Making Data Count" does: blue for improvement, orange for concern, grey for
common cause. The rule profile is chosen by ``spc_rules``: ``nhs`` (the
default, as implemented by the R package NHSRplotthedots 0.2.2) or
``police-2sd`` (mean ± 2 standard deviations); see
:mod:`whatworks.designs._spc_rules` for the arithmetic.

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
[61.83, 48.33]
>>> res.to_spc_dict()["units"][0]["phases"][1]["start"]
'2024-03-25'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import text
from ..data import SeriesData
from ..display import Table
from ..errors import DataError
from ..plots import ChartSet
from ..results import Check, Evidence, Result, clean
from ._spc_inputs import choose, choose_units, intervention_dates
from ._spc_rules import (
    PROFILES,
    RULE_WORDS,
    TRIAL_LIMIT_POINTS,
    PointSignal,
    XmRPhase,
    xmr,
)
from ._spc_words import summary, summary_checks, unit_sentence

__all__ = ["fit", "xmr", "SPCResult", "UnitChart", "PhaseFit", "Signal", "XmRPhase", "PROFILES"]

#: How each ``improvement`` value orients a high (or rising) point.
IMPROVEMENT_SIGN: dict[str, int] = {"increase": 1, "decrease": -1}

_FREQ_OFFSET = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS"}


@dataclass(frozen=True)
class Signal:
    """A point that signals special cause, as ``results.json`` lists it.

    ``rule`` is ``astronomical`` (beyond a limit; the package's "Above UCL" /
    "Below LCL"), ``trend``, ``two_of_three`` ("2 in 3 Above/Below CL") or
    ``shift`` ("7 Points Above/Below CL"); ``label`` keeps the package's words.
    ``direction`` is ``improving`` or ``concerning``.
    """

    date: pd.Timestamp
    rule: str
    direction: str
    label: str
    value: float

    def to_dict(self) -> dict:
        return clean({"date": self.date, "rule": self.rule, "direction": self.direction})


@dataclass(frozen=True)
class PhaseFit:
    """One phase (before or after the change) of one unit's chart."""

    name: str
    periods: tuple[pd.Timestamp, ...]
    xmr: XmRPhase

    @property
    def start(self) -> pd.Timestamp:
        return self.periods[0]

    @property
    def end(self) -> pd.Timestamp:
        return self.periods[-1]

    def to_dict(self) -> dict:
        return clean(
            {
                "start": self.start,
                "end": self.end,
                "mean": self.xmr.mean,
                "lower_limit": self.xmr.lower_limit,
                "upper_limit": self.xmr.upper_limit,
                "trial_limits": bool(self.xmr.trial_limits),
            }
        )


@dataclass(frozen=True)
class UnitChart:
    """Everything one chart shows: phases, signals and left-out periods."""

    unit: str | None
    phases: tuple[PhaseFit, ...]
    signals: tuple[Signal, ...]
    intervention_date: pd.Timestamp | None
    excluded: tuple[tuple[pd.Timestamp, float], ...] = ()

    def counts(self) -> dict[str, int]:
        """Signals by direction: ``{"improving": n, "concerning": m}``."""
        out = {"improving": 0, "concerning": 0}
        for s in self.signals:
            out[s.direction] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "phases": [p.to_dict() for p in self.phases],
            "signals": [s.to_dict() for s in self.signals],
        }


@dataclass(frozen=True, kw_only=True)
class SPCResult(Result):
    """XmR charts for one series or several units.

    Attributes
    ----------
    rules
        The profile name (``nhs`` or ``police-2sd``).
    improvement
        ``increase`` or ``decrease``: which way is better.
    units
        One :class:`UnitChart` per chart, in the order charted.
    """

    rules: str
    improvement: str
    screen_outliers: bool
    units: tuple[UnitChart, ...]
    freq: str = "week"
    outcome_label: str = "outcome"

    def to_spc_dict(self) -> dict:
        """The ``spc`` entry of ``results.json``."""
        return clean({"rules": self.rules, "units": [u.to_dict() for u in self.units]})

    def extra(self) -> dict:
        return {"spc": self.to_spc_dict()}

    def unit_sentence(self, chart: UnitChart) -> str:
        """The finding of one chart in words (also its alt text)."""
        return unit_sentence(chart, self.freq, self.outcome_label)

    def table(self) -> Table:
        """Centre line and limits of every phase, for people."""
        rows = []
        for u in self.units:
            for p in u.phases:
                rows.append(
                    (
                        u.unit or "All",
                        p.name,
                        text.fmt_date(p.start),
                        text.fmt_date(p.end),
                        text.fmt_number(p.xmr.n),
                        text.fmt_number(p.xmr.mean),
                        text.fmt_number(p.xmr.lower_limit),
                        text.fmt_number(p.xmr.upper_limit),
                        "trial" if p.xmr.trial_limits else "",
                    )
                )
        return Table(
            ("Unit", "Phase", "From", "To", "Points", "Mean", "Lower limit", "Upper limit", "Limits"),
            tuple(rows),
            caption=f"SPC phases ({PROFILES[self.rules].title})",
            numeric=(False, False, False, False, True, True, True, True, False),
        )

    def signals_table(self) -> Table:
        """Every special-cause point, for people."""
        rows = tuple(
            (u.unit or "All", text.fmt_date(s.date), text.fmt_number(s.value), RULE_WORDS[s.rule], s.direction)
            for u in self.units
            for s in u.signals
        )
        return Table(
            ("Unit", "Date", "Value", "Rule", "Direction"),
            rows,
            caption="Special-cause points",
            numeric=(False, False, True, False, False),
        )

    def plot(self) -> ChartSet:
        """One chart per unit (small multiples), as a :class:`~whatworks.plots.ChartSet`."""
        from ._spc_plot import draw_unit

        return ChartSet(tuple(draw_unit(self, u) for u in self.units))

    def _repr_html_(self) -> str:
        return "".join(
            part._repr_html_()
            for part in (self.summary, self.table(), self.signals_table(), self.check_list, self.evidence)
        )


# -- fitting ------------------------------------------------------------------


def fit(
    series: SeriesData,
    *,
    intervention_date: Any = None,
    spc_rules: str = "nhs",
    spc_screen_outliers: bool = True,
    improvement: str = "decrease",
    units: Sequence[str] | None = None,
) -> SPCResult:
    """XmR charts with limits rebased at the intervention.

    Parameters
    ----------
    series
        Tidy data: ``period`` and ``outcome``, optionally ``unit`` (one chart
        per unit) and ``excluded`` (periods left out of limits and rules,
        shown greyed).
    intervention_date
        When the change began: limits are computed separately for periods
        before it and from it onwards. A date, or a mapping of unit to date
        for staggered starts (units not in the mapping get one phase).
        ``None`` charts one phase.
    spc_rules
        ``"nhs"`` (default) or ``"police-2sd"``.
    spc_screen_outliers
        ``nhs`` only: screen out moving ranges at or above 3.267 times the
        mean moving range before setting the limits.
    improvement
        ``"decrease"`` (default: fewer incidents is better) or ``"increase"``.
    units
        Which units to chart, in order; default every unit in the data.

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
    frame = series.frame
    missing = [c for c in ("period", "outcome") if c not in frame.columns]
    if missing:
        raise DataError(
            "the data has no " + " or ".join(f"'{c}'" for c in missing) + " column for the SPC chart",
            file=series.source,
            hint="Load the data with whatworks.data.load_series first.",
        )
    chosen = choose_units(frame, units, series.source)
    dates = intervention_dates(intervention_date, chosen, _all_units(frame), series.source)
    checks: list[Check] = []
    charts = []
    for unit in chosen:
        sub = frame if unit is None else frame[frame["unit"].astype(str) == unit]
        charts.append(
            _fit_unit(sub, unit, dates.get(unit), series, profile.name, bool(spc_screen_outliers), improvement, checks)
        )
    result_checks = tuple(checks) + tuple(summary_checks(charts, series.freq, spc_screen_outliers, profile.name))
    periods = [p for c in charts for ph in c.phases for p in (ph.start, ph.end)]
    return SPCResult(
        rules=profile.name,
        improvement=improvement,
        screen_outliers=bool(spc_screen_outliers),
        units=tuple(charts),
        freq=series.freq,
        outcome_label=series.outcome_label,
        checks=result_checks,
        evidence=Evidence(
            1,
            "SPC charts compare each area with its own past: they do not control for trend, season "
            "or other changes at the same time, so a signal after the change is an association, not proof of cause.",
            "Compare with areas that had no intervention (difference-in-differences) to raise the level.",
        ),
        summary_text=summary(charts, series.freq, series.outcome_label, profile.name),
        notes=profile.notes(bool(spc_screen_outliers))
        + (
            "Limits are rebased at the intervention: the periods before it and from it onwards each get "
            "their own mean and limits, drawn as separate lines."
            if any(len(c.phases) > 1 for c in charts)
            else "There is one phase per chart: no intervention date was given within the data.",
            f"A phase with fewer than {TRIAL_LIMIT_POINTS} points has trial limits, to be recalculated "
            "when more data arrive.",
            "Each flagged point is listed as one signal; periods marked as excluded are left out of the "
            "limits and the rules.",
        )
        + _data_notes(series.frame),
        period_start=min(periods).date() if periods else None,
        period_end=max(periods).date() if periods else None,
    )


def _all_units(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["unit"].astype(str))) if "unit" in frame.columns else []


def _where(unit: str | None) -> str:
    return "" if unit is None else f" for unit '{unit}'"


def _data_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    out = []
    if "group" in frame.columns and frame["group"].nunique() > 1:
        out.append("With a breakdown, each SPC chart shows the total across the categories.")
    if "denominator" in frame.columns:
        out.append("Each SPC point is the outcome divided by its denominator (a proportion).")
    return tuple(out)


def _one_value_per_period(sub: pd.DataFrame) -> pd.DataFrame:
    """Total a breakdown's categories per period, and turn counts out of a
    denominator into proportions; anything else is left as it is."""
    if "group" in sub.columns:
        agg = {"outcome": lambda v: v.sum(min_count=len(v))}
        if "denominator" in sub.columns:
            agg["denominator"] = "sum"
        if "excluded" in sub.columns:
            agg["excluded"] = "any"
        sub = sub.groupby("period", as_index=False, sort=True).agg(agg)
    if "denominator" in sub.columns:
        sub = sub.assign(outcome=sub["outcome"] / sub["denominator"])
    return sub.sort_values("period")


def _fit_unit(
    sub: pd.DataFrame,
    unit: str | None,
    when: pd.Timestamp | None,
    series: SeriesData,
    rules: str,
    screen: bool,
    improvement: str,
    checks: list[Check],
) -> UnitChart:
    """One unit's chart; problems worth a warning are appended to ``checks``."""
    sub = _one_value_per_period(sub)
    dup = sub["period"].duplicated(keep=False)
    if dup.any():
        days = sorted({text.fmt_date(d) for d in sub.loc[dup, "period"]})
        raise DataError(
            f"more than one row for the same period{_where(unit)}: " + ", ".join(days[:5]),
            file=series.source,
            column="period",
            hint="An SPC chart needs one value per period: total the rows (or chart one category at a time).",
        )
    excluded_mask = sub["excluded"].astype(bool) if "excluded" in sub.columns else pd.Series(False, index=sub.index)
    kept = sub[~excluded_mask.to_numpy()]
    bad = kept["outcome"].isna()
    if bad.any():
        days = [text.fmt_date(d) for d in kept.loc[bad, "period"]]
        raise DataError(
            f"the outcome is missing{_where(unit)} in: " + ", ".join(days[:5]),
            file=series.source,
            column="outcome",
            hint="Fill in the missing values, or list those periods in exclude_periods.",
        )
    if kept.empty:
        raise DataError(
            f"no periods are left to chart{_where(unit)}",
            file=series.source,
            hint="Check exclude_periods: every period was excluded.",
        )
    periods = pd.DatetimeIndex(kept["period"])
    values = kept["outcome"].to_numpy(dtype=float)
    gaps = _gaps(pd.DatetimeIndex(sub["period"]), series.freq)
    if gaps:
        checks.append(
            Check(
                "spc_gaps",
                "warn",
                f"The series{_where(unit)} has {text.plural(len(gaps), 'missing period')} "
                f"(first {text.fmt_date(gaps[0])}); the chart joins the points either side, "
                "which can hide or create signals.",
            )
        )
    masks = [("All periods", np.ones(len(periods), dtype=bool))]
    if when is not None:
        before = np.asarray(periods < when)
        if before.any() and (~before).any():
            masks = [("Before", before), ("After", ~before)]
        else:
            side = "after the end" if before.all() else "before the start"
            checks.append(
                Check(
                    "spc_intervention_outside",
                    "warn",
                    f"The intervention date {text.fmt_date(when)} falls {side} of the data{_where(unit)}, "
                    "so the limits are not rebased.",
                )
            )
    phases, signals = [], []
    sign = IMPROVEMENT_SIGN[improvement]
    for name, mask in masks:
        idx = np.flatnonzero(mask)
        ph = PhaseFit(name, tuple(periods[idx]), xmr(values[idx], rules=rules, screen_outliers=screen))
        phases.append(ph)
        signals.extend(_signal(ph, s, sign) for s in ph.xmr.signals)
    excluded = tuple(
        (pd.Timestamp(p), float(v)) for p, v in zip(sub.loc[excluded_mask.to_numpy(), "period"],
                                                    sub.loc[excluded_mask.to_numpy(), "outcome"])
    )
    return UnitChart(
        unit=unit,
        phases=tuple(phases),
        signals=tuple(signals),
        intervention_date=when if len(phases) > 1 else None,
        excluded=excluded,
    )


def _signal(phase: PhaseFit, s: PointSignal, sign: int) -> Signal:
    return Signal(
        date=phase.periods[s.index],
        rule=s.rule,
        direction="improving" if s.side * sign > 0 else "concerning",
        label=s.label,
        value=phase.xmr.values[s.index],
    )


def _gaps(periods: pd.DatetimeIndex, freq: str) -> list[pd.Timestamp]:
    offset = _FREQ_OFFSET.get(freq)
    if offset is None or len(periods) < 2:
        return []
    try:
        expected = pd.date_range(periods[0], periods[-1], freq=offset)
    except ValueError:
        return []
    if offset in ("MS", "QS") and periods[0] != expected[0]:
        return []
    return [p for p in expected if p not in set(periods)]
