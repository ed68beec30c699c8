"""Words for a trial result: effects in words, verdicts, the summary and the method notes.

Tables live in :mod:`whatworks.designs.rct.tables`, charts in
:mod:`whatworks.designs.rct.plots`. Nothing here computes a statistic; it
puts into words what :mod:`whatworks.designs.rct.analysis` found, showing
counts and shares of people through the disclosure policy it is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ... import text
from ...disclosure import WITHHELD, Disclosure
from ...results import Check, Evidence
from .analysis import MAIN_MEASURE, WEAK_F, Analysis, observed_by_arm
from .attrition import WWC_SOURCE
from .data import OutcomeSpec, Trial
from .model import Contrast

__all__ = ["verdicts", "classify", "summary", "method_notes", "fmt_effect", "fmt_level"]

_MEASURE_WORDS = {"risk_difference": "risk difference", "rate_ratio": "rate ratio",
                  "mean_difference": "mean difference", "agree_difference": "difference in the share agreeing"}


def fmt_effect(value: float | None, otype: str, measure: str) -> str:
    """An effect in words: percentage points for shares, three decimals for ratios.

    >>> fmt_effect(-0.0321, "binary", "risk_difference"), fmt_effect(0.837, "binary", "risk_ratio")
    ('-3.2 percentage points', '0.837')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if "ratio" in measure:
        return text.fmt_number(value, 3)
    if otype in ("binary", "likert") and measure != "mean_difference":
        return f"{value * 100:.1f} percentage points"
    return text.fmt_number(value, 2 if abs(value) < 10 else None)


def fmt_level(value: float | None, otype: str, measure: str, disclosure: Disclosure | None = None,
              whole: int | None = None) -> str:
    """An arm's level (a share or a mean) in words.

    A share of ``whole`` people is withheld by ``disclosure`` when it counts,
    or leaves out, a small number of them.

    >>> fmt_level(0.25, "binary", "risk_difference"), fmt_level(0.005, "binary", "risk_difference", Disclosure(5), 200)
    ('25.0%', 'a share withheld (small numbers)')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if otype in ("binary", "likert") and measure != "mean_difference":
        if disclosure is None or whole is None:
            return text.fmt_pct(value)
        shown = disclosure.rate(value, whole)
        return "a share withheld (small numbers)" if shown == WITHHELD else shown
    return text.fmt_number(value, 2)


def classify(low: float, high: float, smallest: float | None, ratio: bool) -> str:
    """Which verdict an interval supports.

    ``clear_effect`` (excludes no effect), ``no_important_effect`` (excludes
    no-effect's complement: lies strictly within the smallest effect worth
    detecting either side of no effect), ``inconclusive`` (spans both no
    effect and that effect), ``no_clear_effect`` (no smallest effect given),
    or ``withheld``. For ratios the smallest effect ``s`` means the band
    ``1 - s`` to ``1 / (1 - s)``.

    >>> classify(-0.045, -0.019, 0.02, False), classify(-0.012, 0.011, 0.02, False)
    ('clear_effect', 'no_important_effect')
    >>> classify(-0.03, 0.005, 0.02, False)
    'inconclusive'
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "withheld"
    null = 1.0 if ratio else 0.0
    if not low <= null <= high:
        return "clear_effect"
    if smallest is None:
        return "no_clear_effect"
    band = (1 - smallest, 1 / (1 - smallest)) if ratio else (-smallest, smallest)
    if band[0] < low and high < band[1]:
        return "no_important_effect"
    return "inconclusive"


def _smallest_words(o: OutcomeSpec) -> str:
    s = o.smallest_effect
    if s is None:  # a verdict that needs it is only reached with one
        raise ValueError(f"outcome '{o.column}' has no smallest effect worth detecting")
    if o.type == "count":
        return f"a {text.fmt_pct(s, 0)} change in the rate"
    if o.type in ("binary", "likert"):
        return f"{s * 100:.1f} percentage points"
    return text.fmt_number(s)


