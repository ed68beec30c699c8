"""The difference-in-differences result: estimates, checks, words and charts.

Examples
--------
>>> round(wdq(100, 80, 50, 40, 200, 200), 3)
0.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import plots, text
from ..display import Table
from ..results import Check, Estimate, Evidence, Result
from ._did_analysis import Analysis
from ._did_inference import Inference
from ._did_input import Panel

__all__ = ["DiDResult", "build_result", "wdq", "displacement_words"]

_ESTIMATOR_NOTES = {
    "twfe": {
        "poisson": "Model: Poisson regression with unit and period fixed effects and one indicator for "
                   "treated units from their start; the effect is the rate ratio exp(coefficient).",
        "gaussian": "Model: linear regression with unit and period fixed effects and one indicator for "
                    "treated units from their start; the effect is the coefficient, a difference.",
    },
    "single": {
        "poisson": "Model: with one treated unit, unit and period effects are fitted by Poisson regression on "
                   "the comparison units; the effect is the treated unit's ratio of observed to expected "
                   "counts after the start divided by the same ratio before it (expected from the period "
                   "effects, and the exposure offset when given). Each placebo is the same ratio for a "
                   "comparison unit against the same fitted period effects.",
        "gaussian": "Model: with one treated unit, unit and period effects are fitted by least squares on the "
                    "comparison units; the effect is the treated unit's mean residual from the period effects "
                    "after the start minus its mean residual before it. Each placebo is the same difference "
                    "for a comparison unit.",
    },
    "imputation": {
        "poisson": "Model: imputation estimator (Borusyak, Jaravel and Spiess, 2024), because treated units "
                   "start on different dates. Unit and period effects are fitted by Poisson regression on "
                   "untreated observations only (comparison units, and treated units before their start); "
                   "the effect is the ratio of the observed to the imputed counts, summed over treated "
                   "observations.",
        "gaussian": "Model: imputation estimator (Borusyak, Jaravel and Spiess, 2024), because treated units "
                    "start on different dates. Unit and period effects are fitted by least squares on "
                    "untreated observations only; the effect is the mean of observed minus imputed values "
                    "over treated observations.",
    },
}


def wdq(r_before: float, r_after: float, b_before: float, b_after: float, c_before: float,
        c_after: float) -> float | None:
    """Weighted displacement quotient (Bowers and Johnson, 2003).

    ``WDQ = (B_after/C_after - B_before/C_before) / (R_after/C_after - R_before/C_before)``
    for totals in the response (treated) area R, buffer B and comparison C.
    The denominator is the success measure (negative when crime fell at
    treated units relative to comparison units); the quotient is positive
    when benefits spread to the buffer (diffusion), negative when crime moved
    there (displacement), and below -1 when more moved than was prevented.
    ``None`` when undefined (no change at treated units relative to the
    comparison, or a zero comparison total).

    >>> round(wdq(100, 80, 50, 55, 200, 200), 2)
    -0.25
    """
    if min(c_before, c_after) <= 0:
        return None
    success = r_after / c_after - r_before / c_before
    if abs(success) < 1e-12:
        return None
    return float((b_after / c_after - b_before / c_before) / success)


def displacement_words(est: Estimate | None) -> str:
    """The displacement finding chosen by the buffer estimate's interval."""
    if est is None:
        return "Displacement was not assessed: no buffer units were given."
    excl = est.excludes_null()
    if excl and est.estimate > est.null_value:
        return ("Crime appears to have moved: the buffer units rose relative to the comparison units "
                f"({_change(est)}, {_ci_words(est)}).")
    if excl and est.estimate < est.null_value:
        return ("Benefits appear to have spread: the buffer units fell relative to the comparison units "
                f"({_change(est)}, {_ci_words(est)}).")
    return ("No evidence either way on displacement: the buffer units' change relative to the comparison "
            f"units is {_change(est)} ({_ci_words(est)}), an interval that includes no change.")


def _change(est: Estimate) -> str:
    if est.scale == "ratio":
        return _pct(est.estimate)
    return f"a difference of {text.fmt_number(est.estimate)}"


def _ci_words(est: Estimate) -> str:
    if est.scale == "ratio":
        return f"{text.LEVEL_WORDS} CI {_pct(est.ci_low)} to {_pct(est.ci_high)}"
    return est.interval_words()


