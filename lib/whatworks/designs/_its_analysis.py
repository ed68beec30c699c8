"""One interrupted-time-series analysis of one series: fit, estimates, checks, frame.

:func:`analyse` is called once for the headline series and once per group of
a breakdown; :mod:`whatworks.designs.its` assembles the result.

Examples
--------
>>> import pandas as pd
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
from scipy import stats

from ..errors import DataError
from ..results import Check, Estimate
from . import _its_checks as checks_
from ._its_model import FAMILIES, PERIODS_PER_YEAR, Z, Design, ModelFit, build_design, period_steps

__all__ = ["Options", "Analysis", "analyse", "tidy_frame", "total_frame"]


@dataclass(frozen=True)
class Options:
    """The user's modelling options, already validated."""

    outcome_type: str = "count"
    seasonality: str = "auto"
    fourier_pairs: int = 2
    overdispersion: str = "quasipoisson"
    slope_change: bool = True
    improvement: str = "decrease"

    def with_outcome_type(self, kind: str) -> "Options":
        return dataclasses.replace(self, outcome_type=kind)


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


# -- frames ----------------------------------------------------------------------
def tidy_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Sort, check and complete a series frame (adds ``excluded`` when missing)."""
    missing = [c for c in ("period", "outcome") if c not in frame]
    if missing:
        raise DataError("the series has no period or outcome column", file=source, column=missing,
                        hint="Name the date and outcome columns in the spec.")
    f = frame.copy()
    f["period"] = pd.to_datetime(f["period"])
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
    agg: dict = {"outcome": ("outcome", "sum"), "excluded": ("excluded", "any")}
    if "denominator" in frame:
        agg["denominator"] = ("denominator", "sum")
    out = frame.groupby("period", as_index=False).agg(**agg)
    if "exposure" in frame:
        g = frame.groupby("period")["exposure"]
        shared = (g.nunique() <= 1).to_numpy()
        out["exposure"] = np.where(shared, g.first().to_numpy(), g.sum().to_numpy())
    return out


# -- analysis ----------------------------------------------------------------------
def _resolve_season(asked: str, baseline_periods: int, freq: str) -> tuple[str, str]:
    two_years = 2 * PERIODS_PER_YEAR[freq]
    have = f"the baseline holds {baseline_periods} {freq}s"
    if asked != "auto":
        return asked, f"{asked}, as set in the spec ({have})."
    if baseline_periods >= two_years:
        return "fourier", (f"fourier terms, chosen automatically because {have}, at least two years "
                           f"({two_years} {freq}s).")
    return "none", (f"none, chosen automatically because {have}, under two years ({two_years} "
                    f"{freq}s), too short to estimate a seasonal pattern.")


def _drop_flat(design: Design, rows: np.ndarray) -> Design:
    """Drop seasonal columns that do not vary over the fitted rows."""
    X = design.X[rows]
    keep = [i for i in range(X.shape[1])
            if i < 2 or i >= design.n_baseline or np.ptp(X[:, i]) > 0]
    n_base = sum(1 for i in keep if i < design.n_baseline)
    return Design(design.X[:, keep], tuple(design.names[i] for i in keep), n_base, design.phase)


def _check_values(f: pd.DataFrame, kind: str, source: str, rows: np.ndarray) -> None:
    def bad(mask, message, column, hint):
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


def _check_no_events(y, rows, phase, phases, freq) -> Check | None:
    """A segment with no events at all cannot give a relative change."""
    words = dict(zip(phases, ("before the intervention", "after it began", "after it ended")))
    empty = [words[p] for p in phases if y[rows & (phase == p)].sum() == 0]
    if not empty:
        return None
    return Check("too_few_points", "fail",
                 f"There were no events at all {' or '.join(empty)}, so a relative change cannot be "
                 f"estimated. Use a longer period than a {freq}, or a wider area or outcome.")


def _estimate(name, label, measure, b, se, scale, unit, headline=False, outcome=None) -> Estimate:
    p = float(2 * stats.norm.sf(abs(b / se))) if se > 0 else None
    if scale == "ratio":
        return Estimate(name=name, label=label, measure=measure, estimate=float(np.exp(b)), scale="ratio",
                        se=float(se), ci_low=float(np.exp(b - Z * se)), ci_high=float(np.exp(b + Z * se)),
                        p_value=p, unit=unit, headline=headline, outcome=outcome)
    return Estimate(name=name, label=label, measure=measure, estimate=float(b), scale="difference",
                    se=float(se), ci_low=float(b - Z * se), ci_high=float(b + Z * se), p_value=p,
                    unit=unit, headline=headline, outcome=outcome)


_MEASURES = {"count": ("rate ratio", "ratio"), "proportion": ("odds ratio", "ratio"),
             "continuous": ("difference", "difference")}
_SEGMENTS = {"": ("Change in level when the intervention began", "Change in slope after it began"),
             "_after_end": ("Change in level when the intervention ended",
                            "Change in slope after it ended")}


def _effects(model: ModelFit, design: Design, kind: str, freq: str, label: str) -> list[Estimate]:
    measure, scale = _MEASURES[kind]
    out: list[Estimate] = []
    for suffix, (level_words, slope_words) in _SEGMENTS.items():
        for term, words, per in (("level", level_words, ""), ("slope", slope_words, f" per {freq}")):
            if term + suffix not in design.names:
                continue
            i = design.column(term + suffix)
            unit = f"{measure}{per}" if scale == "ratio" else f"{label}{per}"
            out.append(_estimate(f"{term}_change{suffix}", words, f"{measure}{per}", model.params[i],
                                 float(np.sqrt(model.cov[i, i])), scale, unit,
                                 headline=(term == "level" and suffix == ""), outcome=label))
    return out


def _total_effect(model, Xcf, offset, y_all, rows, name, label, words) -> Estimate | None:
    if not rows.any():
        return None
    eta = Xcf[rows] @ model.params + offset[rows]
    cf = np.exp(eta)
    grad = (cf[:, None] * Xcf[rows]).sum(axis=0)
    se = float(np.sqrt(grad @ model.cov @ grad))
    est = float(y_all[rows].sum() - cf.sum())
    return Estimate(name=name, label=words, measure=f"{label}, observed minus expected", estimate=est,
                    scale="total", se=se, ci_low=est - Z * se, ci_high=est + Z * se,
                    p_value=float(2 * stats.norm.sf(abs(est / se))) if se > 0 else None, unit=label,
                    outcome=label)


def _series_frame(f, design, model, kind, offset) -> pd.DataFrame:
    observed = f["outcome"].to_numpy() / (f["denominator"].to_numpy() if kind == "proportion" else 1.0)
    out = pd.DataFrame({"period": f["period"].to_numpy(), "observed": observed})
    if model is None:
        for col in ("fitted", "counterfactual", "cf_low", "cf_high"):
            out[col] = np.nan
    else:
        scale = 1.0 if kind == "proportion" else np.exp(offset) if kind == "count" else 1.0
        eta, _ = model.linear(design.X)
        eta_cf, se_cf = model.linear(design.counterfactual())
        out["fitted"] = model.inverse(eta) * scale
        out["counterfactual"] = model.inverse(eta_cf) * scale
        out["cf_low"] = model.inverse(eta_cf - Z * se_cf) * scale
        out["cf_high"] = model.inverse(eta_cf + Z * se_cf) * scale
    out["excluded"] = f["excluded"].to_numpy()
    out["phase"] = design.phase
    return out


def analyse(f: pd.DataFrame, *, freq: str, source: str, opts: Options, first_post: int,
            first_end: int | None, label: str = "outcome") -> Analysis:
    """Fit one series and return its estimates, checks and series frame."""
    kind = opts.outcome_type
    rows = ~f["excluded"].to_numpy()
    _check_values(f, kind, source, rows)
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
    ci = checks_.CheckInput(n_segments=n_segments, freq=freq, n_baseline_params=design.n_baseline,
                            baseline_periods=baseline_periods, seasonality_asked=opts.seasonality)
    few = checks_.check_too_few_points(ci)
    if few.status == "pass" and kind != "continuous":
        few = _check_no_events(f["outcome"].to_numpy(), rows, design.phase, phases, freq) or few
    offset = np.zeros(len(f))
    if "exposure" in f and kind == "count":
        with np.errstate(divide="ignore", invalid="ignore"):  # excluded periods may lack an exposure
            offset = np.log(f["exposure"].to_numpy())
    if few.status == "fail":
        under = checks_.check_underpowered(ci)
        return Analysis((), (few, under), _series_frame(f, design, None, kind, offset), season, reason,
                        None, None)
    y_all = f["outcome"].to_numpy()
    denom = f["denominator"].to_numpy()[rows] if kind == "proportion" else None
    model = FAMILIES[kind](y_all[rows], design.X[rows], offset[rows], denom, opts.overdispersion)
    estimates = _effects(model, design, kind, freq, label)
    if kind == "count":
        Xcf = design.counterfactual()
        for phase, name, words in (("during", "total_effect", "Observed minus expected, after it began"),
                                   ("ended", "total_effect_after_end",
                                    "Observed minus expected, after it ended")):
            est = _total_effect(model, Xcf, offset, y_all, rows & (design.phase == phase), name, label, words)
            if est is not None:
                estimates.append(est)
    base_rows = design.phase[rows] == "before"
    ci = dataclasses.replace(
        ci, outcome_type=kind, counts=y_all[rows], pearson=model.pearson,
        pearson_baseline=model.pearson[base_rows], improvement=opts.improvement,
        dispersion=model.dispersion, dispersion_kind=model.dispersion_kind,
        overdispersion=opts.overdispersion)
    found = [few] + [c for c in (rule(ci) for rule in checks_.MODEL_CHECKS) if c is not None]
    dispersion = None if kind == "continuous" else model.dispersion
    return Analysis(tuple(estimates), tuple(found), _series_frame(f, design, model, kind, offset),
                    season, reason, dispersion, model.method)
