"""Interrupted time series: segmented regression of one series (or a breakdown).

A series of counts, proportions or values is modelled with an intercept, a
linear trend, season (optional) and terms for a change in level and in slope
when the intervention began (and, optionally, when it ended). The
counterfactual is the same model with those terms set to zero.

Counts use a Poisson GLM with log link (quasi-Poisson by default, negative
binomial or plain Poisson on request), proportions a quasi-binomial GLM,
continuous outcomes OLS with Newey–West standard errors. With no comparison
group this is Maryland level 2: an association, not proof of cause.

Examples
--------
>>> from whatworks.simulate.its import simulate_counts
>>> series, truth = simulate_counts(1, n_pre=104, n_post=52)
>>> res = fit(series, intervention_date=truth["intervention_date"])
>>> res.headline.name, res.headline.measure
('level_change', 'rate ratio')
>>> 0.7 < res.headline.estimate < 0.9
True
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import plots, text
from ..data import SeriesData
from ..errors import DataError, SpecError
from ..results import Check, Evidence, Result
from ._its_analysis import Analysis, Options, analyse, tidy_frame, total_frame
from ._its_model import PERIODS_PER_YEAR, SEASONALITIES, period_containing, period_end
from ._its_words import difference_words, method_notes, ratio_change_words, summary_paragraphs

__all__ = ["fit", "ITSResult", "OUTCOME_TYPES", "OVERDISPERSION", "SEASONALITY", "IMPROVEMENT"]

#: Accepted values of each option, with what they mean.
OUTCOME_TYPES = {"count": "a count per period", "proportion": "a count out of a denominator",
                 "continuous": "a value per period"}
OVERDISPERSION = {"quasipoisson": "Pearson scale", "negbin": "negative binomial", "none": "no correction"}
SEASONALITY = {"auto": "fourier with two years of baseline, else none", **{k: k for k in SEASONALITIES}}
IMPROVEMENT = {"decrease": "a fall is good", "increase": "a rise is good"}

_EVIDENCE = Evidence(
    2,
    "An interrupted time series compares the periods after the intervention with the trend and season "
    "of the periods before it. It controls for the existing trend (and season, where modelled) but has "
    "no comparison group, so another change at the same time could explain the result.",
    "To raise it: add comparison areas chosen before seeing the outcomes and analyse a "
    "difference-in-differences (level 3); randomly allocate the intervention (level 5).",
)


@dataclass(frozen=True, kw_only=True)
class ITSResult(Result):
    """The result of :func:`fit`.

    Attributes
    ----------
    series_frame
        One row per period: ``period``, ``observed``, ``fitted``,
        ``counterfactual``, ``cf_low``, ``cf_high`` (95% band of the
        counterfactual), ``excluded``, ``phase`` (``before``, ``during``,
        ``ended``). Proportions are shown as shares, counts as counts.
    seasonality
        The seasonality used (``none``, ``fourier`` or ``dummies``).
    seasonality_reason
        Why, in words.
    """

    series_frame: pd.DataFrame = field(compare=False, repr=False)
    freq: str
    outcome_type: str
    outcome_label: str
    seasonality: str
    seasonality_reason: str
    overdispersion: str
    dispersion: float | None = None
    intervention_date: _dt.date
    intervention_end: _dt.date | None = None
    improvement: str = "decrease"
    breakdown_label: str | None = None
    model: str | None = None

    # -- charts --------------------------------------------------------------
    def _headline_words(self) -> str:
        est = self.headline
        if est is None:
            return f"no estimate of the change in {self.outcome_label} is given"
        if est.scale == "ratio":
            head, interval = ratio_change_words(est.estimate, est.ci_low, est.ci_high)
            what = self.outcome_label
            if self.outcome_type == "proportion":
                what = "the odds of " + what
            return f"{what} were {head} than expected after the intervention began ({interval})"
        head, interval = difference_words(est.estimate, est.ci_low, est.ci_high)
        return f"{self.outcome_label} were {head} than expected after the intervention began ({interval})"

    def plot(self) -> plots.Chart:
        """Observed points, fitted line, dashed counterfactual with its 95% band."""
        f = self.series_frame
        fig, ax = plots.figure()
        step = {"day": 1, "week": 7, "month": 30.4, "quarter": 91.3}[self.freq]
        for start in f.loc[f["excluded"], "period"]:
            ax.axvspan(start, start + pd.Timedelta(days=step), color=plots.COLOURS["excluded"], lw=0,
                       label="_excluded")
        kept = f[~f["excluded"]]
        ax.plot(kept["period"], kept["observed"], "o", ms=3, color=plots.COLOURS["observed"],
                label="Observed")
        if f["excluded"].any():
            out = f[f["excluded"]]
            ax.plot(out["period"], out["observed"], "o", ms=3, mfc="none", color=plots.COLOURS["common"],
                    label="Excluded from the fit")
        for phase, part in f.groupby("phase", sort=False):
            ax.plot(part["period"], part["fitted"], color=plots.COLOURS["fitted"], lw=1.6,
                    label="Fitted" if phase == "before" else "_fitted")
        post = f[f["phase"] != "before"]
        if len(post) and post["counterfactual"].notna().any():
            ax.fill_between(post["period"], post["cf_low"], post["cf_high"], color=plots.COLOURS["band"],
                            alpha=0.18, lw=0, label=f"{text.LEVEL_WORDS} band")
            ax.plot(post["period"], post["counterfactual"], "--", color=plots.COLOURS["counterfactual"],
                    lw=1.4, label="Expected without the intervention")
        marks = [(self.intervention_date, "Intervention began")]
        if self.intervention_end is not None:
            marks.append((self.intervention_end, "Intervention ended"))
        for when, words in marks:
            x = pd.Timestamp(when)
            ax.axvline(x, color=plots.COLOURS["intervention"], lw=1, ls=":")
            ax.annotate(words, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -10),
                        textcoords="offset points", fontsize=8)
        ylabel = f"Share ({self.outcome_label})" if self.outcome_type == "proportion" else self.outcome_label
        ax.set_ylabel(f"{ylabel[:1].upper()}{ylabel[1:]} per {self.freq}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, ncol=5)
        words = self._headline_words()
        alt = f"{words[:1].upper()}{words[1:]}."
        caption = f"{self.outcome_label[:1].upper()}{self.outcome_label[1:]} per {self.freq}: observed, " \
                  "fitted, and expected without the intervention"
        return plots.chart(fig, alt=alt, caption=caption)

    def forest_plot(self) -> plots.Chart | None:
        """Level change by group (breakdown) with the total, or ``None`` without groups."""
        rows = [e for e in self.estimates if e.group is not None and e.name.startswith("level_change.")]
        head = self.headline
        if not rows or head is None:
            return None
        rows = [*rows, head]
        fig, ax = plots.figure(height=0.45 * len(rows) + 1.2)
        ys = np.arange(len(rows))[::-1]
        ratio = head.scale == "ratio"
        for y, e in zip(ys, rows):
            better = (e.estimate < e.null_value) == (self.improvement == "decrease")
            colour = plots.COLOURS["improving"] if better else plots.COLOURS["concerning"]
            if e.headline:
                colour = plots.COLOURS["observed"]
            ax.plot([e.ci_low, e.ci_high], [y, y], color=colour, lw=2)
            ax.plot([e.estimate], [y], "D" if e.headline else "o", color=colour, ms=6)
        ax.axvline(head.null_value, color=plots.COLOURS["limit"], lw=1)
        ax.set_yticks(ys, [e.group for e in rows[:-1]] + ["All (total)"])
        if ratio:
            _ratio_axis(ax)
        ax.set_xlabel(f"Change in level ({head.measure}); {text.LEVEL_WORDS} intervals")
        by = self.breakdown_label or "group"
        lines = [f"{e.group} {ratio_change_words(e.estimate, e.ci_low, e.ci_high)[0]}" if ratio
                 else f"{e.group} {text.fmt_number(e.estimate)}" for e in rows[:-1]]
        alt = (f"Change in level by {by}: {'; '.join(lines)}. Overall: "
               f"{self._headline_words()}.")
        return plots.chart(fig, alt=alt, caption=f"Change in level by {by}")

    def extra(self) -> dict:
        """The ``its`` block of ``results.json``."""
        return {
            "its": {
                "seasonality": self.seasonality,
                "seasonality_reason": self.seasonality_reason,
                "overdispersion": self.overdispersion,
                "dispersion": self.dispersion,
                "freq": self.freq,
                "outcome_type": self.outcome_type,
                "intervention_date": self.intervention_date,
                "intervention_end": self.intervention_end,
                "model": self.model,
            }
        }


def _ratio_axis(ax) -> None:
    """A log axis labelled with plain ratios (0.8, 1, 1.25) rather than powers of ten."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    low, high = ax.get_xlim()
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = [t for t in _RATIO_TICKS if low <= t <= high] or [1.0]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