def _estimate(name: str, label: str, inf: Inference, family: str, *, headline: bool = False,
              outcome: str | None = None) -> Estimate:
    if family == "poisson":
        f = math.exp
        return Estimate(name=name, label=label, measure="rate ratio", scale="ratio", headline=headline,
                        estimate=f(inf.estimate), se=inf.se,
                        ci_low=None if inf.ci_low is None else f(inf.ci_low),
                        ci_high=None if inf.ci_high is None else f(inf.ci_high),
                        p_value=inf.p_value, outcome=outcome, unit="rate ratio")
    return Estimate(name=name, label=label, measure="difference", scale="difference", headline=headline,
                    estimate=inf.estimate, se=inf.se, ci_low=inf.ci_low, ci_high=inf.ci_high,
                    p_value=inf.p_value, outcome=outcome)


@dataclass(frozen=True, kw_only=True)
class DiDResult(Result):
    """Difference-in-differences result; see :func:`whatworks.designs.did.fit`."""

    estimator: str
    regime: str
    n_treated: int
    n_comparison: int
    n_buffer: int = 0
    seed: int
    n_boot: int
    outcome_label: str = "outcome"
    family: str = "poisson"
    improvement: str = "decrease"
    starts: tuple[str, ...] = ()
    event_study: tuple[dict, ...] = ()
    pretrend_p: float | None = None
    wdq: float | None = None
    displacement: str = ""
    series: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def extra(self) -> dict:
        """``{"did": {...}}`` for ``results.json``."""
        return {"did": {
            "estimator": self.estimator,
            "inference": self.regime,
            "n_treated": self.n_treated,
            "n_comparison": self.n_comparison,
            "n_buffer": self.n_buffer,
            "seed": self.seed,
            "n_boot": self.n_boot,
            "starts": list(self.starts),
            "event_study": [dict(b) for b in self.event_study],
            "pretrend_p": self.pretrend_p,
            "wdq": self.wdq,
            "displacement": self.displacement,
        }}

    def event_study_table(self) -> Table:
        """Event-study bins as a table."""
        rows = []
        for b in self.event_study:
            rows.append((f"{b['from']} to {b['to']}", "before" if b["kind"] == "lead" else "after",
                         text.fmt_number(b["estimate"], 3),
                         text.fmt_interval(b["ci_low"], b["ci_high"], digits=3).removeprefix("95% CI ")))
        return Table(("Periods from the start", "Side", "Estimate", f"{text.LEVEL_WORDS} interval"),
                     tuple(rows), caption="Event study", numeric=(False, False, True, True))

    def plot(self) -> plots.Chart:
        """Treated, comparison (and buffer) means, each indexed to 100 before the start."""
        fig, ax = plots.figure()
        for col in ("treated", "comparison", "buffer"):
            if col in self.series:
                ax.plot(self.series["period"], self.series[col], color=plots.COLOURS[col],
                        lw=1.4 if col == "treated" else 1.0, label=f"{col.capitalize()} units")
        for s in sorted(set(self.starts)):
            ax.axvline(pd.Timestamp(s), color=plots.COLOURS["intervention"], ls="--", lw=1)
        ax.set_ylabel("Index (mean before the start = 100)")
        ax.legend(loc="best")
        head = self.headline
        alt = f"{self.outcome_label.capitalize()} at treated and comparison units over time. " + _effect_sentence(
            head, self.outcome_label, causal=False)
        return plots.chart(fig, alt=alt, caption="Treated and comparison units, indexed to their baseline mean")

    def event_study_plot(self) -> plots.Chart:
        """Leads and lags with their intervals, against periods from the start."""
        fig, ax = plots.figure()
        null = 1.0 if self.family == "poisson" else 0.0
        for b in self.event_study:
            mid = (b["from"] + b["to"]) / 2
            colour = plots.COLOURS["comparison"] if b["kind"] == "lead" else plots.COLOURS["treated"]
            if b["ci_low"] is not None and b["ci_high"] is not None:
                ax.plot([mid, mid], [b["ci_low"], b["ci_high"]], color=colour, lw=1.2)
            ax.plot([mid], [b["estimate"]], "o", color=colour)
        ax.axhline(null, color=plots.COLOURS["limit"], lw=0.8)
        ax.axvline(-0.5, color=plots.COLOURS["intervention"], ls="--", lw=1)
        ax.set_xlabel("Periods from the start")
        ax.set_ylabel("Rate ratio" if self.family == "poisson" else "Difference")
        pre = ("no joint test was possible" if self.pretrend_p is None
               else f"joint test of the periods before the start {text.fmt_p(self.pretrend_p)}")
        lags = [b for b in self.event_study if b["kind"] == "lag"]
        last = lags[-1] if lags else None
        after = "" if last is None else (
            f" In the last bin after the start ({last['from']} to {last['to']} periods) the estimate is "
            f"{text.fmt_number(last['estimate'], 3)}.")
        alt = f"Event study: before the start, {pre}.{after}"
        return plots.chart(fig, alt=alt, caption="Event study: difference between treated and comparison units "
                                                 "by periods from the start, with 95% intervals")


