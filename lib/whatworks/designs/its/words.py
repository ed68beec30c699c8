"""Words for an interrupted time series: the summary, the method notes, chart text.

Pure functions of estimates, checks and labels.

Examples
--------
>>> ratio_change_words(0.82, 0.74, 0.91)
('18% lower', '95% CI 9% to 26% lower')
>>> ratio_change_words(0.95, 0.88, 1.03)[1]
'95% CI 12% lower to 3% higher'
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import text
from ...dates import FREQS
from ...results import Check, Estimate, Evidence
from .checks import CHECK_RULES

__all__ = [
    "EVIDENCE",
    "ratio_change_words",
    "difference_words",
    "total_words",
    "prevented_words",
    "points_words",
    "summary_paragraphs",
    "breakdown_sentence",
    "method_notes",
    "AUTOCORRELATION_NOTES",
    "CHECK_PHRASES",
    "headline_words",
    "series_alt",
    "series_caption",
    "forest_alt",
]

#: The strength of evidence of a single-series design (Maryland level 2).
EVIDENCE = Evidence(
    2,
    "An interrupted time series compares the periods after the intervention with the trend and season "
    "of the periods before it. It controls for the existing trend (and season, where modelled) but has "
    "no comparison group, so another change at the same time could explain the result.",
    "To raise it: add comparison areas chosen before seeing the outcomes and analyse a "
    "difference-in-differences (level 3); randomly allocate the intervention (level 5).",
)

#: How each warning or failure is mentioned in the summary.
CHECK_PHRASES: dict[str, str] = {
    "too_few_points": "there are too few periods on one side of the intervention",
    "underpowered": "the series is short, so the estimate is imprecise",
    "seasonality_short_baseline": "the baseline is too short to separate season from trend",
    "small_counts": "counts are small, so percentages are unreliable",
    "autocorrelation": "the residuals are autocorrelated, so the interval may be too narrow",
    "regression_to_mean": (
        "the intervention followed an unusual peak, so part of the change may be a return to normal"
    ),
}


def _interval(est: Estimate) -> tuple[float, float]:
    """The interval's bounds: every estimate put into words here has one."""
    if est.ci_low is None or est.ci_high is None:
        raise ValueError(f"the estimate '{est.name}' has no interval to put into words")
    return est.ci_low, est.ci_high


def _pct(change: float) -> str:
    return f"{abs(change) * 100:.0f}%"


def ratio_change_words(estimate: float, low: float, high: float) -> tuple[str, str]:
    """A ratio and its interval as a change: ``('18% lower', '95% CI 9% to 26% lower')``."""
    head = text.fmt_change_pct(estimate)
    interval = text.fmt_signed_interval(low - 1, high - 1, _pct, "lower", "higher")
    return head, f"{text.LEVEL_WORDS} CI {interval}"


def difference_words(estimate: float, low: float, high: float, unit: str = "") -> tuple[str, str]:
    """A difference and its interval: ``('3.2 lower', '95% CI 1.1 to 5.3 lower')``.

    >>> difference_words(-3.2, -5.3, -1.1)
    ('3.2 lower', '95% CI 1.1 to 5.3 lower')
    """
    tail = f" {unit}" if unit else ""
    word = "lower" if estimate < 0 else "higher"
    head = f"{text.fmt_number(abs(estimate))}{tail} {word}" if estimate != 0 else "no different"
    interval = text.fmt_signed_interval(low, high, text.fmt_number, "lower", "higher")
    return head, f"{text.LEVEL_WORDS} CI {interval}"


def total_words(est: Estimate, label: str, span: str = "") -> str:
    """``'about 140 fewer incidents over 52 weeks (95% CI 60 to 220 fewer)'``.

    >>> e = Estimate(name="t", label="t", measure="m", estimate=-140.2, ci_low=-220, ci_high=-60)
    >>> total_words(e, "incidents", "52 weeks")
    'about 140 fewer incidents over 52 weeks (95% CI 60 to 220 fewer)'
    """
    word = "fewer" if est.estimate < 0 else "more"
    low, high = _interval(est)
    lo, hi = round(low), round(high)
    if hi < 0:
        interval = f"{text.fmt_number(-hi)} to {text.fmt_number(-lo)} fewer"
    elif lo > 0:
        interval = f"{text.fmt_number(lo)} to {text.fmt_number(hi)} more"
    else:
        interval = f"{text.fmt_number(-lo)} fewer to {text.fmt_number(hi)} more"
    over = f" over {span}" if span else ""
    size = text.fmt_number(abs(est.estimate), 0)
    return f"about {size} {word} {label}{over} ({text.LEVEL_WORDS} CI {interval})"


