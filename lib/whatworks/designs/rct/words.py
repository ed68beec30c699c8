"""Words for a trial result: effects in words, verdicts, the summary and the method notes.

Tables live in :mod:`whatworks.designs.rct.tables`, charts in
:mod:`whatworks.designs.rct.plots`. Nothing here computes a statistic; it
puts into words what :mod:`whatworks.designs.rct.analysis` found, showing
counts and shares of people through the disclosure policy it is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ... import text
from ...disclosure import WITHHELD, Disclosure
from ...results import Check, Evidence
from .analysis import MAIN_MEASURE, WEAK_F, Analysis, observed_by_arm
from .attrition import boundary
from .data import OutcomeSpec, Trial
from .model import Contrast
from .plan import Reading, against_plan, number_needed_to_treat

__all__ = ["verdicts", "classify", "summary", "method_notes", "fmt_effect", "fmt_level", "reading_words", "arm_namer",
           "nnt_rows", "nnt_words"]

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


def _attrition_doubt(a: Analysis, o: OutcomeSpec, arm: str) -> dict[str, Any] | None:
    """The Lee-bounds row that makes this outcome "cannot tell": high attrition and bounds spanning no effect."""
    if o.source != "survey":
        return None
    high = any(r["kind"] == "survey" and r["arm"] == arm and not r["low"] for r in a.attrition)
    lee = next((r for r in a.lee if r["outcome"] == o.column and r["arm"] == arm), None)
    if not high or lee is None or not (math.isfinite(lee["ci_low"]) and math.isfinite(lee["ci_high"])):
        return None
    return {**lee, "boundary": a.attrition_boundary} if lee["ci_low"] <= 0 <= lee["ci_high"] else None


_READING_WORDS = {
    ("larger", True, False): "Larger than planned: the whole interval lies beyond the smallest effect worth "
                             "acting on ({d}), so the effect is at least that large.",
    ("larger", False, False): "Larger than planned, but not certainly: the estimate is beyond the smallest effect "
                              "worth acting on ({d}), but the interval does not rule out an effect smaller than "
                              "that.",
    ("smaller", True, False): "Smaller than planned: there is an effect, but the whole interval lies short of the "
                              "smallest effect worth acting on ({d}), so it rules out an effect that large.",
    ("smaller", False, False): "Smaller than planned: there is an effect, but the estimate is short of the smallest "
                               "effect worth acting on ({d}), and the interval does not rule out an effect of "
                               "that size.",
    ("smaller", True, True): "Smaller than planned: no effect worth acting on. The interval includes no effect and "
                             "rules out an effect as large as the smallest worth acting on ({d}) in either "
                             "direction.",
    ("inconclusive", False, True): "Inconclusive: the interval includes both no effect and the smallest effect "
                                   "worth acting on ({d}), so the trial cannot tell them apart.",
}

#: What an equivalence or non-inferiority plan reads when it is shown, whether or not the
#: interval includes no effect.
_SHOWN_WORDS = {
    "equivalent": "Equivalent, as the plan set out to show: the whole interval lies within the equivalence "
                  "margin ({d}) either side of no effect.",
    "non_inferior": "Non-inferior, as the plan set out to show: the interval rules out the arm being worse by "
                    "the margin ({d}) or more.",
}


def reading_words(reading: Reading, o: OutcomeSpec) -> str:
    """The reading against the plan in words a reader cannot misread.

    >>> o = OutcomeSpec("y", "binary", True, "Y", 0.02, "police_recorded")
    >>> reading_words(against_plan(-0.015, -0.028, -0.001, 0.02), o)[:56]
    'Smaller than planned: there is an effect, but the estima'
    """
    d = _smallest_words(o)
    if reading.code == "not_shown":
        if o.hypothesis == "equivalence":
            return (f"Equivalence not shown: the interval reaches beyond the equivalence margin ({d}) either side "
                    "of no effect.")
        return f"Non-inferiority not shown: the interval does not rule out the arm being worse by the margin ({d})."
    if reading.code in _SHOWN_WORDS and reading.settled:
        return _SHOWN_WORDS[reading.code].format(d=d)
    key = (reading.code, reading.settled, reading.includes_null)
    return _READING_WORDS[key].format(d=d) if key in _READING_WORDS else ""


def _effect_sentence(o: OutcomeSpec, arm: str, control: str, measure: str, c: Contrast, disclosure: Disclosure,
                     observed: dict[str, int], name: Callable[[str], str]) -> str:
    est = fmt_effect(c.estimate, o.type, measure)
    ci = text.fmt_interval(c.ci_low, c.ci_high, fmt=lambda v: fmt_effect(v, o.type, measure).replace(
        " percentage points", ""))
    unit = " percentage points" if "percentage points" in est else ""
    mw = _MEASURE_WORDS.get(measure, measure.replace("_", " "))
    levels = (f"{fmt_level(c.get('treated'), o.type, measure, disclosure, observed.get(arm))} with the {name(arm)} "
              f"against {fmt_level(c.get('control'), o.type, measure, disclosure, observed.get(control))} with the "
              f"{name(control)}")
    null = 1.0 if "ratio" in measure else 0.0
    clear = math.isfinite(c.ci_low) and math.isfinite(c.ci_high) and not c.ci_low <= null <= c.ci_high
    if clear:
        verb = "raised" if c.estimate > null else "lowered"
        return f"The {name(arm)} {verb} {o.label.lower()}: {levels}, a {mw} of {est} ({ci}{unit})."
    return (f"No clear difference between the {name(arm)} and the {name(control)} in {o.label.lower()}: {levels}, a "
            f"{mw} of {est} ({ci}{unit}); the interval includes no effect.")


def _verdict_text(code: str, reading: Reading | None, o: OutcomeSpec, arm: str, control: str, measure: str,
                  c: Contrast, disclosure: Disclosure, observed: dict[str, int], name: Callable[[str], str],
                  doubt: Mapping[str, Any] | None) -> str:
    if code == "withheld":
        return (f"The effect of the {name(arm)} on {o.label.lower()} is withheld: it cannot be estimated from these "
                "data.")
    first = _effect_sentence(o, arm, control, measure, c, disclosure, observed, name)
    if doubt is not None:
        bounds = text.fmt_interval(doubt["ci_low"], doubt["ci_high"], fmt=lambda v: fmt_effect(
            v, o.type, doubt["measure"]).replace(" percentage points", ""))
        return (f"Cannot tell whether the {name(arm)} changes {o.label.lower()}: survey attrition is high on the "
                f"{boundary(doubt['boundary']).title} boundary, and the Lee bounds ({bounds}) include no effect, "
                "so the difference "
                f"between the arms may come from who answered rather than from the {name(arm)}. {first}")
    if reading is None:
        return first
    return f"{first} {reading_words(reading, o)}"


def verdicts(specs: list[OutcomeSpec], a: Analysis, t: Trial, disclosure: Disclosure,
             arm_labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """A verdict for each outcome and active arm, on the outcome's main measure, read against the plan.

    ``verdict`` is the interval's place against no effect (see
    :func:`classify`), or ``cannot_tell`` when attrition is high and the Lee
    bounds include no effect; ``reading`` is the effect against the plan's
    smallest effect of interest (:func:`~whatworks.designs.rct.plan.against_plan`),
    or ``None`` without one.
    """
    arms = t.arms
    name = arm_namer(arm_labels)
    out: list[dict[str, Any]] = []
    for o in specs:
        measure = MAIN_MEASURE[o.type]
        observed = observed_by_arm(t, o)
        for arm in arms[1:]:
            c = a.contrasts[(o.column, measure, arm)]
            ratio = "ratio" in measure
            code = classify(c.ci_low, c.ci_high, o.smallest_effect, ratio)
            reading = (against_plan(c.estimate, c.ci_low, c.ci_high, o.smallest_effect, ratio=ratio,
                                    hypothesis=o.hypothesis, better=o.better)
                       if o.smallest_effect and code != "withheld" else None)
            doubt = _attrition_doubt(a, o, arm) if code != "withheld" else None
            if doubt is not None:
                code = "cannot_tell"
            out.append({"outcome": o.column, "primary": o.primary, "arm": arm, "measure": measure, "verdict": code,
                        "reading": None if reading is None else reading.code,
                        "settled": None if reading is None else reading.settled,
                        "smallest_effect": o.smallest_effect, "hypothesis": o.hypothesis,
                        "text": _verdict_text(code, reading, o, arm, arms[0], measure, c, disclosure, observed,
                                              name, doubt)})
    return out


def arm_namer(arm_labels: Mapping[str, str] | None) -> Callable[[str], str]:
    """A function giving each arm's label (``arm_labels``), or the arm's own code without one.

    >>> arm_namer({"bau_letter": "business-as-usual letter"})("bau_letter")
    'business-as-usual letter'
    """
    labels = dict(arm_labels or {})
    return lambda arm: str(labels.get(arm, arm))


def _money(value: float) -> str:
    return "no upper limit" if not math.isfinite(value) else f"£{text.fmt_number(value, 0 if value >= 100 else 2)}"


def _nnt_value(value: float) -> str:
    return "infinity" if not math.isfinite(value) else text.fmt_number(math.ceil(value - 1e-9))


def nnt_words(row: Mapping[str, Any], label: str, arm: str) -> str:
    """The number needed to treat (and the cost per outcome avoided) in words.

    >>> nnt_words({"nnt": 25.0, "kind": "benefit", "ci_low": 18.9, "ci_high": 37.0,
    ...            "through_infinity": False, "better": "lower"}, "repeat victimisation", "advocate call")[:60]
    'Number needed to treat: 25 people given the advocate call fo'
    """
    fewer = row["better"] == "lower"
    good, bad = ("fewer", "more") if fewer else ("more", "fewer")
    if row["kind"] == "none":
        return f"Number needed to treat: the {arm} made no difference to {label}, so no number needed to treat."
    one = good if row["kind"] == "benefit" else bad
    head = (f"Number needed to treat: {_nnt_value(row['nnt'])} people given the {arm} for one {one} person with "
            f"{label}")
    if row["through_infinity"]:
        ci = (f"95% CI: {_nnt_value(row['ci_low'])} for one {good} (benefit), through infinity (no effect), to "
              f"{_nnt_value(row['ci_high'])} for one {bad} (harm)")
    else:
        ci = f"95% CI {_nnt_value(row['ci_low'])} to {_nnt_value(row['ci_high'])}"
    out = f"{head} ({ci})."
    cost = row.get("cost_per_participant")
    if cost is not None and row["kind"] == "benefit":
        each = row["cost_per_outcome_avoided"]
        if row["through_infinity"]:
            out += (f" At {_money(cost)} a participant, each outcome avoided costs {_money(each)} (95% CI "
                    f"{_money(row['cost_ci_low'])} to no upper limit: the interval includes no effect, or harm).")
        else:
            out += (f" At {_money(cost)} a participant, each outcome avoided costs {_money(each)} (95% CI "
                    f"{_money(row['cost_ci_low'])} to {_money(row['cost_ci_high'])}).")
    return out


def nnt_rows(specs: Sequence[OutcomeSpec], a: Analysis, arms: Sequence[str],
             costs: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """Number needed to treat for every binary outcome and active arm, with the cost per outcome avoided."""
    out: list[dict[str, Any]] = []
    for o in specs:
        if o.type != "binary":
            continue
        better = o.better or "lower"
        for arm in arms[1:]:
            c = a.contrasts[(o.column, "risk_difference", arm)]
            if not all(math.isfinite(v) for v in (c.estimate, c.ci_low, c.ci_high)):
                continue
            n = number_needed_to_treat(c.estimate, c.ci_low, c.ci_high, better=better)
            row: dict[str, Any] = {"outcome": o.column, "arm": arm, "better": better, "nnt": n.nnt, "kind": n.kind,
                                   "ci_low": n.low, "ci_high": n.high, "through_infinity": n.through_infinity}
            cost = None if costs is None else costs.get(arm)
            if cost is not None:
                each = float(cost) * n.nnt if n.kind == "benefit" else math.nan
                low = float(cost) * n.low if n.kind == "benefit" else math.nan
                high = math.inf if n.through_infinity else float(cost) * n.high
                row.update(cost_per_participant=float(cost), cost_per_outcome_avoided=each, cost_ci_low=low,
                           cost_ci_high=high if n.kind == "benefit" else math.nan)
            out.append(row)
    return out


def _dates_sentence(dates: Mapping[str, Any] | None) -> str | None:
    if not dates:
        return None
    start, end, follow = (dates.get(k) for k in ("recruitment_start", "recruitment_end", "follow_up_end"))
    parts = []
    if start is not None and end is not None:
        parts.append(f"Participants were recruited from {text.fmt_date(start)} to {text.fmt_date(end)}")
    elif start is not None:
        parts.append(f"Recruitment began on {text.fmt_date(start)}")
    elif end is not None:
        parts.append(f"Recruitment ended on {text.fmt_date(end)}")
    if follow is not None:
        parts.append(f"followed up to {text.fmt_date(follow)}" if parts else
                     f"Follow-up ended on {text.fmt_date(follow)}")
    return " and ".join(parts) + "." if parts else None


def summary(specs: Sequence[OutcomeSpec], t: Trial, a: Analysis, verdict_rows: Sequence[Mapping[str, Any]],
            checks: Sequence[Check], evidence: Evidence, disclosure: Disclosure, *,
            arm_labels: Mapping[str, str] | None = None, nnt: Sequence[Mapping[str, Any]] = (),
            dates: Mapping[str, Any] | None = None) -> list[str]:
    """The plain-English summary, most important first."""
    name = arm_namer(arm_labels)
    primary = next(o for o in specs if o.primary)
    sizes = ", ".join(f"{name(r['arm'])} {disclosure.count(r['allocated'])}" for r in a.flow)
    analysed = sum(r["analysed"] for r in a.flow)
    first = (f"{disclosure.count(t.n)} participants were randomised to {len(t.arms)} arms ({sizes}); "
             f"{disclosure.count(analysed)} were analysed for the primary outcome, {primary.label.lower()}.")
    when = _dates_sentence(dates)
    paras = [first if when is None else f"{when} {first}"]
    for v in verdict_rows:
        if not v["primary"]:
            continue
        paras.append(v["text"])
        row = next((r for r in nnt if r["outcome"] == v["outcome"] and r["arm"] == v["arm"]), None)
        if row is not None:
            paras.append(nnt_words(row, primary.label.lower(), name(v["arm"])))
    secondary = [h for h in a.holm if h["family"].startswith("secondary")]
    if secondary:
        doubtful = {(v["outcome"], v["arm"]) for v in verdict_rows if v["verdict"] == "cannot_tell"}
        hits = [h for h in secondary if h["p_holm"] is not None and math.isfinite(h["p_holm"]) and h["p_holm"] < 0.05
                and (h["outcome"], h["arm"]) not in doubtful]
        unsure = [h for h in secondary if (h["outcome"], h["arm"]) in doubtful]
        labels = {o.column: o.label for o in specs}
        if hits:
            listed = "; ".join(f"{labels[h['outcome']].lower()} ({name(h['arm'])})" for h in hits)
            paras.append(f"Of {len(secondary)} secondary comparisons, {len(hits)} differed between arms after "
                         f"Holm adjustment for multiple comparisons: {listed}.")
        else:
            paras.append(f"None of the {len(secondary)} secondary comparisons differed between arms after Holm "
                         "adjustment for multiple comparisons.")
        if unsure:
            listed = "; ".join(f"{labels[h['outcome']].lower()} ({name(h['arm'])})" for h in unsure)
            paras.append(f"Cannot tell for {len(unsure)} of them, because survey attrition is high on the "
                         f"{boundary(a.attrition_boundary).title} boundary and the Lee bounds include no effect: "
                         f"{listed}.")
    paras += [c.message for c in checks if c.status in ("warn", "fail")
              and c.name.split(".")[0] in ("ascertainment", "first_stage", "adjusted_fit")]
    return paras


def method_notes(specs: Sequence[OutcomeSpec], t: Trial, a: Analysis, *, cluster: bool,
                 arm_labels: Mapping[str, str] | None = None) -> list[str]:
    """How each number was worked out (conventions stated)."""
    name = arm_namer(arm_labels)
    types = {o.type for o in specs}
    notes = [f"All intervals are {text.LEVEL_WORDS}. Effects are intention to treat: everyone analysed in the arm "
             f"they were allocated to, each active arm against the {name(t.arms[0])}."]
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
        used = boundary(a.attrition_boundary)
        notes.append(f"Attrition is judged against the {used.source}, the boundary for when {used.when} "
                     "(the spec's attrition_boundary chooses cautious or optimistic): overall attrition is the "
                     "share of the two arms' randomised participants not analysed, differential attrition the gap "
                     "between the arms' attrition rates; between whole percents the stricter table value is used, "
                     "and overall attrition above 57% is high attrition. Participants excluded after randomisation "
                     "count as attrition.")
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
        notes.append("Each effect is judged against the analysis plan's smallest effect worth acting on, read on "
                     "the main measure's scale (percentage points for shares, a proportional change for rate "
                     "ratios, read on the log scale, outcome units otherwise), in the estimate's direction. "
                     "'Larger than planned': the estimate is at least that effect and the interval excludes no "
                     "effect (settled when the whole interval is beyond it). 'Smaller than planned': the estimate "
                     "falls short of it and either the interval excludes no effect (settled when it also rules the "
                     "planned effect out) or it lies wholly within that effect either side of no effect. "
                     "'Inconclusive': the interval includes both no effect and the planned effect. Where the plan "
                     "sets out to show equivalence, the whole 95% interval must lie within the margin either side "
                     "of no effect (two one-sided tests at 2.5%); non-inferiority, that it excludes harm as large "
                     "as the margin.")
    if a.lee:
        notes.append(f"'Cannot tell' replaces a verdict on a survey outcome when its attrition is high on the "
                     f"{boundary(a.attrition_boundary).title} boundary and the 95% interval of its Lee bounds "
                     "includes no effect: the difference between the arms could then come from who answered.")
    if "binary" in types:
        notes.append("The number needed to treat is one over the risk difference, rounded up, with the interval "
                     "from inverting the risk difference's interval; when that interval includes no effect, the "
                     "number needed to treat runs from its benefit end through infinity to its harm end (Altman "
                     "1998). The cost per outcome avoided is the spec's cost per participant (over the control "
                     "arm's) times the unrounded number needed to treat (the cost over one risk difference), with the "
                     "same interval scaled.")
    if len(t.arms) > 2:
        notes.append(f"The headline is the primary outcome for the first active arm ({name(t.arms[1])}); every "
                     "arm's results are in the tables, and the summary reads every arm.")
    return notes
