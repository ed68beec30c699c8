"""One unit's XmR chart: its phases, signals, icons and left-out periods.

The per-unit layer over :mod:`whatworks.designs.spc.rules`: one value per
period (a breakdown totalled, counts out of a denominator turned into
proportions), the phases (one, with limits from the baseline before the
change extended past it, unless ``spc_rebase`` asks for more), each phase's
limits and signals, the Making Data Count variation and assurance icons,
and what the checks need to know (gaps in the periods, an intervention date
outside the data). No words beyond error messages, no
charts.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "period": pd.date_range("2024-01-01", periods=24, freq="7D"),
...     "outcome": [60.0, 62, 61, 63, 60, 64, 62, 61, 63, 62, 60, 64,
...                 50, 48, 49, 47, 50, 48, 46, 49, 47, 48, 50, 48]})
>>> chart = fit_unit(frame, None, pd.Timestamp("2024-03-25"), freq="week",
...                  rules="nhs", screen=True, improvement="decrease")
>>> [(p.name, p.xmr.n, p.xmr.baseline_n) for p in chart.phases]
[('Baseline', 24, 12)]
>>> chart.counts(), chart.variation()
({'improving': 12, 'concerning': 0}, 'improving_low')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ... import text
from ...errors import DataError
from ...results import clean
from .rules import PROFILES, TRIAL_LIMIT_POINTS, LaneyPhase, PointSignal, XmRPhase, _run_ends, laney, xmr

__all__ = ["IMPROVEMENT_SIGN", "REBASE", "BOUNDS", "Signal", "PhaseFit", "UnitChart", "fit_unit", "all_units",
           "seasonal_test", "SEASONAL_SHARE"]

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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = clean({"date": self.date, "rule": self.rule, "direction": self.direction})
        return out


@dataclass(frozen=True)
class PhaseFit:
    """One phase of one unit's chart: its periods, and limits set from its
    baseline periods and extended over the rest. ``starts_on_shift`` is true
    for a phase started where a shift was confirmed (``spc_rebase: on_shift``)."""

    name: str
    periods: tuple[pd.Timestamp, ...]
    xmr: XmRPhase
    starts_on_shift: bool = False

    @property
    def baseline_periods(self) -> tuple[pd.Timestamp, ...]:
        """The periods whose values set this phase's limits."""
        lo, hi = self.xmr.baseline
        return self.periods[lo : None if hi < 0 else hi]

    @property
    def start(self) -> pd.Timestamp:
        return self.periods[0]

    @property
    def end(self) -> pd.Timestamp:
        return self.periods[-1]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = clean(
            {
                "start": self.start,
                "end": self.end,
                "mean": self.xmr.mean,
                "lower_limit": self.xmr.lower_limit,
                "upper_limit": self.xmr.upper_limit,
                "trial_limits": bool(self.xmr.trial_limits),
                "baseline_start": self.baseline_periods[0],
                "baseline_end": self.baseline_periods[-1],
                "starts_on_shift": self.starts_on_shift,
            }
        )
        return out


