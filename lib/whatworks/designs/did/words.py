"""Difference-in-differences in words: the headline, displacement, summary and method notes.

Every function here is a pure function of estimates and numbers; none reads
a result object.

Examples
--------
>>> from whatworks.results import Estimate
>>> e = Estimate(name="did", label="", measure="rate ratio", estimate=0.85, ci_low=0.78,
...              ci_high=0.93, scale="ratio", headline=True)
>>> import textwrap
>>> print(textwrap.fill(effect_sentence(e, "crime", causal=False, places=Places("ward")), 100))
After the start, the level of crime at the wards where it ran was 15% lower than the change at the
comparison wards would suggest (95% CI 22% lower to 7% lower).
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import text
from ...results import Estimate, Evidence
from .checks import AREAS, Places
from .inference import REGIMES

__all__ = ["ESTIMATOR_NOTES", "pct", "displacement_words", "effect_sentence", "summary_lines", "method_notes",
           "wdq_words", "crimes_words", "net_effect_words", "weighted_notes", "weighted_summary"]

#: The model sentence of the method notes, by estimator and family (the places filled by :meth:`Places.words`).
ESTIMATOR_NOTES: dict[str, dict[str, str]] = {
    "twfe": {
        "poisson": "Model: Poisson regression with {unit} and period fixed effects and one indicator for the "
                   "{treated} from their start; the effect is the rate ratio exp(coefficient).",
        "gaussian": "Model: linear regression with {unit} and period fixed effects and one indicator for the "
                    "{treated} from their start; the effect is the coefficient, a difference.",
    },
    "single": {
        "poisson": "Model: with one {one}, {unit} and period effects are fitted by Poisson regression on "
                   "the {comparison}; the effect is the ratio of observed to expected counts at the {one} "
                   "after the start divided by the same ratio before it (expected from the period "
                   "effects, and the exposure offset when given). Each placebo is the same ratio for a "
                   "comparison {unit} against the same fitted period effects.",
        "gaussian": "Model: with one {one}, {unit} and period effects are fitted by least squares on the "
                    "{comparison}; the effect is the mean residual at the {one} from the period effects "
                    "after the start minus its mean residual before it. Each placebo is the same difference "
                    "for a comparison {unit}.",
    },
    "imputation": {
        "poisson": "Model: imputation estimator (Borusyak, Jaravel and Spiess, 2024), because the {treated} "
                   "started on different dates. {Unit} and period effects are fitted by Poisson regression on "
                   "observations without the intervention only (the {comparison}, and the {treated} before "
                   "their start); the effect is the ratio of the observed to the imputed counts, summed over "
                   "observations with it.",
        "gaussian": "Model: imputation estimator (Borusyak, Jaravel and Spiess, 2024), because the {treated} "
                    "started on different dates. {Unit} and period effects are fitted by least squares on "
                    "observations without the intervention only; the effect is the mean of observed minus "
                    "imputed values over observations with it.",
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


def displacement_words(est: Estimate | None, places: Places = AREAS) -> str:
    """The displacement finding chosen by the buffer estimate's interval."""
    p = places
    if est is None:
        return f"Displacement was not assessed: no {p.buffer} were named to look for it."
    excl = est.excludes_null()
    if excl and est.estimate > est.null_value:
        return (f"Crime appears to have moved: the level at the {p.buffer} rose relative to the {p.comparison} "
                f"({_change(est)}, {_ci_words(est)}).")
    if excl and est.estimate < est.null_value:
        return (f"Benefits appear to have spread: the level at the {p.buffer} fell relative to the {p.comparison} "
                f"({_change(est)}, {_ci_words(est)}).")
    return (f"No evidence either way on displacement: the change at the {p.buffer} relative to the "
            f"{p.comparison} is {_change(est)} ({_ci_words(est)}), an interval that includes no change.")


