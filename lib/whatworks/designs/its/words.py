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
    "summary_paragraphs",
    "breakdown_sentence",
    "method_notes",
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
    if high < 1:
        interval = f"{_pct(1 - high)} to {_pct(1 - low)} lower"
    elif low > 1:
        interval = f"{_pct(low - 1)} to {_pct(high - 1)} higher"
    else:
        interval = f"{_pct(1 - low)} lower to {_pct(high - 1)} higher"
    return head, f"{text.LEVEL_WORDS} CI {interval}"


def difference_words(estimate: float, low: float, high: float, unit: str = "") -> tuple[str, str]:
    """A difference and its interval: ``('3.2 lower', '95% CI 1.1 to 5.3 lower')``.

    >>> difference_words(-3.2, -5.3, -1.1)
    ('3.2 lower', '95% CI 1.1 to 5.3 lower')
    """
    tail = f" {unit}" if unit else ""
    word = "lower" if estimate < 0 else "higher"
    head = f"{text.fmt_number(abs(estimate))}{tail} {word}" if estimate != 0 else "no different"
    if high < 0:
        interval = f"{text.fmt_number(-high)} to {text.fmt_number(-low)} lower"
    elif low > 0:
        interval = f"{text.fmt_number(low)} to {text.fmt_number(high)} higher"
    else:
        interval = f"{text.fmt_number(-low)} lower to {text.fmt_number(high)} higher"
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
) -> tuple[str, ...]:
    """The plain-English summary, headline first."""
    fails = [c for c in checks if c.status == "fail"]
    warns = [c for c in checks if c.status == "warn"]
    if level is None:
        reasons = "; ".join(c.message for c in fails) or "the model could not be fitted."
        return (f"No estimate is given for {label}. {reasons}",)
    head, interval = _change_words(level, "")
    clear = bool(level.excludes_null())
    if clear:
        first = (f"{_subject(outcome_type, label)} {head} than expected after the intervention began on "
                 f"{start_words} ({interval})")
        if total is not None:
            first += f", {total_words(total, label, n_post_words)}"
    else:
        first = (f"There is no clear evidence of a change in {label} after the intervention began on "
                 f"{start_words}: {label} were {head} than expected, but the interval includes no change "
                 f"({interval})")
        if total is not None:
            first += f". Over {n_post_words} that is {total_words(total, label)}"
    paras = [first + "."]
    if clear:
        good = (level.estimate < level.null_value) == (improvement == "decrease")
        paras.append("This is the hoped-for direction." if good
                     else "This is the opposite of the hoped-for direction.")
    if sms_level < 3:
        paras[-1] += (" This is an association, not proof of cause: the comparison is with the trend"
                      " and season before the intervention, with no comparison group"
                      f" (Maryland level {sms_level}).")
    if groups:
        paras.append(breakdown_sentence(groups, by))
    if warns:
        paras.append(_caution(warns))
    return tuple(paras)


def breakdown_sentence(groups: Sequence[Estimate], by: str) -> str:
    """One clause per group's level change: ``'By crime type: Burglary 40% lower; ...'``.

    >>> e = Estimate(name="level_change.A", label="x", measure="rate ratio", estimate=0.6,
    ...              ci_low=0.5, ci_high=0.7, scale="ratio", group="A")
    >>> breakdown_sentence([e], "crime type")
    'By crime type: A 40% lower (95% CI 30% to 50% lower).'
    """
    parts = []
    for e in groups:
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
    autocorrelation: str = "none",
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
    if outcome_type == "continuous":
        notes.append("Autocorrelation: corrected by Newey–West (HAC) standard errors.")
    elif autocorrelation == "ar1":
        notes.append("Autocorrelation: corrected (autocorrelation: ar1) by an AR(1)-plus-noise working "
                     "correlation, estimated by restricted maximum likelihood, in a GEE fit.")
    else:
        notes.append("Autocorrelation: not corrected (autocorrelation: none); the intervals assume "
                     "independent periods, so they may be too narrow if the Ljung–Box check warns.")
    if has_exposure:
        notes.append("The exposure column enters as a log offset, so changes are in the rate per unit "
                     "of exposure.")
    if outcome_type == "continuous":
        notes.append("Intervals are Wald intervals with normal (z) quantiles using the HAC standard errors.")
    else:
        notes.append("Intervals are Wald intervals with normal (z) quantiles on the log (or logit) scale, "
                     "then exponentiated; standard errors of ratios are on that scale.")
    if outcome_type == "count":
        notes.append("The counterfactual is the fitted model with the level and slope terms set to zero. "
                     "The total effect is observed minus counterfactual counts summed over the analysed "
                     "periods after the intervention began; its interval is by the delta method and "
                     "reflects uncertainty in the counterfactual only.")
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