def _verdict_text(code: str, o: OutcomeSpec, arm: str, control: str, measure: str, c: Contrast,
                  disclosure: Disclosure,
                  observed: dict[str, int]) -> str:
    est = fmt_effect(c.estimate, o.type, measure)
    ci = text.fmt_interval(c.ci_low, c.ci_high, fmt=lambda v: fmt_effect(v, o.type, measure).replace(
        " percentage points", ""))
    unit = " percentage points" if "percentage points" in est else ""
    mw = _MEASURE_WORDS.get(measure, measure.replace("_", " "))
    levels = (f"{fmt_level(c.get('treated'), o.type, measure, disclosure, observed.get(arm))} with the {arm} "
              f"against {fmt_level(c.get('control'), o.type, measure, disclosure, observed.get(control))} with the "
              f"{control}")
    if code == "clear_effect":
        up = c.estimate > (1.0 if "ratio" in measure else 0.0)
        return (f"The {arm} {'raised' if up else 'lowered'} {o.label.lower()}: {levels}, a {mw} of {est} "
                f"({ci}{unit}).")
    if code == "no_important_effect":
        return (f"No evidence that the {arm} changes {o.label.lower()} by as much as the smallest effect worth "
                f"detecting ({_smallest_words(o)}): {levels}, a {mw} of {est} ({ci}{unit}), an interval that "
                "rules out effects of that size.")
    if code == "inconclusive":
        return (f"Inconclusive for the {arm} on {o.label.lower()}: {levels}, a {mw} of {est} ({ci}{unit}). The "
                f"interval includes both no effect and the smallest effect worth detecting ({_smallest_words(o)}), "
                "so the trial cannot tell them apart.")
    if code == "no_clear_effect":
        return (f"No clear effect of the {arm} on {o.label.lower()}: {levels}, a {mw} of {est} ({ci}{unit}); the "
                "interval includes no effect.")
    return f"The effect of the {arm} on {o.label.lower()} is withheld: it cannot be estimated from these data."


def verdicts(specs: list[OutcomeSpec], a: Analysis, t: Trial, disclosure: Disclosure) -> list[dict[str, Any]]:
    """A verdict for each outcome and active arm, on the outcome's main measure."""
    arms = t.arms
    out: list[dict[str, Any]] = []
    for o in specs:
        measure = MAIN_MEASURE[o.type]
        observed = observed_by_arm(t, o)
        for arm in arms[1:]:
            c = a.contrasts[(o.column, measure, arm)]
            code = classify(c.ci_low, c.ci_high, o.smallest_effect, "ratio" in measure)
            out.append({"outcome": o.column, "primary": o.primary, "arm": arm, "measure": measure, "verdict": code,
                        "text": _verdict_text(code, o, arm, arms[0], measure, c, disclosure, observed)})
    return out


def summary(specs: Sequence[OutcomeSpec], t: Trial, a: Analysis, verdict_rows: Sequence[Mapping[str, Any]],
            checks: Sequence[Check], evidence: Evidence, disclosure: Disclosure) -> list[str]:
    """The plain-English summary, most important first."""
    primary = next(o for o in specs if o.primary)
    sizes = ", ".join(f"{r['arm']} {disclosure.count(r['allocated'])}" for r in a.flow)
    analysed = sum(r["analysed"] for r in a.flow)
    paras = [f"{disclosure.count(t.n)} participants were randomised to {len(t.arms)} arms ({sizes}); "
             f"{disclosure.count(analysed)} were analysed for the primary outcome, {primary.label.lower()}."]
    paras += [v["text"] for v in verdict_rows if v["primary"]]
    secondary = [h for h in a.holm if h["family"].startswith("secondary")]
    if secondary:
        hits = [h for h in secondary if h["p_holm"] is not None and math.isfinite(h["p_holm"]) and h["p_holm"] < 0.05]
        labels = {o.column: o.label for o in specs}
        if hits:
            listed = "; ".join(f"{labels[h['outcome']].lower()} ({h['arm']})" for h in hits)
            paras.append(f"Of {len(secondary)} secondary comparisons, {len(hits)} differed between arms after "
                         f"Holm adjustment for multiple comparisons: {listed}.")
        else:
            paras.append(f"None of the {len(secondary)} secondary comparisons differed between arms after Holm "
                         "adjustment for multiple comparisons.")
    paras += [c.message for c in checks if c.status in ("warn", "fail")
              and c.name.split(".")[0] in ("ascertainment", "first_stage", "adjusted_fit")]
    return paras