@dataclass(frozen=True)
class UnitChart:
    """Everything one chart shows: phases, signals and left-out periods.

    ``requested_date`` is the intervention date asked for (``None`` if none);
    ``intervention_date`` is the first period from the change, ``None``
    when the requested date falls outside the data. ``gaps`` lists the
    periods missing between the first and the last. ``improvement`` and
    ``target`` give the variation and assurance icons (:meth:`variation`,
    :meth:`assurance`).
    """

    unit: str | None
    phases: tuple[PhaseFit, ...]
    signals: tuple[Signal, ...]
    intervention_date: pd.Timestamp | None
    excluded: tuple[tuple[pd.Timestamp, float], ...] = ()
    requested_date: pd.Timestamp | None = None
    gaps: tuple[pd.Timestamp, ...] = ()
    improvement: str = "decrease"
    target: float | None = None
    rebase: str = "none"
    seasonal_p: float | None = None
    laney: LaneyPhase | None = None

    @property
    def flagged_share(self) -> float:
        """The share of charted points that signal special cause."""
        return len(self.signals) / max(1, len(self.periods))

    @property
    def seasonal(self) -> bool:
        """More than a fifth of the points flagged, and a seasonal pattern
        (:func:`seasonal_test` below 0.05): the signals may be the season."""
        return self.flagged_share > SEASONAL_SHARE and self.seasonal_p is not None and self.seasonal_p < 0.05

    @property
    def periods(self) -> tuple[pd.Timestamp, ...]:
        return tuple(p for ph in self.phases for p in ph.periods)

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(v for ph in self.phases for v in ph.xmr.values)

    def before_after_means(self) -> tuple[float, float] | None:
        """The mean of the periods before the change and of those from it (``None`` without a change)."""
        if self.intervention_date is None:
            return None
        when = self.intervention_date
        v = np.asarray(self.values)
        after = np.asarray([p >= when for p in self.periods])
        return float(v[~after].mean()), float(v[after].mean())

    def variation(self) -> str:
        """The Making Data Count variation icon, from the latest point:
        ``common_cause``, or ``improving_high``, ``improving_low``,
        ``concerning_high``, ``concerning_low`` (special cause, with the
        side of the mean the latest point is on)."""
        last = self.periods[-1]
        sig = next((s for s in self.signals if s.date == last), None)
        if sig is None:
            return "common_cause"
        return f"{sig.direction}_{'high' if sig.value > self.phases[-1].xmr.mean else 'low'}"

    def assurance(self) -> str | None:
        """The Making Data Count assurance icon against ``target`` from the
        latest phase's limits: ``consistent_pass`` (both limits on the good
        side of the target), ``consistent_fail`` (both on the bad side) or
        ``inconsistent`` (the target within the limits: hit and miss);
        ``None`` without a target or limits."""
        if self.target is None:
            return None
        p = self.phases[-1].xmr
        if not np.isfinite(p.upper_limit):
            return None
        t = float(self.target)
        good, bad = (p.lower_limit, p.upper_limit) if IMPROVEMENT_SIGN[self.improvement] > 0 else (
            -p.upper_limit, -p.lower_limit)
        t = t if IMPROVEMENT_SIGN[self.improvement] > 0 else -t
        # good: the limit nearer the bad side; both limits past the target is a pass
        if good > t:
            return "consistent_pass"
        if bad < t:
            return "consistent_fail"
        return "inconsistent"

    def counts(self) -> dict[str, int]:
        """Signals by direction: ``{"improving": n, "concerning": m}``."""
        out = {"improving": 0, "concerning": 0}
        for s in self.signals:
            out[s.direction] += 1
        return out

    def laney_outside(self) -> tuple[tuple[pd.Timestamp, str], ...]:
        """The periods beyond their p′ limits, each with ``improving`` or
        ``concerning`` (none without a p′ chart)."""
        lan = self.laney
        if lan is None:
            return ()
        sign = IMPROVEMENT_SIGN[self.improvement]
        periods = self.periods
        return tuple((periods[i], lan.direction(i, sign)) for i in lan.outside)

    def laney_dict(self) -> dict[str, Any] | None:
        """The p′ chart as ``results.json`` gives it (``None`` without a denominator)."""
        lan = self.laney
        if lan is None:
            return None
        periods = self.periods
        base = periods[lan.baseline_points]
        out: dict[str, Any] = clean(
            {
                "centre": lan.centre,
                "sigma_z": lan.sigma_z,
                "baseline_start": base[0],
                "baseline_end": base[-1],
                "points": [
                    {"date": p, "value": v, "lower_limit": a, "upper_limit": b}
                    for p, v, a, b in zip(periods, lan.proportions, lan.lower, lan.upper)
                ],
                "outside": [{"date": p, "direction": d} for p, d in self.laney_outside()],
            }
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "unit": self.unit,
            "variation": self.variation(),
            "assurance": self.assurance(),
            "target": self.target,
            "phases": [p.to_dict() for p in self.phases],
            "signals": [s.to_dict() for s in self.signals],
        }
        if self.laney is not None:
            out["laney"] = self.laney_dict()
        return out


def all_units(frame: pd.DataFrame) -> list[str]:
    """Every unit in the data, in order of first appearance (none without a unit column)."""
    return list(dict.fromkeys(frame["unit"].astype(str))) if "unit" in frame.columns else []


def _where(unit: str | None) -> str:
    return "" if unit is None else f" for unit '{unit}'"


def _one_value_per_period(sub: pd.DataFrame) -> pd.DataFrame:
    """Total a breakdown's categories per period, and turn counts out of a
    denominator into proportions; anything else is left as it is."""
    if "group" in sub.columns:
        agg: dict[str, str | Callable[[pd.Series], float]] = {"outcome": lambda v: v.sum(min_count=len(v))}
        if "denominator" in sub.columns:
            agg["denominator"] = "sum"
        if "excluded" in sub.columns:
            agg["excluded"] = "any"
        sub = sub.groupby("period", as_index=False, sort=True).agg(agg)
    if "denominator" in sub.columns:
        sub = sub.assign(numerator=sub["outcome"], outcome=sub["outcome"] / sub["denominator"])
    return sub.sort_values("period")