def wdq_words(quotient: float | None, worked: bool | None, places: Places = AREAS) -> str:
    """The WDQ read as Guerette (2009, appendix C) reads it, and only when the operation worked.

    ``worked`` is whether the success measure's interval lies below 0 (crime
    fell where it ran relative to the comparison units); the WDQ
    weighs the buffer's change against that success, so without one it says
    nothing.

    >>> wdq_words(0.4, worked=False).startswith("The WDQ is not read here")
    True
    >>> print(wdq_words(1.3, worked=True))  # doctest: +NORMALIZE_WHITESPACE
    Here the WDQ is 1.30: on this measure, benefits spread to the neighbouring areas, and the diffusion was
    larger than the direct effect at the areas where it ran.
    """
    p = places
    if quotient is None:
        return f"Here the WDQ is undefined, because the {p.treated} did not change relative to the {p.comparison}."
    q = f"{quotient:.2f}"
    if not worked:
        return (f"The WDQ is not read here: it weighs the change at the {p.buffer} against the success at the "
                f"{p.treated}, and the success measure does not show that crime fell at the {p.treated} "
                f"relative to the {p.comparison} (its value, {q}, has no meaning without that success).")
    if quotient > 1:
        reading = (f"benefits spread to the {p.buffer}, and the diffusion was larger than the direct effect at "
                   f"the {p.treated}")
    elif quotient > 0:
        reading = f"benefits spread to the {p.buffer} (diffusion of benefits)"
    elif quotient == 0:
        reading = "there was neither displacement nor diffusion"
    elif quotient >= -1:
        reading = f"some crime may have moved to the {p.buffer}, but less than was prevented"
    else:
        reading = f"more crime moved to the {p.buffer} than was prevented"
    return f"Here the WDQ is {q}: on this measure, {reading}."


def crimes_words(est: Estimate, outcome: str) -> str:
    """Crimes prevented (positive = fewer) as ``'about 120 fewer crimes (95% CI 40 to 200 fewer)'``.

    >>> e = Estimate(name="crimes_prevented", label="", measure="", estimate=120.4, ci_low=-10, ci_high=200)
    >>> crimes_words(e, "crimes")
    'about 120 fewer crimes (95% CI 10 more to 200 fewer)'
    """
    def count(value: float) -> str:  # whole from 10 up, one decimal below
        return text.fmt_number(value, 0 if abs(value) >= 10 else 1)

    word = "fewer" if est.estimate >= 0 else "more"
    size = count(abs(est.estimate))
    if est.ci_low is None or est.ci_high is None:
        return f"about {size} {word} {outcome}"
    lo, hi = est.ci_low, est.ci_high
    interval = text.fmt_signed_interval(lo, hi, count, "more", "fewer")
    level = est.interval_words().split(" CI ")[0] if est.ci_level is not None else text.LEVEL_WORDS
    return f"about {size} {word} {outcome} ({level} CI {interval})"


def net_effect_words(estimates: Sequence[Estimate], places: Places = AREAS) -> list[str]:
    """The success measure and the total net effect in words (nothing without them)."""
    named = {e.name: e for e in estimates}
    success, net = named.get("success_measure"), named.get("crimes_prevented_net")
    treated, buffer = named.get("net_effect_treated"), named.get("net_effect_buffer")
    if success is None or net is None or treated is None or buffer is None:
        return []
    worked = success.ci_high is not None and success.ci_high < 0
    outcome = net.outcome or "crimes"
    return [
        f"On the totals before and after the first start (Guerette, 2009), the success measure is "
        f"{success.estimate:.3f} ({success.interval_words(digits=3)}): "
        + (f"below 0, so crime fell at the {places.treated} relative to the {places.comparison}."
           if worked else "its interval does not lie below 0, so it does not show that the operation worked."),
        f"Crimes prevented net of displacement (the total net effect): {crimes_words(net, outcome)} than the "
        f"comparison trend suggests, {crimes_words(treated, outcome)} at the {places.treated} and "
        f"{crimes_words(buffer, outcome)} at the {places.buffer}.",
    ]


def effect_sentence(est: Estimate, outcome: str, *, causal: bool, places: Places = AREAS) -> str:
    """The headline in words; causal wording only at Maryland level 3 or above.

    >>> e = Estimate(name="did", label="", measure="rate ratio", estimate=0.85, ci_low=0.78,
    ...              ci_high=0.93, scale="ratio", headline=True)
    >>> effect_sentence(e, "crime", causal=True, places=Places("beat"))
    'Crime at the beats where it ran fell by an estimated 15% relative to the comparison beats (95% CI 22% lower \
to 7% lower).'
    >>> effect_sentence(e, "crime", causal=True, places=Places("street", n_treated=1))[:56]
    'Crime at the street where it ran fell by an estimated 15'
    """
    what = outcome[:1].upper() + outcome[1:]
    where = f"at the {places.treated}"
    if est.scale == "ratio":
        ci = f"{text.LEVEL_WORDS} CI {pct(est.ci_low)} to {pct(est.ci_high)}"
        change = (est.estimate - 1) * 100
        if causal:
            word = "fell" if change < 0 else "rose"
            return (f"{what} {where} {word} by an estimated {abs(change):.0f}% relative to the "
                    f"{places.comparison} ({ci}).")
        return (f"After the start, the level of {outcome} {where} was {pct(est.estimate)} than the "
                f"change at the {places.comparison} would suggest ({ci}).")
    ci = est.interval_words()
    if causal:
        return (f"{what} {where} changed by an estimated {text.fmt_number(est.estimate)} relative "
                f"to the {places.comparison} ({ci}).")
    return (f"After the start, {outcome} {where} differed by {text.fmt_number(est.estimate)} from what "
            f"the change at the {places.comparison} would suggest ({ci}).")


