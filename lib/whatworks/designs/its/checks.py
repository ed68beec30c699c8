"""Diagnostics for an interrupted time series, one function per check.

Each check function takes a :class:`CheckInput` (:func:`check_no_events`
the counts and phases themselves) and returns a
:class:`whatworks.results.Check` (or ``None`` when it does not apply).
:data:`CHECK_RULES` states each trigger in words for the method notes, so
the notes and the code cannot drift apart.

Examples
--------
>>> c = check_too_few_points(CheckInput(n_segments=(2, 40), freq="week"))
>>> c.status, c.name
('fail', 'too_few_points')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ... import text
from ...dates import FREQS, PERIODS_PER_YEAR
from ...results import Check
from .model import ljung_box

__all__ = [
    "CheckInput",
    "CHECK_RULES",
    "MODEL_CHECKS",
    "MIN_POINTS",
    "POWER_POINTS",
    "EXTRA_POINTS",
    "SMALL_COUNT",
    "ljung_box_lags",
    "check_too_few_points",
    "check_underpowered",
    "check_no_events",
]

#: Fewer points than this in any segment withholds the estimates.
MIN_POINTS = 3
#: Fewer points than this in any segment is underpowered.
POWER_POINTS = 12
#: The baseline needs at least (baseline parameters + this many) points.
EXTRA_POINTS = 8
#: Median count per period under this is "small".
SMALL_COUNT = 10
_SEGMENT_WORDS = ("before the intervention", "after it began", "after it ended")


def ljung_box_lags(n: int) -> int:
    """Lags for the Ljung–Box test: min(10, n // 5), at least 1.

    >>> ljung_box_lags(156), ljung_box_lags(30)
    (10, 6)
    """
    return max(1, min(10, n // 5))


#: Each check's trigger, in words (shown in the method notes).
CHECK_RULES: dict[str, str] = {
    "too_few_points": (
        f"too_few_points (fail): fewer than {MIN_POINTS} analysed periods before the intervention, "
        "after it began, or (when an end date is given) after it ended, or (counts and proportions) "
        "no events at all in one of them; no estimate is given."
    ),
    "underpowered": (
        f"underpowered (warning): fewer than {POWER_POINTS} analysed periods in any segment, or fewer "
        f"baseline periods than the baseline parameters (intercept, trend, season) plus {EXTRA_POINTS}."
    ),
    "seasonality_short_baseline": (
        "seasonality_short_baseline (warning): seasonal terms were asked for explicitly (fourier or "
        "dummies) but the baseline covers less than two years."
    ),
    "small_counts": (
        f"small_counts (warning, counts and proportions): the median count per analysed period is "
        f"under {SMALL_COUNT}, so relative changes are unreliable."
    ),
    "autocorrelation": (
        "autocorrelation (warning): a Ljung–Box test on the Pearson residuals of the fitted model, "
        "with min(10, n // 5) lags (n analysed periods), gives p < 0.05; with autocorrelation: ar1 "
        "(which allows for it) the finding is information, not a warning."
    ),
    "regression_to_mean": (
        "regression_to_mean (warning): the mean Pearson residual of the fitted model over the last "
        "three baseline periods is more than one standard deviation of the baseline residuals on the "
        "unwanted side (above when a decrease is an improvement, below when an increase is)."
    ),
    "overdispersion": (
        "overdispersion (note, counts and proportions): the dispersion estimate (Pearson chi-squared "
        "over residual degrees of freedom, or the negative binomial alpha)."
    ),
}


@dataclass(frozen=True)
class CheckInput:
    """What the checks look at; fields not needed by a check may be left empty."""

    n_segments: tuple[int, ...]
    freq: str
    n_baseline_params: int = 0
    baseline_periods: int = 0
    seasonality_asked: str = "auto"
    outcome_type: str = "count"
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pearson: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pearson_baseline: np.ndarray = field(default_factory=lambda: np.zeros(0))
    improvement: str = "decrease"
    dispersion: float = float("nan")
    dispersion_kind: str = "pearson"
    overdispersion: str = "quasipoisson"
    autocorrelation: str = "ar1"


def _periods(n: int, freq: str) -> str:
    return text.plural(n, FREQS[freq].word)


def check_too_few_points(c: CheckInput) -> Check:
    """Fail with fewer than three analysed periods in a segment."""
    short = [(n, w) for n, w in zip(c.n_segments, _SEGMENT_WORDS) if n < MIN_POINTS]
    if short:
        where = "; ".join(f"{_periods(n, c.freq)} {w}" for n, w in short)
        return Check(
            "too_few_points", "fail",
            f"Too few periods to estimate a change: {where}. At least {MIN_POINTS} are needed on "
            "each side of the intervention date; add data or move the date.",
        )
    return Check("too_few_points", "pass",
                 f"At least {MIN_POINTS} periods on each side of the intervention date.")


def check_no_events(y: NDArray[np.float64], rows: NDArray[np.bool_], phase: NDArray[np.object_],
                    phases: tuple[str, ...], freq: str) -> Check | None:
    """A segment with no events at all cannot give a relative change."""
    words = dict(zip(phases, ("before the intervention", "after it began", "after it ended")))
    empty = [words[p] for p in phases if y[rows & (phase == p)].sum() == 0]
    if not empty:
        return None
    return Check("too_few_points", "fail",
                 f"There were no events at all {' or '.join(empty)}, so a relative change cannot be "
                 f"estimated. Use a longer period than a {FREQS[freq].word}, or a wider area or outcome.")


def check_underpowered(c: CheckInput) -> Check:
    """Warn when a segment is short or the baseline is short for the model."""
    need_base = c.n_baseline_params + EXTRA_POINTS
    problems = [f"{_periods(n, c.freq)} {w}" for n, w in zip(c.n_segments, _SEGMENT_WORDS)
                if n < POWER_POINTS]
    if c.n_segments[0] < need_base:
        problems.append(f"the baseline model has {c.n_baseline_params} parameters and needs at least "
                        f"{need_base} baseline periods")
    if problems:
        return Check("underpowered", "warn",
                     "The series is short, so the estimate is imprecise and sensitive to single "
                     f"periods: {'; '.join(problems)}. At least {POWER_POINTS} on each side is advised.")
    return Check("underpowered", "pass",
                 f"At least {POWER_POINTS} periods on each side and enough baseline periods for the model.")


def _check_season_baseline(c: CheckInput) -> Check:
    two_years = 2 * PERIODS_PER_YEAR[c.freq]
    if c.seasonality_asked in ("fourier", "dummies") and c.baseline_periods < two_years:
        return Check("seasonality_short_baseline", "warn",
                     f"Seasonal terms ({c.seasonality_asked}) were fitted to a baseline of "
                     f"{_periods(c.baseline_periods, c.freq)}, under two years, so season and trend are "
                     "hard to separate. Use seasonality: none, or a longer baseline.")
    return Check("seasonality_short_baseline", "pass",
                 "No seasonal terms were asked for on a baseline shorter than two years.")


def _check_small_counts(c: CheckInput) -> Check | None:
    if c.outcome_type == "continuous":
        return None
    median = float(np.median(c.counts)) if len(c.counts) else 0.0
    if median < SMALL_COUNT:
        return Check("small_counts", "warn",
                     f"The median count is {text.fmt_number(median)} per {FREQS[c.freq].word}, under {SMALL_COUNT}, "
                     "so relative changes (percentages) are unreliable. Consider a longer period "
                     "(month instead of week) or a wider area.")
    return Check("small_counts", "pass",
                 f"The median count is {text.fmt_number(median)} per {FREQS[c.freq].word}.")


def _check_autocorrelation(c: CheckInput) -> Check:
    lags = ljung_box_lags(len(c.pearson))
    q, p = ljung_box(c.pearson, lags)
    if p < 0.05 and c.autocorrelation == "ar1":
        return Check("autocorrelation", "info",
                     f"The residuals are autocorrelated (Ljung–Box, {lags} lags, {text.fmt_p(p)}); the intervals "
                     "allow for it (autocorrelation: ar1). Check for missed seasonality or a one-off event.")
    if p < 0.05:
        return Check("autocorrelation", "warn",
                     f"The residuals are autocorrelated (Ljung–Box, {lags} lags, {text.fmt_p(p)}), so "
                     "the interval may be too narrow. Check for missed seasonality or a one-off event.")
    return Check("autocorrelation", "pass",
                 f"No evidence of residual autocorrelation (Ljung–Box, {lags} lags, {text.fmt_p(p)}).")


def _check_regression_to_mean(c: CheckInput) -> Check:
    base = c.pearson_baseline
    sd = float(np.std(base, ddof=1)) if len(base) > 1 else 0.0
    last = float(np.mean(base[-3:])) if len(base) else 0.0
    sign = 1.0 if c.improvement == "decrease" else -1.0
    if sd > 0 and sign * last > sd:
        side = "high" if sign > 0 else "low"
        return Check("regression_to_mean", "warn",
                     f"The last three periods before the intervention were unusually {side} "
                     f"({text.fmt_number(abs(last) / sd, 1)} residual standard deviations). The change may "
                     "partly be a return to normal after a peak, not an effect of the intervention.")
    return Check("regression_to_mean", "pass",
                 "The intervention did not follow an unusual spell in the last three baseline periods.")


def _check_overdispersion(c: CheckInput) -> Check | None:
    if c.outcome_type == "continuous":
        return None
    if c.dispersion_kind == "negbin":
        value = "under 0.0001" if c.dispersion < 1e-4 else f"= {c.dispersion:.3g}"
        msg = (f"Negative binomial dispersion alpha {value} (variance = mean + alpha × mean²; "
               "0 means the counts vary no more than Poisson counts).")
    else:
        used = {"quasipoisson": "used to widen the intervals",
                "none": "not used: intervals assume no overdispersion"}.get(c.overdispersion,
                                                                            "used to widen the intervals")
        msg = (f"Dispersion (Pearson chi-squared / df) = {text.fmt_number(c.dispersion, 2)}; "
               f"{used}. 1 means the data vary as much as the model expects.")
    return Check("overdispersion", "info", msg)


#: Checks run on a fitted model, in the order shown.
MODEL_CHECKS: tuple[Callable[[CheckInput], Check | None], ...] = (
    check_underpowered,
    _check_season_baseline,
    _check_small_counts,
    _check_autocorrelation,
    _check_regression_to_mean,
    _check_overdispersion,
)
