"""Difference-in-differences in words: the headline, displacement, summary and method notes.

Every function here is a pure function of estimates and numbers; none reads
a result object.

Examples
--------
>>> from whatworks.results import Estimate
>>> e = Estimate(name="did", label="", measure="rate ratio", estimate=0.85, ci_low=0.78,
...              ci_high=0.93, scale="ratio", headline=True)
>>> import textwrap
>>> print(textwrap.fill(effect_sentence(e, "crime", causal=False), 100))
After the start, the level of crime at treated units was 15% lower than the change at comparison
units would suggest (95% CI 22% lower to 7% lower).
"""

from __future__ import annotations

from ... import text
from ...results import Estimate, Evidence
from .inference import REGIMES

__all__ = ["ESTIMATOR_NOTES", "pct", "displacement_words", "effect_sentence", "summary_lines", "method_notes"]

#: The model sentence of the method notes, by estimator and family.
ESTIMATOR_NOTES: dict[str, dict[str, str]] = {
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


def pct(ratio: float | None) -> str:
    """A rate ratio as a percentage change in words.

    >>> pct(0.8), pct(1.12), pct(1.002), pct(None)
    ('20% lower', '12% higher', 'no change', '–')
    """
    if ratio is None:
        return "–"
    change = (ratio - 1) * 100
    if round(change) == 0:
        return "no change"
    return f"{abs(change):.0f}% {'lower' if change < 0 else 'higher'}"


def _change(est: Estimate) -> str:
    if est.scale == "ratio":
        return pct(est.estimate)
    return f"a difference of {text.fmt_number(est.estimate)}"


def _ci_words(est: Estimate) -> str:
    if est.scale == "ratio":
        return f"{text.LEVEL_WORDS} CI {pct(est.ci_low)} to {pct(est.ci_high)}"
    return est.interval_words()


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


def effect_sentence(est: Estimate, outcome: str, *, causal: bool) -> str:
    """The headline in words; causal wording only at Maryland level 3 or above.

    >>> e = Estimate(name="did", label="", measure="rate ratio", estimate=0.85, ci_low=0.78,
    ...              ci_high=0.93, scale="ratio", headline=True)
    >>> effect_sentence(e, "crime", causal=True)
    'Crime at treated units fell by an estimated 15% relative to comparison units (95% CI 22% lower to 7% lower).'
    """
    what = outcome[:1].upper() + outcome[1:]
    if est.scale == "ratio":
        ci = f"{text.LEVEL_WORDS} CI {pct(est.ci_low)} to {pct(est.ci_high)}"
        change = (est.estimate - 1) * 100
        if causal:
            word = "fell" if change < 0 else "rose"
            return (f"{what} at treated units {word} by an estimated {abs(change):.0f}% relative to "
                    f"comparison units ({ci}).")
        return (f"After the start, the level of {outcome} at treated units was {pct(est.estimate)} than the "
                f"change at comparison units would suggest ({ci}).")
    ci = est.interval_words()
    if causal:
        return (f"{what} at treated units changed by an estimated {text.fmt_number(est.estimate)} relative "
                f"to comparison units ({ci}).")
    return (f"After the start, {outcome} at treated units differed by {text.fmt_number(est.estimate)} from what "
            f"the change at comparison units would suggest ({ci}).")


def summary_lines(head: Estimate, *, outcome: str, evidence: Evidence, improvement: str, doubt: bool,
                  regime: str, displacement: str) -> list[str]:
    """The summary's sentences: the headline, its direction, its caveats and displacement."""
    summary = [effect_sentence(head, outcome, causal=evidence.causal)]
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
    if regime == "placebo":
        summary.append("With a single treated unit the interval is coarse.")
    summary.append(displacement)
    return summary


def method_notes(*, method: str, family: str, regime: str, seed: int, n_boot: int, cohorts: bool,
                 buffer: bool) -> tuple[str, ...]:
    """How the estimates were made: model, inference, bootstrap, cohorts, event study, placebo, displacement."""
    notes = [
        ESTIMATOR_NOTES[method][family],
        REGIMES[regime],
        f"Bootstrap: {n_boot} draws, seed {seed}." if regime == "wild" else "",
        "Per-cohort estimates compare each cohort (units sharing a start date) with the comparison units "
        "alone (the two-way model, or for a cohort of one unit its change against the comparison units' "
        "period effects), with inference for that cohort's number of units."
        if cohorts else "",
        "Intervals are 95%. Estimates and intervals are computed on the log scale and exponentiated."
        if family == "poisson" else "Intervals are 95%.",
        "Event study: periods before and after each unit's start are grouped into bins; effects after the start "
        "are imputed from untreated observations; the bins before the start are coefficients against the "
        "earliest periods, fitted on untreated observations only, and tested jointly: a Wald F test with the "
        "CR1 covariance (21 or more treated units), a wild cluster bootstrap of the Wald statistic with "
        "jackknife covariance (2 to 20), or the rank of the summed squared coefficients among the placebos "
        "(one treated unit). At most min(4, (G - 2) / 2) bins before the start, G the number "
        "of units.",
        "Pre-trend test with staggered starts: every cohort (units sharing a start) with at least two periods "
        "before its own start is covered. Each cohort's periods before its start are split into bins measured "
        "against its own earliest periods; the bins, at most min(4, (G - 2) / 2) in all shared equally among "
        "the cohorts and at least one each, are fitted together on untreated observations and tested in one "
        "joint test as above. A cohort with fewer periods, or of one unit among several treated units (its bins "
        "would rest on that unit alone), is left out and named; with no cohort covered the "
        "test does not run and the comparison is not graded above Maryland level 2."
        if cohorts else "",
        "Placebo in time: the same model on data before each cohort's start, with a fake start halfway "
        "through that cohort's baseline (cohorts with at least four periods before their start; each treated "
        "unit's periods from its real start on are left out), pooled into one estimate by the same estimator."
        if cohorts else
        "Placebo in time: the same model on data before the first start only, with a fake start at the "
        "midpoint of that baseline.",
        "Displacement: buffer units against comparison units by the same model, from the first start. The "
        "weighted displacement quotient (Bowers and Johnson, 2003) is (Ba/Ca - Bb/Cb) / (Ra/Ca - Rb/Cb) for "
        "totals before (b) and after (a) the first start in the treated (R), buffer (B) and comparison (C) "
        "units: above 0 means benefits spread to the buffer, below 0 that crime moved there, below -1 that "
        "more moved than was prevented; it is reported without an interval and is undefined when the treated "
        "units did not change relative to the comparison units. It is recorded with scale 'difference' because "
        "0 means neither displacement nor diffusion." if buffer else "",
        "Activity measures (outputs such as deployments) are not part of the model: they show what was "
        "done, not whether it worked.",
        "Excluded periods are left out of every fit.",
    ]
    return tuple(n for n in notes if n)