def summary_lines(head: Estimate, *, outcome: str, evidence: Evidence, improvement: str, doubt: bool,
                  regime: str, displacement: str, prevented: Estimate | None = None, net: Estimate | None = None,
                  buffer_part: Estimate | None = None, places: Places = AREAS) -> list[str]:
    """The summary's sentences: the headline, its caveats and displacement.

    With buffer units, the crimes prevented net of displacement (``net``, the
    total net effect) comes first, for a board; the relative change and the
    crimes prevented where it ran follow. The headline says the direction
    itself ("fell", "fewer crimes than expected"); only a change against the
    one the work aimed for is said again.
    """
    summary = []
    p = places
    if net is not None:
        line = (f"Net of displacement, {crimes_words(net, outcome)} than the comparison trend suggests at the "
                f"{p.treated} and the {p.buffer} together (the total net effect)")
        if buffer_part is not None:
            moved = "fewer" if buffer_part.estimate >= 0 else "more"
            line += (f", after about {text.fmt_number(abs(buffer_part.estimate), 0)} {moved} at the {p.buffer} "
                     f"({'diffusion of benefits' if moved == 'fewer' else 'displacement'})")
        summary.append(line[:1].upper() + line[1:] + ".")
    first = effect_sentence(head, outcome, causal=evidence.causal, places=p)
    if prevented is not None:
        first = first.removesuffix(".") + f": {crimes_words(prevented, outcome)} than expected after the start."
    summary.append(first)
    if head.excludes_null():
        if (head.estimate < head.null_value) != (improvement == "decrease"):
            summary.append("That is the opposite of the change the work aimed for.")
    else:
        summary.append("The interval includes no change, so the data cannot tell an effect from chance.")
    if not evidence.causal:
        summary.append(f"This is an association, not proof of cause (Maryland level {evidence.sms_level}).")
    if doubt:
        summary.append(f"Read with care: the {p.treated} and the {p.comparison} moved differently before the "
                       "start.")
    if regime == "placebo":
        summary.append(f"With one {p.one}, the interval is coarse.")
    summary.append(displacement)
    return summary


