"""What an interrupted time series is given, checked: options, dates and the series frame.

Every problem the user can fix raises :class:`~whatworks.errors.SpecError`
(an option) or :class:`~whatworks.errors.DataError` (the data), naming the
key, file, column or periods and saying how to fix it. Dates are read by
:mod:`whatworks.dates`, under its rules.

Examples
--------
>>> to_timestamp("2024-04-01", "intervention_date")
Timestamp('2024-04-01 00:00:00')
>>> choice("increase", IMPROVEMENT, "improvement")
'increase'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ... import dates, text
from ...errors import DataError, SpecError
from .model import SEASONALITIES, period_containing

__all__ = [
    "OUTCOME_TYPES",
    "OVERDISPERSION",
    "SEASONALITY",
    "IMPROVEMENT",
    "TRANSITION",
    "AUTOCORRELATION",
    "Options",
    "choice",
    "whole",
    "to_timestamp",
    "locate",
    "resolve_outcome_type",
    "tidy_frame",
    "total_frame",
    "check_values",
    "mark_transitions",
]

#: Accepted values of each option, with what they mean.
OUTCOME_TYPES = {"count": "a count per period", "proportion": "a count out of a denominator",
                 "continuous": "a value per period"}
OVERDISPERSION = {"quasipoisson": "Pearson scale", "negbin": "negative binomial", "none": "no correction"}
SEASONALITY = {"auto": "fourier with two years of baseline (none for yearly data), else none",
               **{k: k for k in SEASONALITIES}}
IMPROVEMENT = {"decrease": "a fall is good", "increase": "a rise is good"}
TRANSITION = {"exclude": "a period the intervention began (or ended) part-way through is left out of the fit",
              "after": "it counts as after"}
AUTOCORRELATION = {"ar1": "an AR(1)-plus-noise working correlation estimated by REML, GEE fit (the default)",
                   "newey-west": "Newey–West (HAC) standard errors",
                   "none": "no correction: the periods are taken as independent"}


@dataclass(frozen=True)
class Options:
    """The user's modelling options, already validated."""

    outcome_type: str = "count"
    seasonality: str = "auto"
    fourier_pairs: int = 2
    overdispersion: str = "quasipoisson"
    slope_change: bool = True
    improvement: str = "decrease"
    transition: str = "exclude"
    autocorrelation: str = "ar1"

    def with_outcome_type(self, kind: str) -> Options:
        return dataclasses.replace(self, outcome_type=kind)


# -- options -------------------------------------------------------------------
def choice(value: str, allowed: Mapping[str, str], key: str) -> str:
    """``value`` if it is one of ``allowed``, else a :class:`SpecError` listing them."""
    if value not in allowed:
        options = ", ".join(f"'{k}' ({v})" for k, v in allowed.items())
        raise SpecError(f"'{value}' is not a valid choice", key=key, hint=f"Use one of: {options}.")
    return value