def _count(value: float) -> str:
    """A count in words: whole from 10 up, one decimal below (``'1,088'``, ``'2.2'``)."""
    return text.fmt_number(value, 0 if abs(value) >= 10 else 1)


def prevented_words(est: Estimate, label: str, span: str = "") -> str:
    """Crimes prevented (positive = fewer than expected) in words.

    >>> e = Estimate(name="crimes_prevented", label="x", measure="m", estimate=140.2, ci_low=60, ci_high=220)
    >>> prevented_words(e, "incidents", "52 weeks")
    'about 140 fewer incidents over 52 weeks (95% CI 60 to 220 fewer)'
    >>> e = Estimate(name="crimes_prevented_end", label="x", measure="m", estimate=2.2, ci_low=-0.4, ci_high=4.9)
    >>> prevented_words(e, "incidents")
    'about 2.2 fewer incidents (95% CI 0.4 more to 4.9 fewer)'
    """
    low, high = _interval(est)
    interval = text.fmt_signed_interval(low, high, _count, "more", "fewer")
    word = "fewer" if est.estimate >= 0 else "more"
    over = f" over {span}" if span else ""
    return f"about {_count(abs(est.estimate))} {word} {label}{over} ({text.LEVEL_WORDS} CI {interval})"


def points_words(est: Estimate, rates: tuple[float, float] | None = None) -> str:
    """A change in percentage points in words (one decimal), with the rates it runs between.

    >>> e = Estimate(name="p", label="x", measure="m", estimate=2.5, ci_low=1.1, ci_high=3.9)
    >>> points_words(e, (0.135, 0.160))
    '16.0% against 13.5% expected, 2.5 percentage points higher (95% CI 1.1 to 3.9 points higher)'
    >>> points_words(Estimate(name="p", label="x", measure="m", estimate=-0.4, ci_low=-1.2, ci_high=0.3))
    '0.4 percentage points lower (95% CI 1.2 points lower to 0.3 points higher)'
    """
    low, high = _interval(est)
    word = "lower" if est.estimate < 0 else "higher"
    head = f"{abs(est.estimate):.1f} percentage points {word}" if round(est.estimate, 1) != 0 else \
        "no different"
    interval = text.fmt_signed_interval(low, high, lambda v: f"{v:.1f}", "points lower", "points higher")
    words = f"{head} ({text.LEVEL_WORDS} CI {interval})"
    if rates is None:
        return words
    expected, fitted = rates
    return f"{100 * fitted:.1f}% against {100 * expected:.1f}% expected, {words}"


def _change_words(est: Estimate, unit: str) -> tuple[str, str]:
    if est.scale == "ratio":
        return ratio_change_words(est.estimate, *_interval(est))
    return difference_words(est.estimate, *_interval(est), unit)


def _subject(outcome_type: str, label: str) -> str:
    if outcome_type == "proportion":
        return f"The odds of {label} were"
    return f"{label[:1].upper()}{label[1:]} were"