#: Above this share of points flagged, a seasonal series is reported as seasonal.
SEASONAL_SHARE = 0.2

#: The values of ``spc_rebase``: where a chart starts a new phase.
REBASE = ("none", "at_change", "on_shift")
#: What ``outcome_type`` bounds the limits to (Making Data Count never draws a
#: count's lower limit below zero, nor a proportion's limits outside 0-100%).
BOUNDS: dict[str, tuple[float, float]] = {
    "count": (0.0, np.inf),
    "proportion": (0.0, 1.0),
    "continuous": (-np.inf, np.inf),
}


def fit_unit(
    sub: pd.DataFrame,
    unit: str | None,
    when: pd.Timestamp | None,
    *,
    freq: str,
    rules: str,
    screen: bool,
    improvement: str,
    source: str = "data",
    rebase: str = "none",
    baseline: tuple[pd.Timestamp | None, pd.Timestamp | None] | None = None,
    outcome_type: str = "count",
    target: float | None = None,
) -> UnitChart:
    """One unit's chart from its rows of tidy data.

    The limits come from a baseline (``baseline``, a ``(from, to)`` range of
    periods, either end open; else the periods before ``when``; else every
    period) and are extended over the later periods. ``rebase`` chooses where
    a new phase starts: ``none``, ``at_change`` (at ``when``) or
    ``on_shift`` (where a run on one side of the mean begins after the
    baseline; that phase's limits come from its first 12 points).

    With a ``denominator`` column (a proportion: ``outcome`` is the
    numerator), the chart also carries Laney's p′ chart
    (:func:`~whatworks.designs.spc.rules.laney`): limits from the first
    phase's baseline (the same periods as the XmR limits, at least two),
    extended over every period, within 0 to 100%.

    Raises
    ------
    DataError
        Two rows for the same period, a missing outcome, or no periods left
        once the excluded ones are left out.
    """
    sub = _one_value_per_period(sub)
    dup = sub["period"].duplicated(keep=False)
    if dup.any():
        days = sorted({text.fmt_date(d) for d in sub.loc[dup, "period"]})
        raise DataError(
            f"more than one row for the same period{_where(unit)}: " + ", ".join(days[:5]),
            file=source,
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
            file=source,
            column="outcome",
            hint="Fill in the missing values, or list those periods in exclude_periods.",
        )
    if kept.empty:
        raise DataError(
            f"no periods are left to chart{_where(unit)}",
            file=source,
            hint="Check exclude_periods: every period was excluded.",
        )
    periods = pd.DatetimeIndex(kept["period"])
    values = kept["outcome"].to_numpy(dtype=float)
    gaps = _gaps(pd.DatetimeIndex(sub["period"]), freq)
    bounds = BOUNDS["proportion"] if "denominator" in sub.columns else BOUNDS.get(outcome_type, BOUNDS["continuous"])
    change = None
    if when is not None:
        before = np.asarray(periods < when)
        if before.any() and (~before).any():
            change = int(before.sum())
    base = _baseline_slice(periods, baseline, change, unit, source)
    cuts = _phase_cuts(values, change, base, rebase=rebase, rules=rules, screen=screen, bounds=bounds)
    phases: list[PhaseFit] = []
    signals: list[Signal] = []
    sign = IMPROVEMENT_SIGN[improvement]
    for k, (lo, hi, blo, bhi, name) in enumerate(cuts):
        ph = PhaseFit(
            name,
            tuple(periods[lo:hi]),
            xmr(values[lo:hi], rules=rules, screen_outliers=screen, baseline=(blo - lo, bhi - lo), bounds=bounds),
            starts_on_shift=rebase == "on_shift" and k > 0,
        )
        phases.append(ph)
        signals.extend(_signal(ph, s, sign) for s in ph.xmr.signals)
    lan = None
    if "denominator" in kept.columns and cuts[0][3] - cuts[0][2] >= 2:
        lan = laney(kept["numerator"].to_numpy(dtype=float), kept["denominator"].to_numpy(dtype=float),
                    baseline=(cuts[0][2], cuts[0][3]))
    left_out = sub.loc[excluded_mask.to_numpy()]
    excluded = tuple(
        (p, float(v)) for p, v in zip(pd.DatetimeIndex(left_out["period"]), left_out["outcome"])
    )
    return UnitChart(
        unit=unit,
        phases=tuple(phases),
        signals=tuple(signals),
        intervention_date=periods[change] if change is not None else None,
        excluded=excluded,
        requested_date=when,
        gaps=tuple(gaps),
        improvement=improvement,
        target=target,
        rebase=rebase,
        seasonal_p=seasonal_test(periods, values, freq, change),
        laney=lan,
    )