_RATIO_TICKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)


# -- options -------------------------------------------------------------------
def _choice(value: str, allowed: dict, key: str) -> str:
    if value not in allowed:
        options = ", ".join(f"'{k}' ({v})" for k, v in allowed.items())
        raise SpecError(f"'{value}' is not a valid choice", key=key, hint=f"Use one of: {options}.")
    return value


def _whole(value, key: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer():
        raise SpecError(f"'{value}' is not a whole number", key=key, hint="For example, 2.")
    return int(number)


def _to_timestamp(value, key: str) -> pd.Timestamp:
    if isinstance(value, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    try:
        return pd.Timestamp(_dt.date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        raise SpecError(f"'{value}' is not a date", key=key,
                        hint="Write the date as YYYY-MM-DD, for example 2024-04-01.") from None


def _locate(frame: pd.DataFrame, freq: str, when: pd.Timestamp, key: str, source: str) -> int:
    periods = pd.DatetimeIndex(frame["period"])
    last = period_end(periods[-1], freq)
    pos = period_containing(periods, freq, when) if periods[0] <= when <= last else None
    if pos is None:
        raise DataError(
            f"the {key.replace('_', ' ')} {text.fmt_date(when)} is outside the data, which runs from "
            f"{text.fmt_date(periods[0])} to {text.fmt_date(last)}", file=source,
            hint=f"Check '{key}' in the spec, or use a data export that covers that date.")
    return pos


def _outcome_type(frame: pd.DataFrame, asked: str, source: str) -> str:
    has_denominator = "denominator" in frame and frame["denominator"].notna().any()
    if asked == "proportion" and not has_denominator:
        raise DataError("a proportion needs a denominator column, and none was given", file=source,
                        column="denominator", hint="Name the denominator column in the spec.")
    if asked == "count" and has_denominator:
        return "proportion"
    return asked


# -- fit -----------------------------------------------------------------------
def fit(
    series: SeriesData,
    *,
    intervention_date,
    intervention_end=None,
    outcome_type: str = "count",
    seasonality: str = "auto",
    fourier_pairs: int = 2,
    overdispersion: str = "quasipoisson",
    slope_change: bool = True,
    improvement: str = "decrease",
    breakdown_label: str | None = None,
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

    Returns
    -------
    ITSResult

    Examples
    --------
    >>> from whatworks.simulate.its import simulate_counts
    >>> s, truth = simulate_counts(3, n_pre=60, n_post=30, seasonal_amplitude=0.0)
    >>> r = fit(s, intervention_date=truth["intervention_date"], seasonality="none")
    >>> [e.name for e in r.estimates]
    ['level_change', 'slope_change', 'total_effect']
    """
    opts = Options(
        outcome_type=_choice(outcome_type, OUTCOME_TYPES, "outcome_type"),
        seasonality=_choice(seasonality, SEASONALITY, "seasonality"),
        fourier_pairs=_whole(fourier_pairs, "fourier_pairs"),
        overdispersion=_choice(overdispersion, OVERDISPERSION, "overdispersion"),
        slope_change=bool(slope_change),
        improvement=_choice(improvement, IMPROVEMENT, "improvement"),
    )
    source, freq, label = series.source, series.freq, series.outcome_label or "outcome"
    if freq not in PERIODS_PER_YEAR:
        raise DataError(f"the period length '{freq}' is not one of day, week, month, quarter", file=source)
    max_pairs = max(1, PERIODS_PER_YEAR[freq] // 2) if freq in ("month", "quarter") else 26
    if not 1 <= opts.fourier_pairs <= max_pairs:
        raise SpecError(f"fourier_pairs must be a whole number from 1 to {max_pairs} for {freq}ly data",
                        key="fourier_pairs", hint="Two pairs suit most series.")
    frame = tidy_frame(series.frame, source)
    kind = _outcome_type(frame, opts.outcome_type, source)
    if kind == "proportion" and opts.overdispersion == "negbin":
        raise SpecError("a negative binomial model is for counts, not proportions", key="overdispersion",
                        hint="Use quasipoisson (the default) or none; proportions then use a "
                             "quasi-binomial model.")
    opts = opts.with_outcome_type(kind)
    groups = sorted(frame["group"].dropna().unique()) if "group" in frame else []
    total = total_frame(frame) if groups else frame
    start = _to_timestamp(intervention_date, "intervention_date")
    first_post = _locate(total, freq, start, "intervention_date", source)
    first_end = None
    end = None
    if intervention_end is not None:
        end = _to_timestamp(intervention_end, "intervention_end")
        first_end = _locate(total, freq, end, "intervention_end", source)
        if first_end <= first_post:
            raise SpecError("the intervention end date must fall in a later period than its start date",
                            key="intervention_end", hint="Check both dates in the spec.")
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
                   total)


def _result(main: Analysis, estimates, all_checks, opts: Options, series: SeriesData, start, end,
            breakdown_label, has_groups: bool, total: pd.DataFrame) -> ITSResult:
    label = series.outcome_label or "outcome"
    freq = series.freq
    n_post = int(((main.frame["phase"] == "during") & ~main.frame["excluded"]).sum())
    level = next((e for e in main.estimates if e.name == "level_change"), None)
    total_est = next((e for e in main.estimates if e.name == "total_effect"), None)
    summary = summary_paragraphs(
        level=level, total=total_est, checks=all_checks, label=label, outcome_type=opts.outcome_type,
        start_words=text.fmt_date(start), n_post_words=text.plural(n_post, freq),
        improvement=opts.improvement, sms_level=_EVIDENCE.sms_level,
        groups=[e for e in estimates if e.group is not None and e.name.startswith("level_change.")],
        by=breakdown_label or "group")
    notes = method_notes(
        method=main.method or "not fitted", outcome_type=opts.outcome_type,
        seasonality_reason=main.seasonality_reason, slope_change=opts.slope_change, freq=freq,
        has_exposure="exposure" in total, has_end=end is not None, has_groups=has_groups)
    periods = pd.DatetimeIndex(total["period"])
    return ITSResult(
        estimates=tuple(estimates),
        checks=tuple(all_checks),
        evidence=_EVIDENCE,
        summary_text=summary,
        notes=notes,
        period_start=periods[0].date(),
        period_end=period_end(periods[-1], freq).date(),
        series_frame=main.frame,
        freq=freq,
        outcome_type=opts.outcome_type,
        outcome_label=label,
        seasonality=main.seasonality,
        seasonality_reason=main.seasonality_reason,
        overdispersion=opts.overdispersion if opts.outcome_type != "continuous" else "not applicable",
        dispersion=main.dispersion,
        intervention_date=start.date(),
        intervention_end=None if end is None else end.date(),
        improvement=opts.improvement,
        breakdown_label=breakdown_label,
        model=main.method,
    )