def summary_paragraphs(
    *,
    level: Estimate | None,
    total: Estimate | None,
    checks: Sequence[Check],
    label: str,
    outcome_type: str,
    start_words: str,
    n_post_words: str,
    improvement: str,
    sms_level: int,
    groups: Sequence[Estimate] = (),
    by: str = "group",
    prevented: Estimate | None = None,
    end: Estimate | None = None,
    points: Estimate | None = None,
    rates: tuple[float, float] | None = None,
    rate_before: float | None = None,
    period_word: str = "period",
) -> tuple[str, ...]:
    """The plain-English summary, headline first.

    Counts lead with the relative change and the crimes prevented over the
    whole period after the start (``prevented``; ``total`` when there is none,
    as when an increase is hoped for) and the effect at the end of the series
    (``end``); proportions with the change in percentage points (``points``).
    """
    fails = [c for c in checks if c.status == "fail"]
    warns = [c for c in checks if c.status == "warn"]
    if level is None:
        reasons = "; ".join(c.message for c in fails) or "the model could not be fitted."
        return (f"No estimate is given for {label}. {reasons}",)
    if points is not None:
        return _points_paragraphs(points=points, rates=rates, level=level, warns=warns, label=label,
                                  start_words=start_words, n_post_words=n_post_words, improvement=improvement,
                                  sms_level=sms_level, groups=groups, by=by, before=rate_before,
                                  period_word=period_word)
    head, interval = _change_words(level, "")
    clear = bool(level.excludes_null())
    if clear:
        first = (f"{_subject(outcome_type, label)} {head} than expected after the intervention began on "
                 f"{start_words} ({interval})")
        if prevented is not None:
            first += f", {prevented_words(prevented, label, n_post_words)}"
        elif total is not None:
            first += f", {total_words(total, label, n_post_words)}"
    else:
        first = (f"There is no clear evidence of a change in {label} after the intervention began on "
                 f"{start_words}: {label} were {head} than expected, but the interval includes no change "
                 f"({interval})")
        if prevented is not None:
            first += f". Over {n_post_words} that is {prevented_words(prevented, label)}"
        elif total is not None:
            first += f". Over {n_post_words} that is {total_words(total, label)}"
    if end is not None:
        first += f"; in the last {end.unit.removeprefix('crimes per ') if end.unit else 'period'}, " \
                 f"{prevented_words(end, label)}"
    good = (level.estimate < level.null_value) == (improvement == "decrease") if clear else None
    return _closing([first + "."], good, sms_level, groups, by, warns)


def _closing(paras: list[str], good: bool | None, sms_level: int, groups: Sequence[Estimate], by: str,
             warns: Sequence[Check]) -> tuple[str, ...]:
    """The summary's closing paragraphs: a change against the one aimed for (the headline says the direction
    itself), the level of evidence, groups, cautions."""
    if good is False:
        paras.append("That is the opposite of the change the work aimed for.")
    if sms_level < 3:
        paras[-1] += (" This is an association, not proof of cause: the comparison is with the trend"
                      " and season before the intervention, with no comparison group"
                      f" (Maryland level {sms_level}).")
    if groups:
        paras.append(breakdown_sentence(groups, by))
    if warns:
        paras.append(_caution(warns))
    return tuple(paras)


def _points_paragraphs(*, points: Estimate, rates: tuple[float, float] | None, level: Estimate,
                       warns: Sequence[Check], label: str, start_words: str, n_post_words: str, improvement: str,
                       sms_level: int, groups: Sequence[Estimate], by: str, before: float | None = None,
                       period_word: str = "period") -> tuple[str, ...]:
    """The summary of a proportion: percentage points first, the odds ratio second."""
    clear = bool(points.excludes_null())
    change = points_words(points)
    rate = ""
    if rates is not None:
        was = f" ({100 * before:.1f}% before it began)" if before is not None else ""
        rate = (f"the rate of {label} was {100 * rates[1]:.1f}%, against {100 * rates[0]:.1f}% expected from "
                f"the trend before it{was}: ")
    if clear:
        first = f"Over the {n_post_words} after the intervention began on {start_words}, {rate}{change}"
    else:
        first = (f"There is no clear evidence of a change in the rate of {label} after the intervention began "
                 f"on {start_words}: over the {n_post_words} after it, {rate}{change}, an interval that includes "
                 "no change")
    odds, odds_interval = _change_words(level, "")
    paras = [first + f". In the first {period_word} after the start the odds were {odds} than expected "
                     f"({odds_interval})."]
    good = (points.estimate < 0) == (improvement == "decrease") if clear else None
    return _closing(paras, good, sms_level, groups, by, warns)


def breakdown_sentence(groups: Sequence[Estimate], by: str) -> str:
    """One clause per group's level change: ``'By crime type: Burglary 40% lower; ...'``.

    >>> e = Estimate(name="level_change.A", label="x", measure="rate ratio", estimate=0.6,
    ...              ci_low=0.5, ci_high=0.7, scale="ratio", group="A")
    >>> breakdown_sentence([e], "crime type")
    'By crime type: A 40% lower (95% CI 30% to 50% lower).'
    """
    parts = []
    for e in groups:
        if e.unit == "percentage points":
            head, interval = points_words(e).rstrip(")").split(" (", 1)
        else:
            head, interval = _change_words(e, "")
        parts.append(f"{e.group} {head} ({interval})" if e.excludes_null()
                     else f"{e.group} no clear change ({interval})")
    return f"By {by}: {'; '.join(parts)}."


