"""One unit's XmR chart: its phases, signals and left-out periods.

The per-unit layer over :mod:`whatworks.designs.spc.rules`: one value per
period (a breakdown totalled, counts out of a denominator turned into
proportions), the phases before and from the intervention, each phase's
limits and signals, and what the checks need to know (gaps in the periods,
an intervention date outside the data). No words beyond error messages, no
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
>>> [(p.name, p.xmr.n) for p in chart.phases]
[('Before', 12), ('After', 12)]
>>> chart.counts()
{'improving': 0, 'concerning': 0}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ... import text
from ...errors import DataError
from ...results import clean
from .rules import PointSignal, XmRPhase, xmr

__all__ = ["IMPROVEMENT_SIGN", "Signal", "PhaseFit", "UnitChart", "fit_unit", "all_units"]

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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = clean(
            {
                "start": self.start,
                "end": self.end,
                "mean": self.xmr.mean,
                "lower_limit": self.xmr.lower_limit,
                "upper_limit": self.xmr.upper_limit,
                "trial_limits": bool(self.xmr.trial_limits),
            }
        )
        return out


@dataclass(frozen=True)
class UnitChart:
    """Everything one chart shows: phases, signals and left-out periods.

    ``requested_date`` is the intervention date asked for (``None`` if none);
    ``intervention_date`` is the date the limits were rebased at, ``None``
    when the requested date falls outside the data. ``gaps`` lists the
    periods missing between the first and the last.
    """

    unit: str | None
    phases: tuple[PhaseFit, ...]
    signals: tuple[Signal, ...]
    intervention_date: pd.Timestamp | None
    excluded: tuple[tuple[pd.Timestamp, float], ...] = ()
    requested_date: pd.Timestamp | None = None
    gaps: tuple[pd.Timestamp, ...] = ()

    def counts(self) -> dict[str, int]:
        """Signals by direction: ``{"improving": n, "concerning": m}``."""
        out = {"improving": 0, "concerning": 0}
        for s in self.signals:
            out[s.direction] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "phases": [p.to_dict() for p in self.phases],
            "signals": [s.to_dict() for s in self.signals],
        }


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
        sub = sub.assign(outcome=sub["outcome"] / sub["denominator"])
    return sub.sort_values("period")


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
) -> UnitChart:
    """One unit's chart from its rows of tidy data.

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
    masks = [("All periods", np.ones(len(periods), dtype=bool))]
    if when is not None:
        before = np.asarray(periods < when)
        if before.any() and (~before).any():
            masks = [("Before", before), ("After", ~before)]
    phases: list[PhaseFit] = []
    signals: list[Signal] = []
    sign = IMPROVEMENT_SIGN[improvement]
    for name, mask in masks:
        idx = np.flatnonzero(mask)
        ph = PhaseFit(name, tuple(periods[idx]), xmr(values[idx], rules=rules, screen_outliers=screen))
        phases.append(ph)
        signals.extend(_signal(ph, s, sign) for s in ph.xmr.signals)
    left_out = sub.loc[excluded_mask.to_numpy()]
    excluded = tuple(
        (p, float(v)) for p, v in zip(pd.DatetimeIndex(left_out["period"]), left_out["outcome"])
    )
    return UnitChart(
        unit=unit,
        phases=tuple(phases),
        signals=tuple(signals),
        intervention_date=when if len(phases) > 1 else None,
        excluded=excluded,
        requested_date=when,
        gaps=tuple(gaps),
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