def _pct(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    change = (ratio - 1) * 100
    if round(change) == 0:
        return "no change"
    return f"{abs(change):.0f}% {'lower' if change < 0 else 'higher'}"


def _effect_sentence(est: Estimate, outcome: str, *, causal: bool) -> str:
    """The headline in words; causal wording only at Maryland level 3 or above.

    >>> e = Estimate(name="did", label="", measure="rate ratio", estimate=0.85, ci_low=0.78,
    ...              ci_high=0.93, scale="ratio", headline=True)
    >>> _effect_sentence(e, "crime", causal=True)
    'Crime at treated units fell by an estimated 15% relative to comparison units (95% CI 22% lower to 7% lower).'
    """
    what = outcome[:1].upper() + outcome[1:]
    if est.scale == "ratio":
        ci = f"{text.LEVEL_WORDS} CI {_pct(est.ci_low)} to {_pct(est.ci_high)}"
        change = (est.estimate - 1) * 100
        if causal:
            word = "fell" if change < 0 else "rose"
            return (f"{what} at treated units {word} by an estimated {abs(change):.0f}% relative to "
                    f"comparison units ({ci}).")
        return (f"After the start, the level of {outcome} at treated units was {_pct(est.estimate)} than the "
                f"change at comparison units would suggest ({ci}).")
    ci = est.interval_words()
    if causal:
        return (f"{what} at treated units changed by an estimated {text.fmt_number(est.estimate)} relative "
                f"to comparison units ({ci}).")
    return (f"After the start, {outcome} at treated units differed by {text.fmt_number(est.estimate)} from what "
            f"the change at comparison units would suggest ({ci}).")


def _series(panel: Panel, first: int) -> pd.DataFrame:
    out = {"period": panel.periods}
    for role in ("treated", "comparison", "buffer"):
        rows = panel.index(role)
        if rows.size == 0:
            continue
        y = np.where(panel.mask[rows], panel.y[rows], np.nan)
        mean = np.nanmean(y, axis=0)
        base = np.nanmean(mean[:first])
        out[role] = mean / base * 100 if base and np.isfinite(base) else mean
    return pd.DataFrame(out)


_CAVEAT = ("Passing this test does not prove the trends would have stayed parallel: it has little power "
           "with few units, and it says nothing about changes that began at the same time as the intervention.")


def _checks(panel: Panel, main: Analysis, plain: Analysis | None, pretrend_p: float | None, n_leads: int,
            placebo_time: Estimate | None, placebo_date: str | None, buffer_est: Estimate | None,
            quotient: float | None, n_treated: int) -> list[Check]:
    checks = [Check("inference", "info", REGIME_WORDS[main.regime].format(n=n_treated))]
    if main.regime == "placebo":
        inf = main["did"]
        m = inf.n_placebo or 0
        cov = 0.0 if inf.coverage is None else inf.coverage
        reach = ("" if cov >= 0.95 else
                 " rather than 95% (that needs at least 39 comparison units), so it is narrower than a true "
                 "95% interval")
        checks.append(Check(
            "coarse_interval", "warn",
            f"With one treated unit the interval comes from {m} placebo estimates, one per comparison unit, so "
            f"it is coarse: its ends are single placebo estimates, and under exchangeability it covers the true "
            f"effect with probability {cov * 100:.0f}%{reach}. The smallest possible p-value is "
            f"{1 / (m + 1):.3f}."))
    if pretrend_p is None:
        checks.append(Check("parallel_trends", "info",
                            "Too few periods before the start for a test of the trends before it."))
    elif pretrend_p < 0.10:
        checks.append(Check("parallel_trends", "warn",
                            f"Parallel-trends doubt: the treated and comparison units moved differently before the "
                            f"start (joint test of {n_leads} pre-period bins, {text.fmt_p(pretrend_p)}). {_CAVEAT}"))
    else:
        checks.append(Check("parallel_trends", "pass",
                            f"Before the start, treated and comparison units moved together (joint test of "
                            f"{n_leads} pre-period bins, {text.fmt_p(pretrend_p)}). {_CAVEAT}"))
    if placebo_time is None:
        checks.append(Check("placebo_in_time", "info", "Too few periods before the start for a placebo in time."))
    else:
        when = text.fmt_date(placebo_date)
        words = f"{placebo_time.estimate:.3f}, {placebo_time.interval_words(digits=3)}"
        if placebo_time.excludes_null():
            checks.append(Check("placebo_in_time", "warn",
                                f"A fake start on {when}, using only data from before the real start, shows an "
                                f"'effect' ({words}): something other than the intervention may separate the "
                                "treated and comparison units."))
        else:
            checks.append(Check("placebo_in_time", "pass",
                                f"A fake start on {when}, using only data from before the real start, shows no "
                                f"effect ({words})."))
    if buffer_est is None:
        checks.append(Check("displacement", "info", displacement_words(None)))
    else:
        moved = buffer_est.excludes_null() and buffer_est.estimate > buffer_est.null_value
        q = "undefined" if quotient is None else f"{quotient:.2f}"
        checks.append(Check("displacement", "warn" if moved else "info",
                            f"{displacement_words(buffer_est)} Weighted displacement quotient {q}."))
    if plain is not None:
        est = plain["did"]
        checks.append(Check("staggered_twfe", "info",
                            "Treated units started on different dates, so the plain two-way fixed-effects "
                            f"estimate ({_scale(est, panel.family):.3f}) is shown for comparison only: it is "
                            "biased when effects differ by cohort or change over time, because units already "
                            "treated act as comparisons for later ones."))
    return checks


def _scale(inf: Inference, family: str) -> float:
    return math.exp(inf.estimate) if family == "poisson" else inf.estimate


REGIME_WORDS = {
    "cluster": "{n} treated units: cluster-robust intervals (CR1, t quantiles).",
    "wild": "{n} treated units: wild cluster bootstrap intervals (Webb weights, jackknife variance).",
    "placebo": "{n} treated unit: placebo-in-space p-value and interval.",
}


def _evidence(rationale: str | None, doubt: bool) -> Evidence:
    if rationale and rationale.strip() and not doubt:
        return Evidence(3, "A comparison with units that did not receive the intervention, chosen as follows: "
                        + rationale.strip(), "Random allocation of the intervention would raise it to level 5.")
    reasons = []
    if not (rationale and rationale.strip()):
        reasons.append("no comparison_rationale says how the comparison units were chosen")
    if doubt:
        reasons.append("the treated and comparison units moved differently before the start "
                       "(parallel-trends doubt)")
    return Evidence(2, "There is a comparison group, but " + " and ".join(reasons) + ", so it counts as level 2.",
                    "State how and when the comparison units were chosen (comparison_rationale), and choose "
                    "units that moved with the treated ones before the start, to reach level 3.")


def build_result(*, panel: Panel, method: str, main: Analysis, plain: Analysis | None,
                 cohorts: dict[int, Analysis], bins: list[dict],
                 pretrend_p: float | None, n_leads: int, placebo_time: Inference | None,
                 placebo_date: str | None, buffer: Analysis | None, quotient: float | None,
                 rationale: str | None, improvement: str, seed: int, n_boot: int,
                 regime_note: str) -> DiDResult:
    """Assemble the :class:`DiDResult` from the fitted pieces."""
    fam = panel.family
    outcome = panel.outcome_label
    treated = panel.index("treated")
    estimates = [_estimate("did", "Treated relative to comparison units", main["did"], fam, headline=True,
                           outcome=outcome)]
    for col, cohort in cohorts.items():
        date = panel.periods[col].date().isoformat()
        units = [panel.units[i] for i in treated if panel.start[i] == col]
        estimates.append(_estimate(f"did.{date}", f"Cohort starting {text.fmt_date(date)} ({', '.join(units)})",
                                   cohort["did"], fam, outcome=outcome))
    if plain is not None:
        estimates.append(_estimate("did_twfe", "Plain two-way fixed effects (biased under staggered starts)",
                                   plain["did"], fam, outcome=outcome))
    pt = None
    if placebo_time is not None:
        pt = _estimate("placebo_in_time", "Placebo: fake start before the real one", placebo_time, fam,
                       outcome=outcome)
        estimates.append(pt)
    buffer_est = None
    if buffer is not None:
        buffer_est = _estimate("buffer_did", "Buffer relative to comparison units", buffer["did"], fam,
                               outcome=outcome)
        estimates.append(buffer_est)
        estimates.append(Estimate(name="wdq", label="Weighted displacement quotient",
                                  measure="weighted displacement quotient", scale="difference",
                                  estimate=float("nan") if quotient is None else quotient, outcome=outcome))
    doubt = pretrend_p is not None and pretrend_p < 0.10
    evidence = _evidence(rationale, doubt)
    checks = _checks(panel, main, plain, pretrend_p, n_leads, pt, placebo_date, buffer_est, quotient,
                     int(treated.size))
    lone = [(col, c["did"]) for col, c in cohorts.items() if c.regime == "placebo"]
    if lone:
        words = "; ".join(
            f"the cohort starting {text.fmt_date(panel.periods[col].date())} has one unit, so its interval comes "
            f"from {inf.n_placebo} placebo estimates and covers the true effect with probability "
            f"{(inf.coverage or 0) * 100:.0f}%" for col, inf in lone)
        checks.append(Check("coarse_cohort_interval", "warn", words[:1].upper() + words[1:] + "."))
    head = estimates[0]
    summary = [_effect_sentence(head, outcome, causal=evidence.causal)]
    if head.excludes_null():
        hoped = (head.estimate < head.null_value) == (improvement == "decrease")
        summary.append("This is the hoped-for direction." if hoped else "This is the opposite of the hoped-for "
                                                                        "direction.")
    else:
        summary.append("The interval includes no change, so the data cannot tell an effect from chance.")
    if not evidence.causal:
        summary.append(f"This is an association, not proof of cause (Maryland level {evidence.sms_level}).")
    if doubt:
        summary.append("Read with care: treated and comparison units moved differently before the start.")
    if main.regime == "placebo":
        summary.append("With a single treated unit the interval is coarse.")
    summary.append(displacement_words(buffer_est))
    first = int(panel.start[treated].min())
    event = []
    conv = math.exp if fam == "poisson" else (lambda v: v)
    for b in bins:
        inf = b["inference"]
        event.append({"kind": b["kind"], "from": b["from"], "to": b["to"], "estimate": conv(inf.estimate),
                      "ci_low": None if inf.ci_low is None else conv(inf.ci_low),
                      "ci_high": None if inf.ci_high is None else conv(inf.ci_high), "p_value": inf.p_value})
    notes = [
        _ESTIMATOR_NOTES[method][fam],
        regime_note,
        f"Bootstrap: {n_boot} draws, seed {seed}." if main.regime == "wild" else "",
        "Per-cohort estimates compare each cohort (units sharing a start date) with the comparison units "
        "alone (the two-way model, or for a cohort of one unit its change against the comparison units' "
        "period effects), with inference for that cohort's number of units."
        if cohorts else "",
        "Intervals are 95%. Estimates and intervals are computed on the log scale and exponentiated."
        if fam == "poisson" else "Intervals are 95%.",
        "Event study: periods before and after each unit's start are grouped into bins; effects after the start "
        "are imputed from untreated observations; the bins before the start are coefficients against the "
        "earliest periods, fitted on untreated observations only, and tested jointly: a Wald F test with the "
        "CR1 covariance (10 or more treated units), a wild cluster bootstrap of the Wald statistic with "
        "jackknife covariance (2 to 9), or the rank of the summed squared coefficients among the placebos "
        "(one treated unit). At most min(4, (G - 2) / 2) bins before the start, G the number "
        "of units.",
        "Placebo in time: the same model on data before the first start only, with a fake start at the "
        "midpoint of that baseline.",
        "Displacement: buffer units against comparison units by the same model, from the first start. The "
        "weighted displacement quotient (Bowers and Johnson, 2003) is (Ba/Ca - Bb/Cb) / (Ra/Ca - Rb/Cb) for "
        "totals before (b) and after (a) the first start in the treated (R), buffer (B) and comparison (C) "
        "units: above 0 means benefits spread to the buffer, below 0 that crime moved there, below -1 that "
        "more moved than was prevented; it is reported without an interval and is undefined when the treated "
        "units did not change relative to the comparison units. It is recorded with scale 'difference' because "
        "0 means neither displacement nor diffusion." if buffer is not None else "",
        "Activity measures (outputs such as deployments) are not part of the model: they show what was "
        "done, not whether it worked.",
        "Excluded periods are left out of every fit.",
    ]
    return DiDResult(
        estimates=tuple(estimates), checks=tuple(checks), evidence=evidence, summary_text=tuple(summary),
        notes=tuple(n for n in notes if n), period_start=panel.periods[0].date(),
        period_end=panel.periods[-1].date(), estimator=method, regime=main.regime,
        n_treated=int(treated.size), n_comparison=int(panel.index("comparison").size),
        n_buffer=int(panel.index("buffer").size), seed=seed, n_boot=n_boot, outcome_label=outcome,
        family=fam, improvement=improvement,
        starts=tuple(panel.periods[int(s)].date().isoformat() for s in panel.start[treated]),
        event_study=tuple(event), pretrend_p=pretrend_p, wdq=quotient,
        displacement=displacement_words(buffer_est), series=_series(panel, first),
    )