def _caution(warns: Sequence[Check]) -> str:
    own = [c for c in warns if "." not in c.name]
    grouped = [c for c in warns if "." in c.name]
    phrases = list(dict.fromkeys(CHECK_PHRASES.get(c.name, c.message) for c in own))
    text_ = f"Read with care: {'; '.join(phrases)}." if phrases else ""
    group_phrases = list(dict.fromkeys(CHECK_PHRASES.get(c.name.split(".")[0], c.message) for c in grouped))
    if group_phrases:
        text_ = f"{text_} In some groups, {'; '.join(group_phrases)}.".strip()
    return text_


#: The method note on autocorrelation, by the ``autocorrelation`` key.
AUTOCORRELATION_NOTES = {
    "ar1": ("Autocorrelation: corrected (autocorrelation: ar1, the default). Neighbouring periods are "
            "allowed to be alike: the residuals are taken to follow an AR(1) process seen through "
            "independent noise (Zeger 1988), its two parameters estimated by restricted maximum likelihood, "
            "and the model refitted by generalised estimating equations with that correlation, the "
            "standard errors widened for the correlation being estimated (Kackar & Harville 1984). In "
            "1,000 simulated weekly count series (104 weeks before, 52 after, no effect) the level change "
            "was 'significant' at 5% in 3.8%, 5.2% and 6.3% of them with AR(1) noise of 0, 0.3 and 0.6, "
            "against 7.6%, 10.7% and 17.4% with Newey–West standard errors and 4.2%, 11.0% and 23.0% "
            "with no correction."),
    "newey-west": ("Autocorrelation: Newey–West (HAC) standard errors (autocorrelation: newey-west), as "
                   "the spec asked; with strong autocorrelation in a short series they can still be "
                   "too narrow (ar1, the default, holds its size better)."),
    "none": ("Autocorrelation: none, as the spec asked (autocorrelation: none); the intervals take the "
             "periods as independent, so they may be too narrow if the Ljung–Box check warns."),
}