def seasonal_test(periods: pd.DatetimeIndex, values: np.ndarray, freq: str, change: int | None = None) -> float | None:
    """The p-value of an F test for month-of-year effects (quarter-of-year for
    quarterly data), beyond a linear trend and a step at the change.

    Ordinary least squares of the values on a trend, a step (if any) and
    month dummies against the same model without the dummies; ``None`` with
    less than two years of data or fewer than two seasons.

    Examples
    --------
    >>> t = pd.date_range("2021-01-04", periods=156, freq="7D")
    >>> y = 50 + 10 * np.cos(2 * np.pi * t.day_of_year / 365.25)
    >>> seasonal_test(t, y + np.tile([1.0, -1.0], 78), "week") < 0.001
    True
    >>> seasonal_test(t[:60], y[:60], "week") is None
    True
    """
    if len(periods) < 8 or (periods[-1] - periods[0]).days < 700:
        return None
    season = periods.quarter if freq == "quarter" else periods.month
    levels = sorted(set(season))
    if len(levels) < 2:
        return None
    t = np.arange(len(periods), dtype=float)
    base = [np.ones_like(t), t]
    if change is not None:
        base.append((t >= change).astype(float))
    small = np.column_stack(base)
    big = np.column_stack(base + [(np.asarray(season) == k).astype(float) for k in levels[1:]])
    n, p_small, p_big = len(t), small.shape[1], big.shape[1]
    if n <= p_big:
        return None
    rss = [float(np.sum((values - x @ np.linalg.lstsq(x, values, rcond=None)[0]) ** 2)) for x in (small, big)]
    if rss[1] <= 0:
        return 0.0 if rss[0] > 0 else None
    f = ((rss[0] - rss[1]) / (p_big - p_small)) / (rss[1] / (n - p_big))
    return float(stats.f.sf(f, p_big - p_small, n - p_big))


def _baseline_slice(
    periods: pd.DatetimeIndex,
    baseline: tuple[pd.Timestamp | None, pd.Timestamp | None] | None,
    change: int | None,
    unit: str | None,
    source: str,
) -> tuple[int, int]:
    """Positions ``(start, stop)`` of the baseline periods."""
    if baseline is None:
        return (0, change if change is not None else len(periods))
    lo_d, hi_d = baseline
    inside = np.ones(len(periods), dtype=bool)
    if lo_d is not None:
        inside &= np.asarray(periods >= lo_d)
    if hi_d is not None:
        inside &= np.asarray(periods <= hi_d)
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        raise DataError(
            f"no periods fall within spc_baseline{_where(unit)}",
            file=source,
            hint="Give spc_baseline dates within the data (from and to, either may be left out).",
        )
    return (int(idx[0]), int(idx[-1]) + 1)


def _phase_cuts(
    values: np.ndarray,
    change: int | None,
    base: tuple[int, int],
    *,
    rebase: str,
    rules: str,
    screen: bool,
    bounds: tuple[float, float],
) -> list[tuple[int, int, int, int, str]]:
    """Each phase as ``(start, stop, baseline start, baseline stop, name)``."""
    n = values.size
    if rebase == "at_change" and change is not None:
        first = (0, change, min(base[0], change - 1), min(base[1], change), "Before")
        return [first, (change, n, change, n, "After")]
    name = "Baseline" if change is not None or base != (0, n) else "All periods"
    cuts = [(0, n, base[0], base[1], name)]
    if rebase != "on_shift":
        return cuts
    while True:
        lo, hi, blo, bhi, name = cuts[-1]
        ph = xmr(values[lo:hi], rules=rules, screen_outliers=screen, baseline=(blo - lo, bhi - lo), bounds=bounds)
        runs = [s.index + lo for s in _run_starts(ph, rules) if s.index + lo >= bhi]
        if not runs:
            return cuts
        start = min(runs)
        cuts[-1] = (lo, start, blo, bhi, name)
        stop = min(n, start + TRIAL_LIMIT_POINTS)
        cuts.append((start, n, start, stop, f"Phase {len(cuts) + 1}"))


def _run_starts(phase: XmRPhase, rules: str) -> list[PointSignal]:
    """The first point of each run on one side of the mean long enough to be a
    shift (whatever rule of higher precedence the points also meet)."""
    y = np.asarray(phase.values)
    side = np.sign(y - phase.mean).astype(int)
    length = PROFILES[rules].run_length
    ends = _run_ends(side, length)
    return [PointSignal(int(i) - length + 1, "shift", "", int(side[i])) for i in np.flatnonzero(ends)]


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
