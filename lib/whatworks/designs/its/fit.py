"""The public :func:`fit` of an interrupted time series.

It checks the options, finds the periods holding the intervention dates,
analyses the total series (and each group of a breakdown) with
:func:`.analysis.analyse`, and assembles an :class:`.result.ITSResult`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ... import dates, text
from ...data import SeriesData
from ...errors import DataError, SpecError
from ...results import Check, Estimate
from .analysis import Analysis, analyse
from .inputs import (
    AUTOCORRELATION,
    IMPROVEMENT,
    OUTCOME_TYPES,
    OVERDISPERSION,
    SEASONALITY,
    TRANSITION,
    Options,
    choice,
    locate,
    mark_transitions,
    resolve_outcome_type,
    tidy_frame,
    total_frame,
    whole,
)
from .model import period_containing
from .result import ITSResult
from .words import EVIDENCE, method_notes, summary_paragraphs

__all__ = ["fit"]


def fit(
    series: SeriesData,
    *,
    intervention_date: object,
    intervention_end: object | None = None,
    outcome_type: str = "count",
    seasonality: str = "auto",
    fourier_pairs: int = 2,
    overdispersion: str = "quasipoisson",
    slope_change: bool = True,
    improvement: str = "decrease",
    breakdown_label: str | None = None,
    transition: str = "exclude",
    autocorrelation: str = "ar1",
) -> ITSResult:
    """Fit a segmented regression and return estimates, checks and charts.

    Parameters
    ----------
    series
        The tidy series (``period``, ``outcome``, optional ``denominator``,
        ``exposure``, ``group``, ``excluded``).
    intervention_date
        When the intervention began (ISO string or date); the period that
        contains it is the first period after.
    intervention_end
        When it stopped (the first day without it), or ``None``.
    outcome_type
        ``count``, ``proportion`` or ``continuous``. A count with a
        denominator column is analysed as a proportion.
    seasonality
        ``auto``, ``none``, ``fourier`` or ``dummies``.
    fourier_pairs
        Pairs of sine and cosine terms for ``fourier``.
    overdispersion
        ``quasipoisson``, ``negbin`` or ``none`` (counts; proportions use the
        Pearson scale unless ``none``).
    slope_change
        Whether to estimate a change in slope as well as in level.
    improvement
        ``decrease`` or ``increase``: which direction is good.
    breakdown_label
        What the ``group`` column holds, in words (e.g. "crime type").
    transition
        ``exclude`` (the default) leaves out of the fit a period that
        contains the start (or end) date other than on its first day, as
        it is partly before and partly after; ``after`` counts it as after.
    autocorrelation
        ``ar1`` (the default) corrects the model of every outcome type for
        autocorrelated periods: an AR(1) process seen through independent
        noise, estimated by REML from the residuals of the independence fit,
        then a GEE (for continuous outcomes GLS) refit; ``newey-west`` keeps
        the independence fit with Newey–West (HAC) standard errors; ``none``
        takes the periods as independent.

    Returns
    -------
    ITSResult

    Examples
    --------
    >>> from whatworks.simulate.its import simulate_counts
    >>> s, truth = simulate_counts(3, n_pre=60, n_post=30, seasonal_amplitude=0.0)
    >>> r = fit(s, intervention_date=truth["intervention_date"], seasonality="none")
    >>> [e.name for e in r.estimates]
    ['level_change', 'slope_change', 'total_effect', 'crimes_prevented', 'crimes_prevented_end']
    """
    opts = Options(
        outcome_type=choice(outcome_type, OUTCOME_TYPES, "outcome_type"),
        seasonality=choice(seasonality, SEASONALITY, "seasonality"),
        fourier_pairs=whole(fourier_pairs, "fourier_pairs"),
        overdispersion=choice(overdispersion, OVERDISPERSION, "overdispersion"),
        slope_change=bool(slope_change),
        improvement=choice(improvement, IMPROVEMENT, "improvement"),
        transition=choice(transition, TRANSITION, "transition"),
        autocorrelation=choice(autocorrelation, AUTOCORRELATION, "autocorrelation"),
    )
    source, freq, label = series.source, series.freq, series.outcome_label or "outcome"
    if freq not in dates.FREQS:
        raise DataError(f"the period length '{freq}' is not one of {', '.join(dates.FREQS)}",
                        file=source)
    _check_season_options(opts, freq)
    frame = tidy_frame(series.frame, source)
    kind = resolve_outcome_type(frame, opts.outcome_type, source)
    if kind == "proportion" and opts.overdispersion == "negbin":
        raise SpecError("a negative binomial model is for counts, not proportions", key="overdispersion",
                        hint="Use quasipoisson (the default) or none; proportions then use a "
                             "quasi-binomial model.")
    opts = opts.with_outcome_type(kind)
    groups = sorted(frame["group"].dropna().unique()) if "group" in frame else []
    total = total_frame(frame) if groups else frame
    start = dates.parse_date(intervention_date, key="intervention_date").normalize()
    first_post = locate(total, freq, start, "intervention_date", source)
    first_end = None
    end = None
    if intervention_end is not None:
        end = dates.parse_date(intervention_end, key="intervention_end").normalize()
        first_end = locate(total, freq, end, "intervention_end", source)
        if first_end <= first_post:
            raise SpecError("the intervention end date must fall in a later period than its start date",
                            key="intervention_end", hint="Check both dates in the spec.")
    total, transitions = mark_transitions(total, freq, [(first_post, start), (first_end, end)], opts.transition)
    main = analyse(total, freq=freq, source=source, opts=opts, first_post=first_post, first_end=first_end,
                   label=label)
    estimates = list(main.estimates)
    all_checks = list(main.checks)
    for g in groups:
        part = tidy_frame(frame[frame["group"] == g].drop(columns="group"), source)
        pos = period_containing(part["period"], freq, start)
        pos_end = None if end is None else period_containing(part["period"], freq, end)
        if pos is None or (end is not None and pos_end is None):
            all_checks.append(Check(f"too_few_points.{g}", "fail",
                                    f"{g}: the data do not cover the intervention dates."))
            continue
        part, _ = mark_transitions(part, freq, [(pos, start), (pos_end, end)], opts.transition)
        sub = analyse(part, freq=freq, source=source, opts=opts, first_post=pos, first_end=pos_end,
                      label=label)
        estimates += [dataclasses.replace(e, name=f"{e.name}.{g}", group=str(g), label=f"{e.label}: {g}",
                                          headline=False)
                      for e in sub.estimates]
        all_checks += [Check(f"{c.name}.{g}", c.status, f"{g}: {c.message}")
                       for c in sub.checks if c.status in ("warn", "fail")]
    if not main.estimates:  # the headline is withheld, so every estimate is
        estimates = []
    return _result(main, estimates, all_checks, opts, series, start, end, breakdown_label, bool(groups),
                   total, transitions)


def _check_season_options(opts: Options, freq: str) -> None:
    """Refuse seasonal terms on yearly data, and more Fourier pairs than the year holds."""
    per_year = dates.PERIODS_PER_YEAR[freq]
    adverb = dates.FREQS[freq].adverb
    if per_year == 1:
        if opts.seasonality in ("fourier", "dummies"):
            raise SpecError(
                f"seasonality: {opts.seasonality} cannot be fitted to {adverb} data: with one period "
                "a year there is no season to estimate", key="seasonality",
                hint="Use seasonality: none (or auto, which chooses none here), or data by quarter, "
                     "month or week.")
        return
    max_pairs = max(1, per_year // 2) if per_year <= 12 else 26
    if not 1 <= opts.fourier_pairs <= max_pairs:
        raise SpecError(f"fourier_pairs must be a whole number from 1 to {max_pairs} for {adverb} data",
                        key="fourier_pairs", hint="Two pairs suit most series.")


def _result(main: Analysis, estimates: list[Estimate], all_checks: list[Check], opts: Options,
            series: SeriesData, start: pd.Timestamp, end: pd.Timestamp | None,
            breakdown_label: str | None, has_groups: bool, total: pd.DataFrame,
            transitions: list[pd.Timestamp]) -> ITSResult:
    label = series.outcome_label or "outcome"
    freq = series.freq
    n_post = int(((main.frame["phase"] == "during") & ~main.frame["excluded"]).sum())
    named = {e.name: e for e in main.estimates}
    by_group = "percentage_point_change." if "percentage_point_change" in named else "level_change."
    summary = summary_paragraphs(
        level=named.get("level_change"), total=named.get("total_effect"), checks=all_checks, label=label,
        outcome_type=opts.outcome_type,
        start_words=text.fmt_date(start), n_post_words=text.plural(n_post, dates.FREQS[freq].word),
        improvement=opts.improvement, sms_level=EVIDENCE.sms_level,
        groups=[e for e in estimates if e.group is not None and e.name.startswith(by_group)],
        by=breakdown_label or "group", prevented=named.get("crimes_prevented"),
        end=named.get("crimes_prevented_end"), points=named.get("percentage_point_change"), rates=main.rates,
        rate_before=main.rate_before, period_word=dates.FREQS[freq].word)
    notes = method_notes(
        method=main.method or "not fitted", outcome_type=opts.outcome_type,
        seasonality_reason=main.seasonality_reason, slope_change=opts.slope_change, freq=freq,
        has_exposure="exposure" in total, has_end=end is not None, has_groups=has_groups,
        transitions=[text.fmt_date(d) for d in transitions], transition=opts.transition,
        autocorrelation=opts.autocorrelation)
    periods = pd.DatetimeIndex(total["period"])
    return ITSResult(
        estimates=tuple(estimates),
        checks=tuple(all_checks),
        evidence=EVIDENCE,
        summary_text=summary,
        notes=notes,
        period_start=periods[0].date(),
        period_end=dates.period_end(periods[-1], freq).date(),
        series_frame=main.frame,
        freq=freq,
        outcome_type=opts.outcome_type,
        outcome_label=label,
        seasonality=main.seasonality,
        seasonality_reason=main.seasonality_reason,
        overdispersion=opts.overdispersion if opts.outcome_type != "continuous" else "not applicable",
        dispersion=main.dispersion,
        autocorrelation=opts.autocorrelation,
        intervention_date=start.date(),
        intervention_end=None if end is None else end.date(),
        improvement=opts.improvement,
        breakdown_label=breakdown_label,
        model=main.method,
    )