def method_notes(
    *,
    method: str,
    outcome_type: str,
    seasonality_reason: str,
    slope_change: bool,
    freq: str,
    has_exposure: bool,
    has_end: bool,
    has_groups: bool,
    transitions: list[str] | None = None,
    transition: str = "exclude",
    autocorrelation: str = "ar1",
) -> tuple[str, ...]:
    """The method notes: model, terms, interval conventions and check triggers.

    ``transitions`` names the first day of each transition period (a period
    the intervention began or ended part-way through); ``transition`` says
    whether they were left out (``exclude``) or counted as after.
    """
    notes = [f"Model: {method}."]
    terms = ("Terms: intercept, linear trend in periods (counted on the calendar), a level-change "
             "indicator (1 from the period containing the intervention date)")
    if slope_change:
        terms += (f", and a slope-change term counting {FREQS[freq].word}s since the intervention "
                  "(0 before it and in its first period), so the level change is the jump in the first "
                  "period after the intervention")
    notes.append(terms + ".")
    if has_end:
        notes.append("The end date is the first day without the intervention; the period containing it "
                     "starts a third segment with its own level (and slope) terms, measured against the "
                     "line of the intervention segment.")
    notes.append(f"Seasonality: {seasonality_reason}")
    notes.append(AUTOCORRELATION_NOTES[autocorrelation])
    if has_exposure:
        notes.append("The exposure column enters as a log offset, so changes are in the rate per unit "
                     "of exposure.")
    if outcome_type == "continuous":
        notes.append("Intervals are Wald intervals with normal (z) quantiles.")
    else:
        notes.append("Intervals are Wald intervals with normal (z) quantiles on the log (or logit) scale, "
                     "then exponentiated; standard errors of ratios are on that scale.")
    if outcome_type == "count":
        notes.append("The counterfactual is the fitted model with the level and slope terms set to zero. "
                     "The total effect is observed minus counterfactual counts summed over the analysed "
                     "periods after the intervention began; its interval is by the delta method and "
                     "reflects uncertainty in the counterfactual only.")
        notes.append("Crimes prevented (when a decrease is hoped for) is the expected count without the "
                     "intervention minus the expected count with it, both from the fitted model, summed over "
                     "the analysed periods after it began (positive = fewer than expected); the effect at the "
                     "end of the series is the same difference in the last of those periods. Because the "
                     "level term makes the fitted total after the start equal the observed total, the first "
                     "equals observed minus expected. Their 95% intervals are by the delta method from the "
                     "covariance of all the fitted coefficients (with its over-dispersion scale), so they "
                     "allow for the uncertainty of the counterfactual and of the fitted line after the start; "
                     "they cover the expected difference under the model, not the chance variation of one "
                     "more period.")
    if outcome_type == "proportion":
        notes.append("The headline is the change in percentage points: the fitted rate minus the "
                     "counterfactual rate (the fitted model with the level and slope terms set to zero), "
                     "averaged over the analysed periods after the intervention began with each period "
                     "weighted by its denominator, so it is the rate over the whole period after the start. "
                     "Its 95% interval is by the delta method from the covariance of all the fitted "
                     "coefficients (with the quasi-binomial scale). The odds ratio of the first period "
                     "after the start (level_change) is kept as a secondary estimate.")
    if transitions:
        which = ", ".join(f"the {FREQS[freq].word} starting {d}" for d in transitions)
        notes.append(
            f"Transition period: {which} began before the date it holds, so it is partly before and partly "
            + ("after; it is left out of the fit (transition: exclude)." if transition == "exclude" else
               "after; it is counted as after, as set in the spec (transition: after), which dilutes the "
               "level change."))
    notes.append("Excluded periods are left out of the fit and shaded on the chart.")
    if has_groups:
        notes.append("The headline analyses the total across groups (outcomes, denominators summed; an "
                     "exposure shared by all groups is kept, otherwise summed); each group is then "
                     "analysed alone with the same options.")
    notes.append("Checks: " + " ".join(CHECK_RULES.values()))
    return tuple(notes)


# -- chart text --------------------------------------------------------------------
def headline_words(est: Estimate | None, label: str, outcome_type: str) -> str:
    """The headline as a clause: ``'incidents were 18% lower than expected ... (95% CI ...)'``.

    >>> e = Estimate(name="level_change", label="x", measure="rate ratio", estimate=0.82,
    ...              ci_low=0.74, ci_high=0.91, scale="ratio")
    >>> headline_words(e, "incidents", "count")
    'incidents were 18% lower than expected after the intervention began (95% CI 9% to 26% lower)'
    """
    if est is None:
        return f"no estimate of the change in {label} is given"
    if est.scale == "ratio":
        head, interval = ratio_change_words(est.estimate, *_interval(est))
        what = label
        if outcome_type == "proportion":
            what = "the odds of " + what
        return f"{what} were {head} than expected after the intervention began ({interval})"
    if est.unit == "percentage points":
        return f"the rate of {label} was {points_words(est)} than expected after the intervention began"
    head, interval = difference_words(est.estimate, *_interval(est))
    return f"{label} were {head} than expected after the intervention began ({interval})"


def series_alt(est: Estimate | None, label: str, outcome_type: str) -> str:
    """The series chart's alt text: the headline as a sentence."""
    words = headline_words(est, label, outcome_type)
    return f"{words[:1].upper()}{words[1:]}."


def series_caption(label: str, freq: str) -> str:
    """The series chart's caption.

    >>> series_caption("incidents", "week")
    'Incidents per week: observed, fitted, and expected without the intervention'
    """
    return f"{label[:1].upper()}{label[1:]} per {FREQS[freq].word}: observed, " \
           "fitted, and expected without the intervention"


def forest_alt(groups: Sequence[Estimate], head: Estimate, by: str, label: str, outcome_type: str) -> str:
    """The forest plot's alt text: each group's level change, then the overall headline."""
    ratio = head.scale == "ratio"
    lines = [f"{e.group} {ratio_change_words(e.estimate, *_interval(e))[0]}" if ratio
             else f"{e.group} {text.fmt_number(e.estimate)}" for e in groups]
    return (f"Change in level by {by}: {'; '.join(lines)}. Overall: "
            f"{headline_words(head, label, outcome_type)}.")