def method_notes(specs: Sequence[OutcomeSpec], t: Trial, a: Analysis, *, cluster: bool) -> list[str]:
    """How each number was worked out (conventions stated)."""
    types = {o.type for o in specs}
    notes = [f"All intervals are {text.LEVEL_WORDS}. Effects are intention to treat: everyone analysed in the arm "
             f"they were allocated to, each active arm against the {t.arms[0]}."]
    if "binary" in types:
        notes.append("Binary outcomes: the risk difference uses the Wald z interval with the unpooled variance; "
                     "risk and odds ratios use Wald z intervals on the log scale (Katz and Woolf standard errors). "
                     "Values 0/1, yes/no and true/false are accepted.")
    if "count" in types:
        notes.append("Counts: the rate ratio compares mean counts per participant over the same follow-up, with a "
                     "z interval on the log scale whose variance comes from the observed counts (so it allows for "
                     "over-dispersion rather than assuming Poisson variation).")
    if types & {"continuous", "likert", "count"}:
        notes.append("Mean differences use Welch's t interval (unequal variances, Welch–Satterthwaite degrees of "
                     "freedom).")
    if "likert" in types:
        notes.append("Likert items are on a 1–5 scale; 'agreeing' means answering 4 or 5. The main measure is the "
                     "difference in the share agreeing (Wald z interval), with the difference in mean score beside it.")
    if cluster:
        notes.append("Errors are cluster-robust: influence values are summed within clusters, with the G/(G − 1) "
                     "small-sample correction (CR1), and intervals use t with G − 1 degrees of freedom.")
    if t.covariate_matrix.shape[1]:
        notes.append("The adjusted analysis fits a logistic (binary; Likert agreement), Poisson log-linear (counts) "
                     "or linear (continuous) model of the outcome on the arm, the covariates and the strata, then "
                     "averages every participant's predicted outcome under each arm (standardisation). Its "
                     "marginal risk differences and ratios are on the same scales as the main analysis — not "
                     "conditional odds ratios — with z intervals from the sandwich (influence-function) variance. "
                     "Missing numeric covariates are set to the mean with a missing-value indicator.")
    if t.received is not None:
        notes.append("The complier effect is the Wald (instrumental-variable) estimator: the intention-to-treat "
                     "effect on the outcome divided by the effect of allocation on receiving the arm's message "
                     "(control counted as 0), with a delta-method z interval. It is the effect among people the "
                     f"message would reach. A first-stage F below {WEAK_F:g} (the Staiger–Stock rule of thumb) is "
                     "flagged as weak.")
    if a.attrition:
        notes.append(f"Attrition is judged against the {WWC_SOURCE}: overall attrition is the share of the two "
                     "arms' randomised participants not analysed, differential attrition the gap between the arms' "
                     "attrition rates; between whole percents the stricter table value is used. Participants "
                     "excluded after randomisation count as attrition.")
    if a.lee:
        notes.append("Lee (2009) bounds trim the outcomes of the arm with the higher survey response so both arms "
                     "represent the same share of participants; ties are trimmed fractionally. They assume that "
                     "allocation "
                     "moves survey response in one direction only (monotonicity). Their interval runs "
                     "from the 2.5th percentile of the bootstrap lower bound to the 97.5th percentile of the upper "
                     "bound (200 resamples within arms).")
    if a.subgroups:
        notes.append("Subgroup effects on the primary outcome are on the risk-difference scale (mean difference "
                     "for non-binary outcomes); the interaction test is a Wald chi-squared test that the "
                     "differences are equal across the subgroup's levels, on that scale. Only subgroups named in "
                     "the analysis plan are pre-specified; any others are exploratory.")
    if a.holm:
        notes.append("Holm-adjusted p-values control the family-wise error rate across the secondary outcomes' "
                     "main measures and the active arms (one family); with several active arms the primary "
                     "outcome's comparisons form a second family.")
    if any(o.smallest_effect for o in specs):
        notes.append("The smallest effect worth detecting is read on the main measure's scale (percentage points "
                     "for shares, a proportional change for rate ratios, outcome units otherwise) in either "
                     "direction. 'No evidence of an effect that large' means the whole interval lies inside it; "
                     "'inconclusive' means the interval spans both no effect and that effect.")
    if len(t.arms) > 2:
        notes.append(f"The headline is the primary outcome for the first active arm ({t.arms[1]}); every arm's "
                     "results are in the tables.")
    return notes
