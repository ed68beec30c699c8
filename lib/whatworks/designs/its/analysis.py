"""One interrupted-time-series analysis of one series: fit, estimates, checks, frame.

:func:`analyse` is called once for the headline series and once per group of
a breakdown; :func:`whatworks.designs.its.fit` assembles the result.

Examples
--------
>>> import pandas as pd
>>> from whatworks.designs.its.inputs import Options, tidy_frame
>>> f = pd.DataFrame({"period": pd.date_range("2023-01-02", periods=40, freq="W-MON"),
...                   "outcome": [50.0, 54.0, 54.0, 50.0] * 5 + [40.0, 43.2, 43.2, 40.0] * 5})
>>> a = analyse(tidy_frame(f, "x.csv"), freq="week", source="x.csv",
...             opts=Options(seasonality="none"), first_post=20, first_end=None)
>>> round(a.estimates[0].estimate, 2)
0.8
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...dates import FREQS, PERIODS_PER_YEAR
from ...errors import DataError
from ...results import Check, Estimate
from .checks import MODEL_CHECKS, CheckInput, check_no_events, check_too_few_points, check_underpowered
from .impact import crimes_prevented, points_change, rate_before, rate_totals
from .inference import effects, series_frame, total_effect
from .inputs import Options, check_values
from .model import FAMILIES, Design, build_design, period_steps

__all__ = ["Analysis", "analyse"]


@dataclass(frozen=True)
class Analysis:
    """What one analysed series gives: estimates, checks, the series frame and model facts."""

    estimates: tuple[Estimate, ...]
    checks: tuple[Check, ...]
    frame: pd.DataFrame
    seasonality: str
    seasonality_reason: str
    dispersion: float | None
    method: str | None
    rates: tuple[float, float] | None = None
    rate_before: float | None = None


# -- analysis ----------------------------------------------------------------------
def _resolve_season(asked: str, baseline_periods: int, freq: str) -> tuple[str, str]:
    two_years = 2 * PERIODS_PER_YEAR[freq]
    word = FREQS[freq].word
    have = f"the baseline holds {baseline_periods} {word}s"
    if asked != "auto":
        return asked, f"{asked}, as set in the spec ({have})."
    if PERIODS_PER_YEAR[freq] == 1:
        return "none", f"none, because {FREQS[freq].adverb} data have no season within a year."
    if baseline_periods >= two_years:
        return "fourier", (f"fourier terms, chosen automatically because {have}, at least two years "
                           f"({two_years} {word}s).")
    return "none", (f"none, chosen automatically because {have}, under two years ({two_years} "
                    f"{word}s), too short to estimate a seasonal pattern.")


def _drop_flat(design: Design, rows: np.ndarray) -> Design:
    """Drop seasonal columns that do not vary over the fitted rows."""
    X = design.X[rows]
    keep = [i for i in range(X.shape[1])
            if i < 2 or i >= design.n_baseline or np.ptp(X[:, i]) > 0]
    n_base = sum(1 for i in keep if i < design.n_baseline)
    return Design(design.X[:, keep], tuple(design.names[i] for i in keep), n_base, design.phase)


def analyse(f: pd.DataFrame, *, freq: str, source: str, opts: Options, first_post: int,
            first_end: int | None, label: str = "outcome") -> Analysis:
    """Fit one series and return its estimates, checks and series frame."""
    kind = opts.outcome_type
    rows = ~f["excluded"].to_numpy()
    check_values(f, kind, source, rows)
    steps = period_steps(f["period"], freq)
    baseline_periods = int(steps[first_post] - steps[0])
    season, reason = _resolve_season(opts.seasonality, baseline_periods, freq)
    design = build_design(f["period"], freq, first_post=first_post, first_after_end=first_end,
                          seasonality=season, fourier_pairs=opts.fourier_pairs,
                          slope_change=opts.slope_change)
    design = _drop_flat(design, rows)
    n_fit, n_par = int(rows.sum()), design.X.shape[1]
    if n_fit < n_par + 1:
        raise DataError(
            f"the series is too short to fit: the model has {n_par} parameters but only {n_fit} periods "
            "can be analysed", file=source,
            hint="Use a longer series, set seasonality: none, or set slope_change: false.")
    phases = ("before", "during", "ended") if first_end is not None else ("before", "during")
    n_segments = tuple(int((rows & (design.phase == p)).sum()) for p in phases)
    ci = CheckInput(n_segments=n_segments, freq=freq, n_baseline_params=design.n_baseline,
                    baseline_periods=baseline_periods, seasonality_asked=opts.seasonality)
    few = check_too_few_points(ci)
    if few.status == "pass" and kind != "continuous":
        few = check_no_events(f["outcome"].to_numpy(), rows, design.phase, phases, freq) or few
    offset = np.zeros(len(f))
    if "exposure" in f and kind == "count":
        with np.errstate(divide="ignore", invalid="ignore"):  # excluded periods may lack an exposure
            offset = np.log(f["exposure"].to_numpy())
    if few.status == "fail":
        under = check_underpowered(ci)
        return Analysis((), (few, under), series_frame(f, design, None, kind, offset), season, reason,
                        None, None)
    y_all = f["outcome"].to_numpy()
    denom = f["denominator"].to_numpy()[rows] if kind == "proportion" else None
    model = FAMILIES[kind](y_all[rows], design.X[rows], offset[rows], denom, opts.overdispersion,
                           opts.autocorrelation)
    estimates = effects(model, design, kind, freq, label)
    if kind == "count":
        Xcf = design.counterfactual()
        for phase, name, words in (("during", "total_effect", "Observed minus expected, after it began"),
                                   ("ended", "total_effect_after_end",
                                    "Observed minus expected, after it ended")):
            est = total_effect(model, Xcf, offset, y_all, rows & (design.phase == phase), name, label, words)
            if est is not None:
                estimates.append(est)
        if opts.improvement == "decrease":
            estimates += crimes_prevented(model, design, offset, rows, freq, label)
    if kind == "proportion":
        points = points_change(model, design, rows, f["denominator"].to_numpy(), label)
        if points is not None:
            estimates = [e.with_headline(False) for e in estimates] + [points]
    base_rows = design.phase[rows] == "before"
    ci = dataclasses.replace(
        ci, outcome_type=kind, counts=y_all[rows], pearson=model.pearson,
        pearson_baseline=model.pearson[base_rows], improvement=opts.improvement,
        dispersion=model.dispersion, dispersion_kind=model.dispersion_kind,
        overdispersion=opts.overdispersion, autocorrelation=opts.autocorrelation)
    found = [few] + [c for c in (rule(ci) for rule in MODEL_CHECKS) if c is not None]
    dispersion = None if kind == "continuous" else model.dispersion
    rates = before = None
    if kind == "proportion":
        rates = rate_totals(model, design, rows, f["denominator"].to_numpy())
        before = rate_before(y_all, f["denominator"].to_numpy(), design, rows)
    return Analysis(tuple(estimates), tuple(found), series_frame(f, design, model, kind, offset),
                    season, reason, dispersion, model.method, rates, before)