def method_notes(*, method: str, family: str, regime: str, seed: int, n_boot: int, cohorts: bool,
                 buffer: bool, prevented: bool = False, guide: bool = False,
                 places: Places = AREAS) -> tuple[str, ...]:
    """How the estimates were made: model, inference, bootstrap, cohorts, event study, placebo, displacement."""
    notes = [
        ESTIMATOR_NOTES[method][family],
        REGIMES[regime],
        f"Bootstrap: {n_boot} draws, seed {seed}." if regime == "wild" else "",
        "Per-cohort estimates compare each cohort ({units} sharing a start date) with the {comparison} "
        "alone (the two-way model, or for a cohort of one {unit} its change against the period effects of the "
        "{comparison}), with inference for that cohort's number of {units}."
        if cohorts else "",
        "Intervals are 95%. Estimates and intervals are computed on the log scale and exponentiated."
        if family == "poisson" else "Intervals are 95%.",
        "Event study: periods before and after each {unit}'s start are grouped into bins; effects after the "
        "start are imputed from observations without the intervention; the bins before the start are "
        "coefficients against the earliest periods, fitted on observations without the intervention only, and "
        "tested jointly: a Wald F test with the CR1 covariance (21 or more {treated}), a wild cluster bootstrap "
        "of the Wald statistic with jackknife covariance (2 to 20), or the rank of the summed squared "
        "coefficients among the placebos (one {one}). At most min(4, (G - 2) / 2) bins before the start, G "
        "the number of {units}.",
        "Pre-trend test with staggered starts: every cohort ({units} sharing a start) with at least two periods "
        "before its own start is covered. Each cohort's periods before its start are split into bins measured "
        "against its own earliest periods; the bins, at most min(4, (G - 2) / 2) in all shared equally among "
        "the cohorts and at least one each, are fitted together on observations without the intervention and "
        "tested in one joint test as above. A cohort with fewer periods, or of one {unit} among several "
        "{treated} (its bins would rest on that {unit} alone), is left out and named; with no cohort covered "
        "the test does not run and the comparison is not graded above Maryland level 2."
        if cohorts else "",
        "Placebo in time: the same model on data before each cohort's start, with a fake start halfway "
        "through that cohort's baseline (cohorts with at least four periods before their start; the periods "
        "of each {one} from its real start on are left out), pooled into one estimate by the same estimator."
        if cohorts else
        "Placebo in time: the same model on data before the first start only, with a fake start at the "
        "midpoint of that baseline.",
        "Displacement: the {buffer} against the {comparison} by the same model, from the first start. The "
        "weighted displacement quotient (Bowers and Johnson, 2003) is (Ba/Ca - Bb/Cb) / (Ra/Ca - Rb/Cb) for "
        "totals before (b) and after (a) the first start at the {treated} (R), the {buffer} (B) and the "
        "{comparison} (C). It is read only when the success measure (its denominator) shows that crime fell "
        "at the {treated} relative to the {comparison} (Guerette, 2009): then above 0 means benefits spread "
        "to the {buffer}, above 1 that the diffusion was larger than the direct effect, below 0 that crime "
        "moved there, below -1 that more moved than was prevented. It is reported without an interval and is "
        "undefined when the {treated} did not change relative to the {comparison}. It is recorded with scale "
        "'difference' because 0 means neither displacement nor diffusion." if buffer else "",
        "Crimes prevented is the count expected at the {treated} from the change at the {comparison} minus "
        "the count observed, from each {unit}'s start: the observed total divided by the rate ratio, minus the "
        "observed total (for the imputation estimator, the imputed minus the observed total). Its interval is "
        "the rate ratio's interval carried through the same calculation, so it comes from the same inference "
        "(and has the same coverage); it covers the expected difference given the observed count. The effect "
        "at the end of the series is the same calculation for the last bin of the event study, a period on "
        "average. Positive means fewer than expected." if prevented else "",
        "Total net effect (Guerette, 2009, Problem-Oriented Policing tool guide 10, appendix B; Bowers and "
        "Johnson, 2003): [Rb(Ca/Cb) - Ra] + [Db(Ca/Cb) - Da] on totals before (b) and after (a) the first start "
        "at the {treated} (R), the {buffer} (D) and the {comparison} (C), the crimes prevented net of "
        "displacement (positive: fewer crimes at the {treated} and the {buffer} together than the comparison "
        "trend suggests); its two brackets are the two parts. The success measure is Ra/Ca - Rb/Cb (below 0: "
        "the operation worked) and the buffer measure Da/Ca - Db/Cb. Their 95% intervals are percentiles of "
        f"{n_boot} bootstrap draws (seed {seed}) that resample {{units}} within each group, so they allow for "
        "differences between {units}; with few {buffer} or {treated} they are rough. Because every {unit} is "
        "split at the first start, the part where it ran can differ from the crimes prevented above when "
        "starts are staggered." if guide else "",
        "Activity measures (outputs such as deployments) are not part of the model: they show what was "
        "done, not whether it worked.",
        "Excluded periods are left out of every fit.",
    ]
    words = {**places.words(), "Unit": places.unit[:1].upper() + places.unit[1:]}
    return tuple(n.format(**words) for n in notes if n)



def weighted_summary(label: str, places: Places = AREAS) -> str:
    """The summary's sentence on weights.

    >>> weighted_summary("population")
    'The comparison is weighted by population: each area counts in proportion to its population.'
    """
    return f"The comparison is weighted by {label}: each {places.unit} counts in proportion to its {label}."


def weighted_notes(label: str, *, family: str, improvement: str, places: Places = AREAS) -> tuple[str, ...]:
    """What weighting by ``label`` (a population, in words) means, for the method notes.

    >>> weighted_notes("population", family="gaussian", improvement="decrease")[0][:52]
    'Estimates are weighted by population: each area coun'
    """
    unit, units = places.unit, places.units
    notes = [
        f"Estimates are weighted by {label}: each {unit} counts in proportion to its {label}, so the result is the "
        f"average effect across the {label} of the {units} rather than across {units} each counting once. The "
        "same weights enter every fit (the main estimate, each cohort, the event study, the pre-trend test and "
        f"the placebo in time) and the intervals (each {unit}'s contribution to an estimate is multiplied by its "
        "weight); the chart's lines are weighted averages too.",
        f"With weights the inference follows the effective number of {units} where it ran (Kish's: each {unit}'s "
        "weight times its total count, or its number of periods, as shares) rather than their count, since a few "
        f"large {units} can carry most of the estimate: cluster-robust from 21, the wild cluster bootstrap below.",
    ]
    if family == "poisson":
        notes.append(f"For counts the Poisson model already gives {units} with more crimes more say; the weights "
                     f"multiply that by each {unit}'s {label}.")
        if improvement == "decrease":
            notes.append(f"Crimes prevented are not given: a rate ratio weighted by {label} describes the "
                         f"weighted average {unit}, not the crimes of the {units} where it ran, so it does not "
                         "turn into a number of crimes.")
    return tuple(notes)