def whole(value: Any, key: str) -> int:
    """``value`` as a whole number, else a :class:`SpecError`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer():
        raise SpecError(f"'{value}' is not a whole number", key=key, hint="For example, 2.")
    return int(number)


def to_timestamp(value: object, key: str) -> pd.Timestamp:
    """A date option as a timestamp at midnight, read by :func:`whatworks.dates.parse_date`."""
    return dates.parse_date(value, key=key).normalize()


def locate(frame: pd.DataFrame, freq: str, when: pd.Timestamp, key: str, source: str) -> int:
    """Position of the period containing ``when``; a :class:`DataError` if it is outside the data."""
    periods = pd.DatetimeIndex(frame["period"])
    last = dates.period_end(periods[-1], freq)
    pos = period_containing(periods, freq, when) if periods[0] <= when <= last else None
    if pos is None:
        raise DataError(
            f"the {key.replace('_', ' ')} {text.fmt_date(when)} is outside the data, which runs from "
            f"{text.fmt_date(periods[0])} to {text.fmt_date(last)}", file=source,
            hint=f"Check '{key}' in the spec, or use a data export that covers that date.")
    return pos


def mark_transitions(frame: pd.DataFrame, freq: str, changes: list[tuple[int | None, pd.Timestamp | None]],
                     how: str) -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """Transition periods: each period holding a change date that is not its first day.

    ``changes`` pairs a row position with the date it holds (the start, and
    the end when given). With ``how`` ``exclude`` those periods are marked
    excluded, so they are left out of the fit and shaded on the chart; with
    ``after`` they stay in and count as after. Returns the frame and the
    transition periods' first days.

    >>> f = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=4, freq="MS"), "excluded": False})
    >>> out, found = mark_transitions(f, "month", [(2, pd.Timestamp("2024-03-31"))], "exclude")
    >>> out["excluded"].tolist(), [d.date().isoformat() for d in found]
    ([False, False, True, False], ['2024-03-01'])
    """
    periods = pd.DatetimeIndex(frame["period"])
    rows = [pos for pos, when in changes if pos is not None and when is not None and periods[pos] < when]
    if how == "exclude" and rows:
        frame = frame.copy()
        frame.loc[frame.index[rows], "excluded"] = True
    return frame, [periods[r] for r in rows]


def resolve_outcome_type(frame: pd.DataFrame, asked: str, source: str) -> str:
    """The outcome type analysed: a count with a denominator is a proportion."""
    has_denominator = "denominator" in frame and frame["denominator"].notna().any()
    if asked == "proportion" and not has_denominator:
        raise DataError("a proportion needs a denominator column, and none was given", file=source,
                        column="denominator", hint="Name the denominator column in the spec.")
    if asked == "count" and has_denominator:
        return "proportion"
    return asked


# -- frames ----------------------------------------------------------------------
def tidy_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Sort, check and complete a series frame (adds ``excluded`` when missing)."""
    missing = [c for c in ("period", "outcome") if c not in frame]
    if missing:
        raise DataError("the series has no period or outcome column", file=source, column=missing,
                        hint="Name the date and outcome columns in the spec.")
    f = frame.copy()
    f["period"] = dates.parse_dates(f["period"], column="period", file=source).dates.to_numpy()
    f["outcome"] = pd.to_numeric(f["outcome"], errors="coerce").astype(float)
    f["excluded"] = f["excluded"].fillna(False).astype(bool) if "excluded" in f else False
    f = f.sort_values([c for c in ("group", "period") if c in f]).reset_index(drop=True)
    if len(f) == 0:
        raise DataError("the series is empty", file=source, hint="Check the data export and its filters.")
    if "group" not in f and f["period"].duplicated().any():
        dup = f.loc[f["period"].duplicated(), "period"].dt.strftime("%Y-%m-%d").tolist()[:5]
        raise DataError(f"some periods appear more than once ({', '.join(dup)})", file=source,
                        column="period", hint="Give one row per period, or name a breakdown column.")
    for col in ("denominator", "exposure"):
        if col in f:
            f[col] = pd.to_numeric(f[col], errors="coerce").astype(float)
    blank = f["outcome"].isna() & ~f["excluded"]
    if blank.any():
        when = f.loc[blank, "period"].dt.strftime("%Y-%m-%d").tolist()[:5]
        raise DataError(f"the outcome is blank for some periods ({', '.join(when)})", file=source,
                        column="outcome", hint="Fill them in, or list those periods under exclude_periods.")
    return f


def total_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The total across groups, one row per period.

    Outcomes and denominators are summed; an exposure shared by every group
    in a period is kept, otherwise summed; a period is excluded if any group
    excludes it.
    """
    agg: dict[str, tuple[str, str]] = {"outcome": ("outcome", "sum"), "excluded": ("excluded", "any")}
    if "denominator" in frame:
        agg["denominator"] = ("denominator", "sum")
    out = frame.groupby("period", as_index=False).agg(**agg)
    if "exposure" in frame:
        g = frame.groupby("period")["exposure"]
        shared = (g.nunique() <= 1).to_numpy()
        out["exposure"] = np.where(shared, g.first().to_numpy(), g.sum().to_numpy())
    return out


def check_values(f: pd.DataFrame, kind: str, source: str, rows: np.ndarray) -> None:
    """Refuse negative counts, proportions without a denominator above zero and bad exposures."""
    def bad(mask: NDArray[np.bool_], message: str, column: str, hint: str) -> None:
        if mask.any():
            when = f.loc[mask, "period"].dt.strftime("%Y-%m-%d").tolist()[:5]
            raise DataError(f"{message} (periods starting {', '.join(when)})", file=source,
                            column=column, hint=hint)

    y = f["outcome"].to_numpy()
    if kind != "continuous":
        bad(rows & (y < 0), "counts cannot be negative", "outcome", "Correct the export.")
    if kind == "proportion":
        d = f["denominator"].to_numpy()
        bad(rows & ~(d > 0), "a proportion needs a denominator above zero", "denominator",
            "Remove those periods, list them under exclude_periods, or correct the denominator.")
        bad(rows & (y > d), "the outcome is larger than its denominator", "outcome",
            "Check that the outcome and denominator columns are the right way round.")
    if "exposure" in f:
        bad(rows & ~(f["exposure"].to_numpy() > 0), "the exposure must be above zero", "exposure",
            "Correct the exposure (for example, the population) for those periods.")
